//! Accounts and roles through the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::dto::*;
use crate::auth::{Actor, Grant, Role, store as auth_store};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{GrantId, OrgId, UserId};
use crate::users::routes::visible_user;
use crate::users::{
    service,
    store::{self, UserFilter},
};
use crate::web::{Staff, allow};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_USERS, list)
        .get(paths::API_USER, show)
        .post(paths::API_USER_GRANTS, grant)
        .delete(paths::API_USER_GRANT, revoke)
}

/// The grants the actor may see (those within their part of the tree).
fn visible_grants(actor: &Actor, grants: Vec<Grant>) -> Vec<GrantOut> {
    grants
        .into_iter()
        .filter(|g| actor.can_view_org(&g.org_path))
        .map(|g| GrantOut { id: g.id.0, role: g.role.as_str().into(), org_id: g.org_id.0, org_name: g.org_name })
        .collect()
}

async fn grants_out(state: &AppState, actor: &Actor, id: UserId) -> AppResult<Vec<GrantOut>> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(visible_grants(actor, auth_store::grants_of(&mut conn, id).await?))
}

/// Accounts within the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<UserOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<UserQuery>,
) -> AppResult<Json<Page<UserOut>>> {
    allow(actor.can_list_users())?;
    let filter = UserFilter {
        q: crate::text::normalize_line(&q.q),
        role: Role::parse(&q.role).map(|r| r.as_str().to_string()),
        org: q.org.map(OrgId),
        active: match q.status.as_str() {
            "active" => Some(true),
            "inactive" => Some(false),
            _ => None,
        },
    };
    let (page, per_page) = paging(q.page, q.per_page);
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = store::list(&mut conn, &actor.org_scope(), &filter, (page - 1) * per_page, per_page).await?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.id).collect();
    let mut all_grants = auth_store::grants_of_many(&mut conn, &ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let grants = visible_grants(&actor, all_grants.remove(&r.id).unwrap_or_default());
        items.push(UserOut {
            id: r.id.0,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            mobile: r.mobile,
            active: r.is_active.0,
            last_sign_in_at: r.last_sign_in_at,
            grants,
        });
    }
    Ok(Json(Page { items, total, page, per_page }))
}

/// One account with its roles.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<UserId>,
) -> AppResult<Json<UserOut>> {
    let user = visible_user(&state, &actor, id).await?;
    let grants = grants_out(&state, &actor, id).await?;
    Ok(Json(UserOut::new(user, grants)))
}

/// Give the account a role over an org node.
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "users", params(("id" = i64, Path)), request_body = GrantCreate,
    responses((status = 201, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn grant(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<UserId>,
    ApiJson(body): ApiJson<GrantCreate>,
) -> AppResult<Response> {
    visible_user(&state, &actor, id).await?;
    allow(actor.can_manage_users())?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| AppError::Validation(FieldErrors::single("role", Msg::new("err.role_unknown"))))?;
    let mut tx = state.db.begin().await?;
    service::grant(&mut tx, &actor, &ctx.who(), id, role, OrgId(body.org_id)).await?.map_err(AppError::Validation)?;
    tx.commit().await?;
    let user = visible_user(&state, &actor, id).await?;
    let grants = grants_out(&state, &actor, id).await?;
    Ok((StatusCode::CREATED, Json(UserOut::new(user, grants))).into_response())
}

/// Take a role away.
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "users", params(("id" = i64, Path), ("grant_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, grant_id)): Path<(UserId, GrantId)>,
) -> AppResult<StatusCode> {
    visible_user(&state, &actor, id).await?;
    allow(actor.can_manage_users())?;
    let mut tx = state.db.begin().await?;
    service::revoke(&mut tx, &actor, &ctx.who(), id, grant_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
