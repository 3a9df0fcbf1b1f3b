//! Account pages: sign-in, sign-out, sign-up, forgotten password, and the signed-in user's
//! own account (/me: password, language, API tokens).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::service::{self, AccountInput, PasswordChange, ResetRefused, SignInRefused};
use super::views::*;
use super::{Role, session, store, tokens};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::TokenId;
use crate::web::request::RequestCtx;
use crate::web::{Ctx, CurrentUser, PageCtx, cookies, redirect, redirect_flash, render, render_refused, safe_next};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::SIGN_IN, sign_in_form)
        .post(paths::SIGN_IN, sign_in)
        .get(paths::SIGN_UP, sign_up_form)
        .post(paths::SIGN_UP, sign_up)
        .get(paths::PASSWORD_FORGOT, forgot_form)
        .post(paths::PASSWORD_FORGOT, forgot)
        .get(paths::PASSWORD_RESET, reset_form)
        .post(paths::PASSWORD_RESET, reset)
        .public()
        .post(paths::SIGN_OUT, sign_out)
        .get(paths::LANG, switch_language)
        .get(paths::ME, me)
        .get(paths::ME_SETTINGS, settings)
        .get(paths::ME_PASSWORD, password_form)
        .post(paths::ME_PASSWORD, change_password)
        .post(paths::ME_LANGUAGE, set_language)
        .get(paths::ME_TOKENS, tokens_page)
        .post(paths::ME_TOKENS, create_token)
        .post(paths::ME_TOKEN_REVOKE, revoke_token)
        .get(paths::ME_NOTIFICATIONS, notifications)
        .post(paths::ME_NOTIFICATIONS_READ, mark_read)
}

/// Anonymous forms need a session to hold their CSRF token; start one when missing.
async fn form_session(state: &AppState, ctx: &RequestCtx, page: &mut PageCtx) -> AppResult<Option<HeaderValue>> {
    if ctx.session.is_some() {
        return Ok(None);
    }
    let mut conn = state.db.pool().acquire().await?;
    let (token, record) =
        session::create(&mut conn, None, &ctx.client_addr, &ctx.user_agent, &state.settings.security).await?;
    page.csrf = record.csrf_token;
    Ok(Some(session::set_cookie(&token, state.settings.server.secure_cookies())))
}

fn with_cookie(cookie: Option<HeaderValue>, status: StatusCode, body: impl IntoResponse) -> Response {
    let mut resp = (status, body).into_response();
    if let Some(c) = cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn landing(ctx: &RequestCtx) -> &'static str {
    match &ctx.actor {
        Some(a) if a.is_staff() => paths::ADMIN,
        _ => paths::ME,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_form(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.actor.is_some() {
        return Ok(redirect(&safe_next(q.next.as_deref(), landing(&ctx))));
    }
    let mut page = page.title("auth.sign_in");
    let cookie = form_session(&state, &ctx, &mut page).await?;
    let view = SignInPage { ctx: page, login: String::new(), next: safe_next(q.next.as_deref(), ""), error: None };
    Ok(with_cookie(cookie, StatusCode::OK, render(&view)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    login: String,
    password: String,
    next: String,
}

async fn sign_in(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let old = ctx.session.as_ref().map(|s| s.id.as_str());
    let outcome = service::sign_in(&state, &ctx.who(), &ctx.user_agent, &form.login, &form.password, old).await?;
    let (status, error) = match outcome {
        Ok(signed_in) => {
            let staff = store::load_actor(&mut *state.db.pool().acquire().await?, signed_in.user_id)
                .await?
                .is_some_and(|a| a.is_staff());
            let default = if staff { paths::ADMIN } else { paths::ME };
            let mut resp = redirect_flash(&state, &safe_next(Some(&form.next), default), &Msg::new("flash.signed_in"));
            resp.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(&signed_in.cookie_token, state.settings.server.secure_cookies()),
            );
            return Ok(resp);
        }
        Err(SignInRefused::Invalid) => (StatusCode::UNAUTHORIZED, Msg::new("auth.sign_in_failed")),
        Err(SignInRefused::Deactivated) => (StatusCode::FORBIDDEN, Msg::new("auth.deactivated")),
        Err(SignInRefused::Throttled(m)) => (StatusCode::TOO_MANY_REQUESTS, m),
    };
    let page = page.title("auth.sign_in");
    let error = Some(page.msg(&error));
    let view = SignInPage { ctx: page, login: form.login, next: safe_next(Some(&form.next), ""), error };
    Ok((status, render(&view)?).into_response())
}

async fn sign_out(State(state): State<AppState>, Ctx(ctx): Ctx) -> AppResult<Response> {
    if let Some(s) = &ctx.session {
        service::sign_out(&state, &ctx.who(), &s.id).await?;
    }
    let mut resp = redirect_flash(&state, paths::HOME, &Msg::new("flash.signed_out"));
    resp.headers_mut().append(header::SET_COOKIE, session::clear_cookie(state.settings.server.secure_cookies()));
    Ok(resp)
}

async fn sign_up_form(State(state): State<AppState>, Ctx(ctx): Ctx, page: PageCtx) -> AppResult<Response> {
    if ctx.actor.is_some() {
        return Ok(redirect(landing(&ctx)));
    }
    let mut page = page.title("auth.sign_up");
    let cookie = form_session(&state, &ctx, &mut page).await?;
    let view = SignUpPage {
        ctx: page,
        form: AccountInput::default(),
        errors: FieldErrors::new(),
        min_len: state.settings.security.password_min_length,
    };
    Ok(with_cookie(cookie, StatusCode::OK, render(&view)?))
}

async fn sign_up(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Form(mut form): Form<AccountInput>,
) -> AppResult<Response> {
    let old = ctx.session.as_ref().map(|s| s.id.as_str());
    match service::sign_up(&state, &ctx.who(), &ctx.user_agent, &form, ctx.lang, old).await? {
        Ok(signed_in) => {
            let mut resp = redirect_flash(&state, paths::ME, &Msg::new("flash.signed_up"));
            resp.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(&signed_in.cookie_token, state.settings.server.secure_cookies()),
            );
            Ok(resp)
        }
        Err(errors) => {
            form.password.clear();
            form.password_confirm.clear();
            let view = SignUpPage {
                ctx: page.title("auth.sign_up"),
                form,
                errors,
                min_len: state.settings.security.password_min_length,
            };
            render_refused(&view)
        }
    }
}

async fn forgot_form(State(state): State<AppState>, Ctx(ctx): Ctx, page: PageCtx) -> AppResult<Response> {
    let mut page = page.title("auth.forgot");
    let cookie = form_session(&state, &ctx, &mut page).await?;
    let view = ForgotPage {
        ctx: page,
        login: String::new(),
        sent: false,
        minutes: state.settings.security.reset_link_valid_minutes,
    };
    Ok(with_cookie(cookie, StatusCode::OK, render(&view)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForgotForm {
    login: String,
}

async fn forgot(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    if !form.login.trim().is_empty() {
        // The answer is the same whether or not the account exists.
        service::request_reset(&state, &ctx.who(), &form.login, false).await?;
    }
    let view = ForgotPage {
        ctx: page.title("auth.forgot"),
        login: form.login,
        sent: true,
        minutes: state.settings.security.reset_link_valid_minutes,
    };
    Ok(render(&view)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenQuery {
    token: String,
}

async fn reset_form(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let valid = service::reset_token_valid(&state, &q.token).await?;
    let mut page = page.title("auth.reset");
    let cookie = form_session(&state, &ctx, &mut page).await?;
    let status = if valid { StatusCode::OK } else { StatusCode::GONE };
    let view = ResetPage {
        ctx: page,
        token: q.token,
        valid,
        errors: FieldErrors::new(),
        min_len: state.settings.security.password_min_length,
    };
    Ok(with_cookie(cookie, status, render(&view)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    token: String,
    password: String,
    password_confirm: String,
}

async fn reset(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    match service::reset_password(&state, &ctx.who(), &form.token, &form.password, &form.password_confirm).await? {
        Ok(()) => Ok(redirect_flash(&state, paths::SIGN_IN, &Msg::new("flash.password_reset"))),
        Err(refused) => {
            let (status, valid, errors) = match refused {
                ResetRefused::LinkInvalid => (StatusCode::GONE, false, FieldErrors::new()),
                ResetRefused::Fields(e) => (StatusCode::UNPROCESSABLE_ENTITY, true, e),
            };
            let view = ResetPage {
                ctx: page.title("auth.reset"),
                token: form.token,
                valid,
                errors,
                min_len: state.settings.security.password_min_length,
            };
            Ok((status, render(&view)?).into_response())
        }
    }
}

/// The language switch for visitors: remembered in a cookie (signed-in users use /me/language).
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let mut resp = redirect(&safe_next(q.next.as_deref(), paths::HOME));
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookies::plain(cookies::LANG, lang.code(), 365 * 24 * 3600, state.settings.server.secure_cookies()),
    );
    Ok(resp)
}

/// The signed-in person's home.
async fn me(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser, page: PageCtx) -> AppResult<Response> {
    let home = crate::site::home::home(&state, &actor, page.lang).await?;
    let view = MePage {
        ctx: page.title("me.title"),
        display_name: actor.display_name.clone(),
        is_staff: actor.is_staff(),
        home,
    };
    Ok(render(&view)?.into_response())
}

/// The account's details and settings.
async fn settings(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let user = store::find_user(&mut conn, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let page = page.title("me.settings").crumb("me.title", paths::ME);
    let grants = actor
        .grants
        .iter()
        .filter(|g| g.role != Role::Member)
        .map(|g| GrantView { role: page.t(g.role.label_key()), org: g.org_name.clone() })
        .collect();
    let view = SettingsPage {
        username: user.username,
        display_name: user.display_name,
        email: user.email.unwrap_or_default(),
        mobile: user.mobile.unwrap_or_default(),
        grants,
        last_sign_in_at: user.last_sign_in_at,
        ctx: page,
    };
    Ok(render(&view)?.into_response())
}

async fn password_form(
    State(state): State<AppState>,
    CurrentUser(..): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let view = PasswordPage {
        ctx: page.title("me.password").crumb("me.title", paths::ME).crumb("me.settings", paths::ME_SETTINGS),
        errors: FieldErrors::new(),
        min_len: state.settings.security.password_min_length,
    };
    Ok(render(&view)?.into_response())
}

async fn change_password(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Form(form): Form<PasswordChange>,
) -> AppResult<Response> {
    let keep = ctx.session.as_ref().map(|s| s.id.as_str());
    match service::change_password(&state, &ctx.who(), actor.user_id, keep, &form).await? {
        Ok(()) => Ok(redirect_flash(&state, paths::ME, &Msg::new("flash.password_changed"))),
        Err(errors) => {
            let view = PasswordPage {
                ctx: page.title("me.password").crumb("me.title", paths::ME).crumb("me.settings", paths::ME_SETTINGS),
                errors,
                min_len: state.settings.security.password_min_length,
            };
            render_refused(&view)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LanguageForm {
    lang: String,
    next: String,
}

async fn set_language(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Form(form): Form<LanguageForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang).ok_or_else(|| AppError::BadRequest(Msg::new("error.bad_request")))?;
    service::set_language(&state, &ctx.who(), actor.user_id, lang).await?;
    let mut resp = redirect(&safe_next(Some(&form.next), paths::ME));
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookies::plain(cookies::LANG, lang.code(), 365 * 24 * 3600, state.settings.server.secure_cookies()),
    );
    Ok(resp)
}

async fn tokens_page(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let tokens = tokens::list_for_user(&mut conn, actor.user_id).await?;
    let view = TokensPage {
        ctx: page.title("me.tokens").crumb("me.title", paths::ME).crumb("me.settings", paths::ME_SETTINGS),
        tokens,
        name: String::new(),
        errors: FieldErrors::new(),
        created: None,
    };
    Ok(render(&view)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let page = page.title("me.tokens").crumb("me.title", paths::ME).crumb("me.settings", paths::ME_SETTINGS);
    let (created, errors, status) = match tokens::issue(&state, &actor, &ctx.who(), ctx.via_token, &form.name).await? {
        Ok((secret, _, _)) => (Some(secret), FieldErrors::new(), StatusCode::OK),
        Err(e) => (None, e, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let mut conn = state.db.pool().acquire().await?;
    let tokens = tokens::list_for_user(&mut conn, actor.user_id).await?;
    let name = if created.is_some() { String::new() } else { form.name };
    let view = TokensPage { ctx: page, tokens, name, errors, created };
    Ok((status, render(&view)?).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<TokenId>,
) -> AppResult<Response> {
    tokens::withdraw(&state, &actor, &ctx.who(), id).await?;
    Ok(redirect_flash(&state, paths::ME_TOKENS, &Msg::new("flash.token_revoked")))
}

/// The person's notifications, newest first.
async fn notifications(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let items = crate::notifications::recent(&mut conn, actor.user_id, 100).await?;
    let unread = crate::notifications::unread(&mut conn, actor.user_id).await?;
    Ok(render(&NotificationsPage { ctx: page.title("me.notifications").crumb("me.title", paths::ME), items, unread })?
        .into_response())
}

async fn mark_read(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    crate::notifications::mark_all_read(&mut conn, actor.user_id).await?;
    Ok(redirect(paths::ME_NOTIFICATIONS))
}
