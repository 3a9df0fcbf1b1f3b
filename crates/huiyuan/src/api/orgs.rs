//! The organisation tree through the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::dto::*;
use crate::error::{AppError, AppResult};
use crate::orgs::OrgInput;
use crate::orgs::query;
use crate::orgs::service::{self, OrgChange};
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::OrgId;
use crate::web::Staff;

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_ORGS, list)
        .post(paths::API_ORGS, create)
        .get(paths::API_ORG, show)
        .patch(paths::API_ORG, update)
}

/// The nodes the caller may see, in tree order.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", params(OrgQuery),
    responses((status = 200, body = Vec<OrgOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<OrgQuery>,
) -> AppResult<Json<Vec<OrgOut>>> {
    let mut conn = state.db.pool().acquire().await?;
    let orgs = query::list(&mut conn, &actor, &q.filters()).await?;
    Ok(Json(orgs.into_iter().map(OrgOut::from).collect()))
}

/// One node (403 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = OrgOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<OrgId>,
) -> AppResult<Json<OrgOut>> {
    Ok(Json(query::visible(&state.db, &actor, id).await?.into()))
}

/// Add a node under `parent_id` (secretariat).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = OrgCreate,
    responses((status = 201, body = OrgOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    ApiJson(body): ApiJson<OrgCreate>,
) -> AppResult<Response> {
    let input = OrgInput {
        parent_id: body.parent_id.to_string(),
        code: body.code,
        name: body.name,
        short_name: body.short_name,
        sort_order: body.sort_order.to_string(),
    };
    let org = service::create(&state, &actor, &ctx.who(), &input).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(OrgOut::from(org))).into_response())
}

/// Rename a node, change its code or order, or (de)activate it (secretariat).
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), request_body = OrgPatch,
    responses((status = 200, body = OrgOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<OrgId>,
    ApiJson(body): ApiJson<OrgPatch>,
) -> AppResult<Json<OrgOut>> {
    let change = OrgChange {
        code: body.code,
        name: body.name,
        short_name: body.short_name,
        sort_order: body.sort_order.map(|o| o.to_string()),
        active: body.active,
    };
    let updated = service::change(&state, &actor, &ctx.who(), id, &change).await?.map_err(AppError::Validation)?;
    Ok(Json(updated.into()))
}
