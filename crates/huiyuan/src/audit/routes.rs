//! Browsing the audit log (审计日志): filter by actor, action, target and date.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ACTIONS;
use super::query::{self, AuditFilters, action_label, target_type_key};
use super::views::*;
use crate::error::AppResult;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::AuditId;
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, render};

pub fn routes() -> Routes {
    Routes::new().get(paths::ADMIN_AUDIT, list).get(paths::ADMIN_AUDIT_ENTRY, show)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    #[serde(flatten)]
    filters: AuditFilters,
    #[serde(flatten)]
    page: PageQuery,
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let pager = Pager::new(&q.page, paths::ADMIN_AUDIT, q.filters.encoded());
    let mut conn = state.db.pool().acquire().await?;
    let offset_hours = state.settings.locale.utc_offset_hours;
    let listed = query::list(&mut conn, &actor, &q.filters, offset_hours, (pager.offset(), pager.limit())).await?;
    let (rows, total, date_error) = (listed.rows, listed.total, listed.date_error.is_some());
    let items = rows
        .into_iter()
        .map(|row| AuditItem {
            action: action_label(page.lang, &row.action),
            target_type: page.t(target_type_key(&row.target_type)),
            href: paths::with_id(paths::ADMIN_AUDIT_ENTRY, row.id),
            row,
        })
        .collect();
    let actions = ACTIONS.iter().map(|a| ActionChoice { value: a, label: action_label(page.lang, a) }).collect();
    let view = AuditListPage {
        ctx: page.title("audit.title").crumb("menu.system", paths::ADMIN),
        items,
        pager: pager.with_total(total),
        actions,
        actor: q.filters.actor,
        action: q.filters.action,
        target: q.filters.target,
        from: q.filters.from,
        until: q.filters.until,
        date_error,
    };
    Ok(render(&view)?.into_response())
}

/// Flatten a JSON summary into label/value lines.
fn lines(json: &Option<String>) -> Vec<(String, String)> {
    let Some(v) = json.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return Vec::new();
    };
    match v {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => "—".to_string(),
                        other => other.to_string(),
                    },
                )
            })
            .collect(),
        other => vec![(String::new(), other.to_string())],
    }
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<AuditId>,
) -> AppResult<Response> {
    let row = query::entry(&mut *state.db.pool().acquire().await?, &actor, id).await?;
    let target_href = match row.target_type.as_str() {
        "org" => Some(paths::fill(paths::ADMIN_ORG, &[&row.target_id])),
        "user" => Some(paths::fill(paths::ADMIN_USER, &[&row.target_id])),
        "notice" => Some(paths::fill(paths::ADMIN_NOTICE_EDIT, &[&row.target_id])),
        "application" => Some(paths::fill(paths::ADMIN_APPLICATION, &[&row.target_id])),
        _ => None,
    };
    let view = AuditEntryPage {
        action: action_label(page.lang, &row.action),
        before: lines(&row.before_json),
        after: lines(&row.after_json),
        ctx: page.title("audit.entry_title").crumb("audit.title", paths::ADMIN_AUDIT),
        target_href,
        target_type: target_type_key(&row.target_type),
        row,
    };
    Ok(render(&view)?.into_response())
}
