//! The duplicate finder and the merge tool.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::AppResult;
use crate::i18n::Msg;
use crate::members::duplicates;
use crate::members::model::status_label_key;
use crate::members::query::OrgLabels;
use crate::members::views::tools::{DuplicatesPage, reason_key};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::MemberId;
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, redirect_flash, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_DUPLICATES, page)
        .post(paths::ADMIN_DUPLICATES_SCAN, scan)
        .post(paths::ADMIN_MEMBERS_MERGE, merge)
}

async fn view(
    state: &AppState,
    actor: &crate::auth::Actor,
    page: PageCtx,
    q: &PageQuery,
    error: Option<(i64, String)>,
) -> AppResult<DuplicatesPage> {
    let pager = Pager::new(q, paths::ADMIN_DUPLICATES, String::new());
    let mut conn = state.db.pool().acquire().await?;
    let (found, total) = duplicates::groups(&mut conn, actor, pager.offset(), pager.limit()).await?;
    let orgs = OrgLabels::read(&mut conn, &state.org_names, page.t("member.direct")).await?;
    let found_at = duplicates::scanned_at(&mut conn).await?;
    drop(conn);
    let groups = found
        .into_iter()
        .map(|(g, members)| {
            let members = members
                .into_iter()
                .map(|m| {
                    let city = orgs.place(m.org_id);
                    let status = page.t(status_label_key(&m.status));
                    (m, city, status)
                })
                .collect();
            let reason = reason_key(&g.reason);
            (g, reason, members)
        })
        .collect();
    Ok(DuplicatesPage {
        may_scan: actor.can_scan_duplicates(),
        ctx: page.title("dup.title").crumb("menu.registry", paths::ADMIN_MEMBERS),
        groups,
        pager: pager.with_total(total),
        found_at,
        error,
    })
}

async fn page(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    Ok(render(&view(&state, &actor, page, &q, None).await?)?.into_response())
}

async fn scan(State(state): State<AppState>, Staff(actor, ctx): Staff) -> AppResult<Response> {
    let found = duplicates::scan(&state, &actor, &ctx.who()).await?;
    Ok(redirect_flash(&state, paths::ADMIN_DUPLICATES, &Msg::new("flash.duplicates_found").arg("name", found.groups)))
}

#[derive(Debug, Deserialize)]
struct MergeForm {
    a: MemberId,
    b: MemberId,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    group: i64,
}

async fn merge(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(f): Form<MergeForm>,
) -> AppResult<Response> {
    match duplicates::merge(&state, &actor, &ctx.who(), f.a, f.b, &f.reason).await? {
        Ok(kept) => {
            Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEMBER, kept), &Msg::new("flash.members_merged")))
        }
        Err(errors) => {
            let msg = errors.get("reason").map(|m| page.msg(m)).unwrap_or_default();
            let view = view(&state, &actor, page, &PageQuery::default(), Some((f.group, msg))).await?;
            crate::web::render_refused(&view)
        }
    }
}
