//! The registry through the API: the same search, filters and scope as the list page,
//! through the same query.

use axum::Json;
use axum::extract::{Path, Query, State};

use super::dto::*;
use crate::error::AppResult;
use crate::members::{query, store};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::MemberId;
use crate::web::Staff;

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
    let (page, per_page) = paging(q.page, q.per_page);
    let filters = q.filters();
    let mut conn = state.db.pool().acquire().await?;
    let listed = query::list(&mut conn, &state.settings, &actor, &filters, (page - 1) * per_page, per_page).await?;
    let (total, total_capped) = listed.capped_total();
    Ok(Json(MemberPage { items: listed.rows.into_iter().map(out).collect(), total, total_capped, page, per_page }))
}

/// One member, if in the caller's scope.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = MemberOut), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<MemberId>,
) -> AppResult<Json<MemberOut>> {
    let v = query::visible(&state.db, &actor, id).await?;
    Ok(Json(out(v.member.into())))
}
