//! Browsing the audit log (审计日志): filter by actor, action, target and date.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

use super::ACTIONS;
use super::store::{self, AuditFilter};
use super::views::*;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::AuditId;
use crate::web::pagination::{PageQuery, Pager, encode_filters};
use crate::web::{PageCtx, Staff, allow, render};

pub fn routes() -> Routes {
    Routes::new().get(paths::ADMIN_AUDIT, list).get(paths::ADMIN_AUDIT_ENTRY, show)
}

/// The label of an action in `lang` ("org.create" → 新增机构).
pub fn action_label(lang: Lang, action: &str) -> String {
    let key = format!("audit.action.{action}");
    match ACTIONS.contains(&action) {
        true => lang.t(&key).to_string(),
        false => action.to_string(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub target_type: String,
    pub target_id: String,
    pub from: String,
    pub until: String,
    #[serde(flatten)]
    pub page: PageQuery,
}

/// The label key of a kind of object in the log.
pub fn target_type_key(target_type: &str) -> &'static str {
    match target_type {
        "user" => "audit.type_user",
        "org" => "audit.type_org",
        "notice" => "audit.type_notice",
        "api_token" => "audit.type_api_token",
        "application" => "audit.type_application",
        "mail" => "audit.type_mail",
        "batch" => "audit.type_batch",
        "meeting" => "audit.type_meeting",
        "member" => "audit.type_member",
        "import" => "audit.type_import",
        "census" => "audit.type_census",
        "target" => "audit.type_target",
        "report" => "audit.type_report",
        _ => "audit.type_other",
    }
}

/// A `YYYY-MM-DD` date at the start (or end) of that local day, in milliseconds.
pub fn day_bound(s: &str, offset_hours: i8, end: bool) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?.parse().ok()?, parts.next()?.parse::<u8>().ok()?, parts.next()?.parse().ok()?);
    let date = Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?;
    let time = if end { Time::from_hms_milli(23, 59, 59, 999).ok()? } else { Time::MIDNIGHT };
    let offset = UtcOffset::from_hms(offset_hours, 0, 0).ok()?;
    let at = PrimitiveDateTime::new(date, time).assume_offset(offset);
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

impl AuditQuery {
    /// The filter, and whether a date did not parse.
    pub fn filter(&self, offset_hours: i8) -> (AuditFilter, bool) {
        let from = (!self.from.is_empty()).then(|| day_bound(&self.from, offset_hours, false));
        let until = (!self.until.is_empty()).then(|| day_bound(&self.until, offset_hours, true));
        let bad_date = matches!(from, Some(None)) || matches!(until, Some(None));
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        (
            AuditFilter {
                actor: crate::text::normalize_line(&self.actor),
                action: ACTIONS.iter().find(|a| **a == self.action).map(|a| a.to_string()),
                target_type: non_empty(&self.target_type),
                target_id: non_empty(&self.target_id),
                target: crate::text::normalize_line(&self.target),
                from: from.flatten(),
                until: until.flatten(),
            },
            bad_date,
        )
    }
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    allow(actor.can_read_audit())?;
    let (filter, date_error) = q.filter(state.settings.locale.utc_offset_hours);
    let filters = encode_filters(&[
        ("actor", &q.actor),
        ("action", &q.action),
        ("target", &q.target),
        ("target_type", &q.target_type),
        ("target_id", &q.target_id),
        ("from", &q.from),
        ("until", &q.until),
    ]);
    let pager = Pager::new(&q.page, paths::ADMIN_AUDIT, filters);
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = store::list(&mut conn, &filter, pager.offset(), pager.limit()).await?;
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
        actor: q.actor,
        action: q.action,
        target: q.target,
        from: q.from,
        until: q.until,
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
    allow(actor.can_read_audit())?;
    let mut conn = state.db.pool().acquire().await?;
    let row = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_label_in_both_languages() {
        for a in ACTIONS {
            for lang in Lang::ALL {
                assert!(crate::i18n::keys(lang).contains(&format!("audit.action.{a}")), "{a} {lang:?}");
            }
        }
    }

    #[test]
    fn day_bounds_are_local_days() {
        // 2026-03-31 00:00 Beijing time is 2026-03-30 16:00 UTC.
        assert_eq!(day_bound("2026-03-31", 8, false), Some(1_774_886_400_000));
        assert_eq!(day_bound("2026-03-31", 8, true), Some(1_774_886_400_000 + 86_400_000 - 1));
        assert_eq!(day_bound("2026-13-01", 8, false), None);
        assert_eq!(day_bound("yesterday", 8, false), None);
    }
}
