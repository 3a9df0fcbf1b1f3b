//! The registry through the API: the same search, filters and scope as the list page.

use axum::Json;
use axum::extract::{Path, Query, State};

use super::dto::*;
use crate::error::{AppError, AppResult};
use crate::members::routes::{ListQuery, readable_in, scope_orgs};
use crate::members::store;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::MemberId;
use crate::web::{Staff, allow};

pub fn routes() -> Routes {
    Routes::new().get(paths::API_MEMBERS, list).get(paths::API_MEMBER, show)
}

fn out(m: store::Row) -> MemberOut {
    MemberOut {
        id: m.id.0,
        kind: m.kind,
        id_number_masked: crate::domain::mask_document(&m.id_number),
        number: m.number,
        name: m.name,
        category: m.category,
        org_id: m.org_id.map(|o| o.0),
        status: m.status,
        joined_at: m.joined_at,
        employer: m.employer,
        mobile: m.mobile,
    }
}

/// Members in the caller's scope: a city administrator only ever sees their city's.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(MemberQuery), responses((status = 200, body = MemberPage)))]
pub async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<MemberQuery>,
) -> AppResult<Json<MemberPage>> {
    allow(actor.can_view_members())?;
    let (page, per_page) = paging(q.page, q.per_page);
    let mut conn = state.db.pool().acquire().await?;
    let query = ListQuery {
        q: q.q,
        city: q.city,
        category: q.category,
        kind: q.kind,
        status: q.status,
        year: q.year,
        sort: q.sort,
        ..ListQuery::default()
    };
    let filter = query.filter(&state, scope_orgs(&mut conn, &actor).await?);
    let (rows, total) = store::list(&mut conn, &filter, (page - 1) * per_page, per_page).await?;
    Ok(Json(MemberPage {
        items: rows.into_iter().map(out).collect(),
        total: total.min(filter.count_cap()),
        total_capped: total > filter.count_cap(),
        page,
        per_page,
    }))
}

/// One member, if in the caller's scope.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = MemberOut), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<MemberId>,
) -> AppResult<Json<MemberOut>> {
    let mut conn = state.db.pool().acquire().await?;
    let m = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let scope = scope_orgs(&mut conn, &actor).await?;
    allow(readable_in(&actor, &scope, &m))?;
    Ok(Json(out(m.into())))
}
