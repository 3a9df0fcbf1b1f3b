//! The member list (会员名册) with its search and filters, and its exports.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::AppResult;
use crate::members::export;
use crate::members::query::{self, MemberFilters, OrgLabels};
use crate::members::views::Options;
use crate::members::views::registry::{ListPage, category_options, list_rows, status_options, total_label};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, download, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_MEMBERS, list)
        .get(paths::ADMIN_MEMBERS_CSV, export_csv)
        .get(paths::ADMIN_MEMBERS_XLSX, export_xlsx)
}

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    #[serde(flatten)]
    filters: MemberFilters,
    #[serde(flatten)]
    page: PageQuery,
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let encoded = q.filters.encoded();
    let export_query = if encoded.is_empty() { String::new() } else { format!("?{encoded}") };
    let pager = Pager::new(&q.page, paths::ADMIN_MEMBERS, encoded);
    let mut conn = state.db.pool().acquire().await?;
    // Deep pages of a capped count are not offered: narrow the search instead.
    let listed = query::list(&mut conn, &state.settings, &actor, &q.filters, pager.offset(), pager.limit()).await?;
    // One read of the org tree: names for the rows, cities for the filter.
    let orgs = OrgLabels::read(&mut conn, &state.org_names, page.t("member.direct")).await?;
    let group_name = query::group_name(&mut conn, &actor, listed.filter.group).await?;
    drop(conn);
    let scope = actor.org_scope();
    let mut cities: Options = orgs.cities_in(&scope).map(|(id, n)| (id.to_string(), n.to_string())).collect();
    if actor.sees_everything() {
        cities.push(("direct".into(), page.t("member.direct").into()));
    }
    let (total, cap, searching) = (listed.total, listed.filter.count_cap(), !listed.filter.words.is_empty());
    let rows = list_rows(&state.settings, &page, &orgs, listed);
    let this_year = state.settings.locale.today().year();
    let f = q.filters;
    let marks: Options = query::MARKS.iter().map(|(v, key)| (v.to_string(), page.t(key).to_string())).collect();
    Ok(render(&ListPage {
        total_label: total_label(&page, total, cap),
        categories: category_options(&state.settings, &page, None),
        statuses: status_options(&page),
        ctx: page.title("member.list_title").crumb("menu.registry", paths::ADMIN_MEMBERS),
        rows,
        pager: pager.with_capped_total(total, cap),
        searching,
        export_query,
        may_import: actor.can_import_any_members(),
        q: f.q,
        city: f.city,
        category: f.category,
        kind: f.kind,
        status: f.status,
        year: f.year,
        sort: f.sort,
        group: f.group,
        mark: f.mark,
        marks,
        group_name,
        show_city: cities.len() > 1,
        cities,
        years: (2014..=this_year).rev().collect(),
    })?
    .into_response())
}

/// The filtered list as CSV (UTF-8 with BOM), streamed.
async fn export_csv(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(filters): Query<MemberFilters>,
) -> AppResult<Response> {
    let export = export::prepare(&state, &actor, &filters).await?;
    let name = export::file_name(&state, "csv");
    let body = export::csv(state, ctx.who(), export);
    Ok(download(body, "text/csv; charset=utf-8", "attachment", &name, "private, no-store"))
}

/// The filtered list as .xlsx.
async fn export_xlsx(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(filters): Query<MemberFilters>,
) -> AppResult<Response> {
    let export = export::prepare(&state, &actor, &filters).await?;
    let name = export::file_name(&state, "xlsx");
    let (body, _) = export::xlsx(state, ctx.who(), export).await?;
    Ok(download(body, export::XLSX_TYPE, "attachment", &name, "private, no-store"))
}
