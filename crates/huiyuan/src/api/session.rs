//! API sign-in and sign-out, the current user, and personal tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::dto::*;
use crate::auth::service::{self, SignInRefused};
use crate::auth::{session, store, tokens};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::TokenId;
use crate::web::{Ctx, CurrentUser};

pub fn routes() -> Routes {
    Routes::new()
        .post(paths::API_SESSION, sign_in)
        .public()
        .delete(paths::API_SESSION, sign_out)
        .get(paths::API_ME, me)
        .get(paths::API_ME_HOME, home)
        .get(paths::API_TOKENS, list_tokens)
        .post(paths::API_TOKENS, create_token)
        .delete(paths::API_TOKEN, revoke_token)
}

/// Sign in with a user name, e-mail or mobile number; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignInBody,
    responses((status = 200, body = MeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<SignInBody>,
) -> AppResult<Response> {
    let old = ctx.session.as_ref().map(|s| s.id.as_str());
    match service::sign_in(&state, &ctx.who(), &ctx.user_agent, &body.login, &body.password, old).await? {
        Ok(signed_in) => {
            let mut conn = state.db.pool().acquire().await?;
            let actor = store::load_actor(&mut conn, signed_in.user_id).await?.ok_or(AppError::Unauthorized)?;
            let mut resp = Json(MeOut::new(&actor, Some(signed_in.session.csrf_token.clone()))).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(&signed_in.cookie_token, state.settings.server.secure_cookies()),
            );
            Ok(resp)
        }
        Err(SignInRefused::Invalid) => Err(AppError::BadCredentials),
        Err(SignInRefused::Deactivated) => Err(AppError::Conflict(Msg::new("auth.deactivated"))),
        Err(SignInRefused::Throttled(m)) => Err(AppError::TooManyRequests(m)),
    }
}

/// End the current session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn sign_out(State(state): State<AppState>, CurrentUser(_, ctx): CurrentUser) -> AppResult<Response> {
    if let Some(s) = &ctx.session {
        service::sign_out(&state, &ctx.who(), &s.id).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().append(header::SET_COOKIE, session::clear_cookie(state.settings.server.secure_cookies()));
    Ok(resp)
}

/// The signed-in user, their roles and scopes.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn me(CurrentUser(actor, ctx): CurrentUser) -> Json<MeOut> {
    Json(MeOut::new(&actor, ctx.session.as_ref().map(|s| s.csrf_token.clone())))
}

/// The caller's home: memberships, applications under way and what waits for them (the
/// `/me` page's twin, from the same read).
#[utoipa::path(get, path = "/api/v1/me/home", tag = "session", responses((status = 200, body = HomeOut), (status = 401, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn home(State(state): State<AppState>, CurrentUser(actor, ctx): CurrentUser) -> AppResult<Json<HomeOut>> {
    Ok(Json(crate::site::home::home(&state, &actor, ctx.lang).await?.into()))
}

/// The caller's personal API tokens (secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", responses((status = 200, body = Vec<TokenOut>), (status = 401, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
) -> AppResult<Json<Vec<TokenOut>>> {
    let mut conn = state.db.pool().acquire().await?;
    let rows = tokens::list_for_user(&mut conn, actor.user_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| TokenOut {
                id: t.id.0,
                name: t.name,
                prefix: t.token_prefix,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Create a token that acts with the caller's roles. The secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenCreate,
    responses((status = 201, body = TokenCreated), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    ApiJson(body): ApiJson<TokenCreate>,
) -> AppResult<Response> {
    let (secret, id, name) =
        tokens::issue(&state, &actor, &ctx.who(), ctx.via_token, &body.name).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(TokenCreated { id: id.0, name, token: secret })).into_response())
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<TokenId>,
) -> AppResult<StatusCode> {
    tokens::withdraw(&state, &actor, &ctx.who(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
