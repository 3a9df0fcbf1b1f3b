//! Back-office pages for accounts and roles (用户与角色).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::query::{self, UserFilters};
use super::service::{self, NewAccountInput};
use super::views::*;
use crate::auth::model::User;
use crate::auth::{Actor, Grant, Role};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{GrantId, UserId};
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_USERS, list)
        .post(paths::ADMIN_USERS, create)
        .get(paths::ADMIN_USER_NEW, new_form)
        .get(paths::ADMIN_USER, show)
        .post(paths::ADMIN_USER_GRANT, grant)
        .post(paths::ADMIN_USER_REVOKE, revoke)
        .post(paths::ADMIN_USER_ACTIVATION, set_active)
        .post(paths::ADMIN_USER_RESET, send_reset)
}

fn role_choices(page: &PageCtx, actor: &Actor) -> Vec<RoleChoice> {
    Role::ALL
        .iter()
        .filter(|r| actor.can_grant(**r))
        .map(|r| RoleChoice { value: r.as_str(), label: page.t(r.label_key()) })
        .collect()
}

async fn org_choices_for(state: &AppState, actor: &Actor) -> AppResult<Vec<OrgChoice>> {
    Ok(org_choices(&query::nodes(&state.db, actor).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    #[serde(flatten)]
    filters: UserFilters,
    #[serde(flatten)]
    page: PageQuery,
}

/// A role as the list shows it: 市协会管理员 · 太原市, or 秘书处 alone for the province's.
fn role_label(page: &PageCtx, g: &Grant) -> String {
    if g.role.is_province_wide() || g.role == Role::Member {
        page.t(g.role.label_key()).to_string()
    } else {
        format!("{} · {}", page.t(g.role.label_key()), g.org_name)
    }
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let pager = Pager::new(&q.page, paths::ADMIN_USERS, q.filters.encoded());
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = query::list(&mut conn, &actor, &q.filters, (pager.offset(), pager.limit())).await?;
    drop(conn);
    let rows = rows
        .into_iter()
        .map(|(row, grants)| UserRowView { row, roles: grants.iter().map(|g| role_label(&page, g)).collect() })
        .collect();
    let all_roles = Role::ALL.iter().map(|r| RoleChoice { value: r.as_str(), label: page.t(r.label_key()) }).collect();
    let orgs = org_choices_for(&state, &actor).await?;
    let f = q.filters;
    let view = UserListPage {
        ctx: page.title("user.list_title").crumb("menu.system", paths::ADMIN),
        rows,
        pager: pager.with_total(total),
        q: f.filter().q,
        role: f.role,
        org: f.org,
        status: f.status,
        roles: all_roles,
        orgs,
        can_create: actor.can_manage_users(),
    };
    Ok(render(&view)?.into_response())
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    form: NewAccountInput,
    errors: FieldErrors,
) -> AppResult<NewUserPage> {
    if !actor.can_manage_users() {
        return Err(AppError::Forbidden);
    }
    Ok(NewUserPage {
        roles: role_choices(&page, actor),
        orgs: org_choices_for(state, actor).await?,
        ctx: page.title("user.new_title").crumb("user.list_title", paths::ADMIN_USERS),
        form,
        errors,
        min_len: state.settings.security.password_min_length,
    })
}

async fn new_form(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    let form = NewAccountInput { role: Role::CityAdmin.as_str().into(), ..NewAccountInput::default() };
    Ok(render(&new_page(&state, &actor, page, form, FieldErrors::new()).await?)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(mut form): Form<NewAccountInput>,
) -> AppResult<Response> {
    match service::create(&state, &actor, &ctx.who(), &form, ctx.lang).await? {
        Ok(id) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_USER, id),
            &Msg::new("flash.user_created").arg("name", &form.account.display_name),
        )),
        Err(errors) => {
            form.account.password.clear();
            form.account.password_confirm.clear();
            render_refused(&new_page(&state, &actor, page, form, errors).await?)
        }
    }
}

/// An account's page; `grant` re-shows a refused role form: (errors, role, org).
async fn user_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    (user, all_grants): (User, Vec<Grant>),
    (grant_errors, grant_role, grant_org): (FieldErrors, String, String),
) -> AppResult<UserPage> {
    let can_manage_account = actor.can_manage_account(&all_grants);
    // Roles outside the viewer's part of the tree are not theirs to see.
    let grants = query::visible_grants(actor, all_grants)
        .into_iter()
        .map(|g| GrantRow {
            id: g.id.to_string(),
            role: page.t(g.role.label_key()),
            org: g.org_name.clone(),
            can_revoke: actor.can_revoke(&g),
        })
        .collect();
    Ok(UserPage {
        roles: role_choices(&page, actor),
        orgs: org_choices_for(state, actor).await?,
        ctx: page.title_text(user.display_name.clone()).crumb("user.list_title", paths::ADMIN_USERS),
        is_self: actor.is_user(user.id),
        user,
        grants,
        can_manage: actor.can_manage_users(),
        can_manage_account,
        grant_errors,
        grant_role,
        grant_org,
    })
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<UserId>,
) -> AppResult<Response> {
    let account = query::with_grants(&state.db, &actor, id).await?;
    let view = user_page(&state, &actor, page, account, (FieldErrors::new(), String::new(), String::new())).await?;
    Ok(render(&view)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GrantForm {
    role: String,
    org_id: String,
}

async fn grant(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<UserId>,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    match service::grant(&state, &actor, &ctx.who(), id, (&form.role, &form.org_id)).await? {
        Ok(user) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_USER, id),
            &Msg::new("flash.role_granted").arg("name", &user.display_name),
        )),
        Err(errors) => {
            let account = query::with_grants(&state.db, &actor, id).await?;
            render_refused(&user_page(&state, &actor, page, account, (errors, form.role, form.org_id)).await?)
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, grant_id)): Path<(UserId, GrantId)>,
) -> AppResult<Response> {
    let user = service::revoke(&state, &actor, &ctx.who(), id, grant_id).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_USER, id),
        &Msg::new("flash.role_revoked").arg("name", &user.display_name),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActivationForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<UserId>,
    Form(form): Form<ActivationForm>,
) -> AppResult<Response> {
    let active = form.active == "1";
    let name = service::set_active(&state, &actor, &ctx.who(), id, active).await?;
    let key = if active { "flash.user_activated" } else { "flash.user_deactivated" };
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_USER, id), &Msg::new(key).arg("name", name)))
}

async fn send_reset(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<UserId>,
) -> AppResult<Response> {
    let user = service::send_reset(&state, &actor, &ctx.who(), id).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_USER, id),
        &Msg::new("flash.reset_sent").arg("name", &user.display_name),
    ))
}
