//! The duplicate finder and the merge tool.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::duplicates::{self, Group};
use super::store::Member;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::MemberId;
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_DUPLICATES, page)
        .post(paths::ADMIN_DUPLICATES_SCAN, scan)
        .post(paths::ADMIN_MEMBERS_MERGE, merge)
}

/// A group as shown: (group, reason label, its members with their city, the oldest first).
type GroupView = (Group, &'static str, Vec<(Member, String, &'static str)>);

#[derive(Template)]
#[template(path = "members/duplicates.html")]
struct DuplicatesPage {
    ctx: PageCtx,
    groups: Vec<GroupView>,
    pager: Pager,
    may_scan: bool,
    found_at: Option<i64>,
    error: Option<(i64, String)>,
}

fn reason_key(reason: &str) -> &'static str {
    match reason {
        "mobile" => "dup.why_mobile",
        "birth_date" => "dup.why_birth",
        _ => "dup.why_employer",
    }
}

async fn view(
    state: &AppState,
    actor: &crate::auth::Actor,
    page: PageCtx,
    q: &PageQuery,
    error: Option<(i64, String)>,
) -> AppResult<DuplicatesPage> {
    allow(actor.can_view_members())?;
    let pager = Pager::new(q, paths::ADMIN_DUPLICATES, String::new());
    let mut conn = state.db.pool().acquire().await?;
    let scope = super::routes::scope_orgs(&mut conn, actor).await?;
    let (found, total) = duplicates::groups(&mut conn, &scope, pager.offset(), pager.limit()).await?;
    let orgs = super::routes::OrgLabels::read(&mut conn, page.t("member.direct")).await?;
    let scanned: Option<(String,)> = sqlx::query_as("SELECT value FROM instance WHERE key = 'duplicates_scanned_at'")
        .fetch_optional(&mut *conn)
        .await?;
    let found_at = scanned.and_then(|(v,)| v.parse::<i64>().ok());
    drop(conn);
    let groups = found
        .into_iter()
        .map(|(g, members)| {
            let members = members
                .into_iter()
                .map(|m| {
                    let city = orgs.place(m.org_id);
                    let status = page.t(super::service::status_label_key(&m.status));
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
    allow(actor.can_scan_duplicates())?;
    let found = duplicates::scan(&state, &ctx.who()).await?;
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
