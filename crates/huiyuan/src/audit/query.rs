//! Reads of the audit log, for those who may read it: a page of entries with the list's
//! filters (the page and the API alike), one entry, and how an action and a kind of object
//! are labelled.

use serde::Deserialize;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

use super::ACTIONS;
use super::store::{self, AuditFilter, AuditRow};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::paths::encode_filters;
use crate::storage::{AuditId, Conn};

/// The label of an action in `lang` ("org.create" → 新增机构).
pub fn action_label(lang: Lang, action: &str) -> String {
    let key = format!("audit.action.{action}");
    match ACTIONS.contains(&action) {
        true => lang.t(&key).to_string(),
        false => action.to_string(),
    }
}

/// The audit log's filters, as the page's query string and the API's parameters carry them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilters {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub target_type: String,
    pub target_id: String,
    pub from: String,
    pub until: String,
}

impl AuditFilters {
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

    /// The filters as a query string (empty ones left out).
    pub fn encoded(&self) -> String {
        encode_filters(&[
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("target_type", &self.target_type),
            ("target_id", &self.target_id),
            ("from", &self.from),
            ("until", &self.until),
        ])
    }
}

/// A page of the log and its total; `date_error` holds what was wrong with a date (which is
/// left out of the filter).
pub struct Listed {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    pub date_error: Option<FieldErrors>,
}

/// A page of the log, newest first, for those who may read it.
pub async fn list(
    conn: &mut Conn,
    actor: &Actor,
    filters: &AuditFilters,
    offset_hours: i8,
    (offset, limit): (i64, i64),
) -> AppResult<Listed> {
    if !actor.can_read_audit() {
        return Err(AppError::Forbidden);
    }
    let (filter, bad_date) = filters.filter(offset_hours);
    let date_error = bad_date.then(|| FieldErrors::single("from", Msg::new("err.date")));
    let (rows, total) = store::list(conn, &filter, offset, limit).await?;
    Ok(Listed { rows, total, date_error })
}

/// One entry, for those who may read the log.
pub async fn entry(conn: &mut Conn, actor: &Actor, id: AuditId) -> AppResult<AuditRow> {
    if !actor.can_read_audit() {
        return Err(AppError::Forbidden);
    }
    store::find(conn, id).await?.ok_or(AppError::NotFound)
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
