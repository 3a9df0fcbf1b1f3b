//! The development dashboards (发展情况): the province's table of every city for a year, a
//! city's own page, and the year as a workbook or a PDF summary.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::YearQuery;
use crate::error::AppResult;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::OrgId;
use crate::targets::views::dashboard::{city_page, province_page};
use crate::targets::{documents, query};
use crate::web::{PageCtx, Staff, download, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_PROGRESS, province)
        .get(paths::ADMIN_PROGRESS_CITY, city)
        .get(paths::ADMIN_PROGRESS_XLSX, |st, staff, q| year_file(st, staff, q, false))
        .get(paths::ADMIN_PROGRESS_PDF, |st, staff, q| year_file(st, staff, q, true))
}

/// The province's dashboard; a city's administrator is taken to their city's.
async fn province(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let year = match query::progress_start(&mut conn, &state.settings, &actor, (&q.year, &q.city)).await? {
        query::Start::City(year, org) => {
            return Ok(Redirect::to(&paths::fill(paths::ADMIN_PROGRESS_CITY, &[&year, &org.0])).into_response());
        }
        query::Start::Province(year) => year,
    };
    let figures = query::year_figures(&mut conn, &state.settings, &actor, year).await?;
    drop(conn);
    Ok(render(&province_page(page, query::years(&state.settings), figures))?.into_response())
}

async fn city(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let d = query::city_dashboard(&mut conn, &state.settings, &actor, (year, OrgId(org))).await?;
    drop(conn);
    let years = query::years(&state.settings);
    Ok(render(&city_page(page, (year, years), d, actor.sees_everything()))?.into_response())
}

/// The year's workbook (.xlsx) or summary (PDF), of the cities the actor sees.
async fn year_file(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<YearQuery>,
    pdf: bool,
) -> AppResult<Response> {
    let year = query::year_of(&state.settings, &q.year)?;
    let doc = documents::year(&state, &actor, year, pdf).await?;
    Ok(download(doc.bytes, doc.content_type, doc.disposition, &doc.name, "private, no-store"))
}
