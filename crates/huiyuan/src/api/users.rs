//! Accounts and roles through the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::dto::*;
use crate::auth::{Actor, Grant};
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{GrantId, UserId};
use crate::users::query::{self, UserFilters};
use crate::users::service;
use crate::web::Staff;

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_USERS, list)
        .get(paths::API_USER, show)
        .post(paths::API_USER_GRANTS, grant)
        .delete(paths::API_USER_GRANT, revoke)
}

fn grant_out(g: Grant) -> GrantOut {
    GrantOut { id: g.id.0, role: g.role.as_str().into(), org_id: g.org_id.0, org_name: g.org_name }
}

/// The account with the roles the actor may see.
async fn account_out(state: &AppState, actor: &Actor, id: UserId) -> AppResult<UserOut> {
    let (user, grants) = query::with_grants(&state.db, actor, id).await?;
    Ok(UserOut::new(user, query::visible_grants(actor, grants).into_iter().map(grant_out).collect()))
}

/// Accounts within the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<UserOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<UserQuery>,
) -> AppResult<Json<Page<UserOut>>> {
    let (page, per_page) = paging(q.page, q.per_page);
    let filters: UserFilters = q.filters();
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = query::list(&mut conn, &actor, &filters, ((page - 1) * per_page, per_page)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for (r, grants) in rows {
        let grants = grants.into_iter().map(grant_out).collect();
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
    Ok(Json(account_out(&state, &actor, id).await?))
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
    let org = body.org_id.to_string();
    service::grant(&state, &actor, &ctx.who(), id, (&body.role, &org)).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(account_out(&state, &actor, id).await?)).into_response())
}

/// Take a role away.
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "users", params(("id" = i64, Path), ("grant_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, grant_id)): Path<(UserId, GrantId)>,
) -> AppResult<StatusCode> {
    service::revoke(&state, &actor, &ctx.who(), id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
