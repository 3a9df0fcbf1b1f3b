//! Notices through the API: published ones for everybody; writing for the secretariat.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::dto::*;
use crate::error::{AppError, AppResult};
use crate::notices::model::{Notice, NoticeInput};
use crate::notices::query::{self, NoticeFilters};
use crate::notices::service;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::NoticeId;
use crate::web::{Ctx, Staff};

pub fn routes() -> Routes {
    Routes::new().get(paths::API_NOTICES, list).get(paths::API_NOTICE, show).public().post(paths::API_NOTICES, create)
}

async fn out(state: &AppState, n: Notice) -> AppResult<NoticeOut> {
    let mut conn = state.db.pool().acquire().await?;
    let files = query::files(&mut conn, n.id)
        .await?
        .into_iter()
        .map(|f| FileOut {
            url: paths::fill(paths::NOTICE_ATTACHMENT, &[&n.id, &f.id]),
            id: f.id.0,
            name: f.original_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
        })
        .collect();
    Ok(NoticeOut {
        id: n.id.0,
        pinned: n.is_pinned(),
        status: n.status.clone(),
        doc_number: n.doc_number,
        title: n.title,
        body: n.body,
        published_at: n.published_at,
        files,
    })
}

/// Published notices, pinned first, newest first.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", params(ListQuery), responses((status = 200, body = Page<NoticeOut>)))]
pub async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> AppResult<Json<Page<NoticeOut>>> {
    let (page, per_page) = paging(q.page, q.per_page);
    let filters = NoticeFilters { q: q.q, ..NoticeFilters::default() };
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = query::published(&mut conn, &filters, (page - 1) * per_page, per_page).await?;
    drop(conn);
    let mut items = Vec::with_capacity(rows.len());
    for n in rows {
        items.push(out(&state, n).await?);
    }
    Ok(Json(Page { items, total, page, per_page }))
}

/// One published notice (drafts too, for the secretariat).
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "notices", params(("id" = i64, Path)), responses((status = 200, body = NoticeOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<NoticeId>,
) -> AppResult<Json<NoticeOut>> {
    let (n, _) = query::readable(&mut *state.db.pool().acquire().await?, ctx.actor.as_ref(), id).await?;
    Ok(Json(out(&state, n).await?))
}

/// Write a notice (a draft, or published at once) — secretariat.
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NoticeCreate,
    responses((status = 201, body = NoticeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    ApiJson(body): ApiJson<NoticeCreate>,
) -> AppResult<Response> {
    let input = NoticeInput {
        doc_number: body.doc_number,
        title: body.title,
        body: body.body,
        pinned: if body.pinned { "1".into() } else { String::new() },
        intent: if body.publish { "publish".into() } else { String::new() },
    };
    let n = service::create(&state, &actor, &ctx.who(), &input).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(out(&state, n).await?)).into_response())
}
