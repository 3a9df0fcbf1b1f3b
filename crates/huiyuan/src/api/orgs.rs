//! The organisation tree through the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::dto::*;
use crate::error::{AppError, AppResult};
use crate::orgs::routes::visible_org;
use crate::orgs::{OrgInput, service, store};
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::OrgId;
use crate::web::{Staff, allow};

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
    let orgs =
        store::list(&mut conn, &actor.org_scope(), &crate::text::normalize_line(&q.q), q.include_inactive).await?;
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
    Ok(Json(visible_org(&state, &actor, id).await?.into()))
}

/// Add a node under `parent_id` (secretariat).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = OrgCreate,
    responses((status = 201, body = OrgOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    ApiJson(body): ApiJson<OrgCreate>,
) -> AppResult<Response> {
    allow(actor.can_manage_org_tree())?;
    let input = OrgInput {
        parent_id: body.parent_id.to_string(),
        code: body.code,
        name: body.name,
        short_name: body.short_name,
        sort_order: body.sort_order.to_string(),
    };
    let mut tx = state.db.begin().await?;
    let id = service::create(&mut tx, &ctx.who(), &input).await?.map_err(AppError::Validation)?;
    let org = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
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
    allow(actor.can_manage_org_tree())?;
    let org = visible_org(&state, &actor, id).await?;
    let who = ctx.who();
    let mut tx = state.db.begin().await?;
    if body.code.is_some() || body.name.is_some() || body.short_name.is_some() || body.sort_order.is_some() {
        let input = OrgInput {
            parent_id: String::new(),
            code: body.code.unwrap_or_else(|| org.code.clone()),
            name: body.name.unwrap_or_else(|| org.name.clone()),
            short_name: body.short_name.unwrap_or_else(|| org.short_name.clone()),
            sort_order: body.sort_order.unwrap_or(org.sort_order).to_string(),
        };
        service::update(&mut tx, &who, &org, &input).await?.map_err(AppError::Validation)?;
    }
    if let Some(active) = body.active.filter(|a| *a != org.active()) {
        service::set_active(&mut tx, &who, &org, active).await?;
    }
    let updated = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(updated.into()))
}
