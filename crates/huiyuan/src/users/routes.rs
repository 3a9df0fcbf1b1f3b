//! Back-office pages for accounts and roles (用户与角色).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::service::{self, NewAccountInput};
use super::store::{self, UserFilter};
use super::views::*;
use crate::auth::model::User;
use crate::auth::{Actor, OrgScope, Role, store as auth_store};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::orgs;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{GrantId, OrgId, UserId};
use crate::web::pagination::{PageQuery, Pager, encode_filters};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render, render_refused};

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

/// The account, if the actor may see it: staff with the whole tree see everyone; narrower
/// scopes see accounts holding a role inside them.
pub async fn visible_user(state: &AppState, actor: &Actor, id: UserId) -> AppResult<User> {
    allow(actor.can_list_users())?;
    let mut conn = state.db.pool().acquire().await?;
    let user = auth_store::find_user(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let scope = actor.org_scope();
    if scope != OrgScope::All {
        let grants = auth_store::grants_of(&mut conn, id).await?;
        allow(grants.iter().any(|g| scope.covers(&g.org_path)))?;
    }
    Ok(user)
}

fn role_choices(page: &PageCtx, actor: &Actor) -> Vec<RoleChoice> {
    Role::ALL
        .iter()
        .filter(|r| actor.can_grant(**r))
        .map(|r| RoleChoice { value: r.as_str(), label: page.t(r.label_key()) })
        .collect()
}

async fn org_choices_for(state: &AppState, actor: &Actor) -> AppResult<Vec<OrgChoice>> {
    let mut conn = state.db.pool().acquire().await?;
    let orgs = orgs::store::list(&mut conn, &actor.org_scope(), "", false).await?;
    Ok(org_choices(&orgs))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    role: String,
    org: String,
    status: String,
    #[serde(flatten)]
    page: PageQuery,
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    allow(actor.can_list_users())?;
    let filter = UserFilter {
        q: crate::text::normalize_line(&q.q),
        role: Role::parse(&q.role).map(|r| r.as_str().to_string()),
        org: q.org.parse().ok(),
        active: match q.status.as_str() {
            "active" => Some(true),
            "inactive" => Some(false),
            _ => None,
        },
    };
    let filters = encode_filters(&[("q", &filter.q), ("role", &q.role), ("org", &q.org), ("status", &q.status)]);
    let pager = Pager::new(&q.page, paths::ADMIN_USERS, filters);
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = store::list(&mut conn, &actor.org_scope(), &filter, pager.offset(), pager.limit()).await?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.id).collect();
    let mut grants = auth_store::grants_of_many(&mut conn, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|row| {
            let roles = grants
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .filter(|g| actor.can_view_org(&g.org_path))
                .map(|g| {
                    if g.role.is_province_wide() || g.role == Role::Member {
                        page.t(g.role.label_key()).to_string()
                    } else {
                        format!("{} · {}", page.t(g.role.label_key()), g.org_name)
                    }
                })
                .collect();
            UserRowView { row, roles }
        })
        .collect();
    let all_roles = Role::ALL.iter().map(|r| RoleChoice { value: r.as_str(), label: page.t(r.label_key()) }).collect();
    let orgs = org_choices_for(&state, &actor).await?;
    let view = UserListPage {
        ctx: page.title("user.list_title").crumb("menu.system", paths::ADMIN),
        rows,
        pager: pager.with_total(total),
        q: filter.q,
        role: q.role,
        org: q.org,
        status: q.status,
        roles: all_roles,
        orgs,
        can_create: actor.can_manage_users(),
    };
    Ok(render(&view)?.into_response())
}

async fn new_form(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    allow(actor.can_manage_users())?;
    let view = NewUserPage {
        roles: role_choices(&page, &actor),
        orgs: org_choices_for(&state, &actor).await?,
        ctx: page.title("user.new_title").crumb("user.list_title", paths::ADMIN_USERS),
        form: NewAccountInput { role: Role::CityAdmin.as_str().into(), ..NewAccountInput::default() },
        errors: FieldErrors::new(),
        min_len: state.settings.security.password_min_length,
    };
    Ok(render(&view)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(mut form): Form<NewAccountInput>,
) -> AppResult<Response> {
    allow(actor.can_manage_users())?;
    match service::create(&state, &actor, &ctx.who(), &form, ctx.lang).await? {
        Ok(id) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_USER, id),
            &Msg::new("flash.user_created").arg("name", &form.account.display_name),
        )),
        Err(errors) => {
            form.account.password.clear();
            form.account.password_confirm.clear();
            let view = NewUserPage {
                roles: role_choices(&page, &actor),
                orgs: org_choices_for(&state, &actor).await?,
                ctx: page.title("user.new_title").crumb("user.list_title", paths::ADMIN_USERS),
                form,
                errors,
                min_len: state.settings.security.password_min_length,
            };
            render_refused(&view)
        }
    }
}

async fn user_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    user: User,
    grant_errors: FieldErrors,
    grant_role: String,
    grant_org: String,
) -> AppResult<UserPage> {
    let mut conn = state.db.pool().acquire().await?;
    let all_grants = auth_store::grants_of(&mut conn, user.id).await?;
    let can_manage_account = actor.can_manage_account(&all_grants);
    // Roles outside the viewer's part of the tree are not theirs to see.
    let grants = all_grants
        .into_iter()
        .filter(|g| actor.can_view_org(&g.org_path))
        .map(|g| GrantRow {
            id: g.id.to_string(),
            role: page.t(g.role.label_key()),
            org: g.org_name.clone(),
            can_revoke: actor.can_grant(g.role) && actor.can_view_org(&g.org_path),
        })
        .collect();
    Ok(UserPage {
        roles: role_choices(&page, actor),
        orgs: org_choices_for(state, actor).await?,
        ctx: page.title_text(user.display_name.clone()).crumb("user.list_title", paths::ADMIN_USERS),
        is_self: user.id == actor.user_id,
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
    let user = visible_user(&state, &actor, id).await?;
    let view = user_page(&state, &actor, page, user, FieldErrors::new(), String::new(), String::new()).await?;
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
    let user = visible_user(&state, &actor, id).await?;
    allow(actor.can_manage_users())?;
    let role = Role::parse(&form.role);
    let org_id: Option<OrgId> = form.org_id.parse().ok();
    let outcome = match (role, org_id) {
        (Some(role), Some(org_id)) => {
            let mut tx = state.db.begin().await?;
            let r = service::grant(&mut tx, &actor, &ctx.who(), id, role, org_id).await?;
            if r.is_ok() {
                tx.commit().await?;
            }
            r
        }
        _ => Err(FieldErrors::single(if role.is_none() { "role" } else { "org_id" }, Msg::new("err.required"))),
    };
    match outcome {
        Ok(()) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_USER, id),
            &Msg::new("flash.role_granted").arg("name", &user.display_name),
        )),
        Err(errors) => {
            let view = user_page(&state, &actor, page, user, errors, form.role, form.org_id).await?;
            render_refused(&view)
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, grant_id)): Path<(UserId, GrantId)>,
) -> AppResult<Response> {
    let user = visible_user(&state, &actor, id).await?;
    allow(actor.can_manage_users())?;
    let mut tx = state.db.begin().await?;
    service::revoke(&mut tx, &actor, &ctx.who(), id, grant_id).await?;
    tx.commit().await?;
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
    visible_user(&state, &actor, id).await?;
    allow(actor.can_manage_users())?;
    let active = form.active == "1";
    let mut tx = state.db.begin().await?;
    let name = service::set_active(&mut tx, &actor, &ctx.who(), id, active).await?;
    tx.commit().await?;
    let key = if active { "flash.user_activated" } else { "flash.user_deactivated" };
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_USER, id), &Msg::new(key).arg("name", name)))
}

async fn send_reset(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<UserId>,
) -> AppResult<Response> {
    let user = visible_user(&state, &actor, id).await?;
    let grants = auth_store::grants_of(&mut *state.db.pool().acquire().await?, id).await?;
    allow(actor.can_manage_account(&grants))?;
    if user.email.is_none() || !user.active() {
        return Err(AppError::Conflict(Msg::new("err.no_email")));
    }
    crate::auth::service::request_reset(&state, &ctx.who(), &user.username, true).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_USER, id),
        &Msg::new("flash.reset_sent").arg("name", &user.display_name),
    ))
}
