//! Registry actions: category and status changes (secretariat, with a reason, kept as
//! history), certificates (issue on first need, reissue revoking the old serial), and the
//! one-time reading of a full ID number. Each action is one transaction with its audit entry.

use serde_json::json;
use time::Date;

use super::store::{self, Certificate, Field, Member};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::MemberId;

/// A member's statuses (会籍状态).
pub const STATUSES: [&str; 6] = ["active", "suspended", "lapsed", "withdrawn", "expelled", "deceased"];

/// Statuses that end a membership period (and the certificate's validity).
pub fn ends_membership(status: &str) -> bool {
    matches!(status, "lapsed" | "withdrawn" | "expelled" | "deceased")
}

pub fn status_label_key(status: &str) -> &'static str {
    match status {
        "active" => "member.s_active",
        "suspended" => "member.s_suspended",
        "lapsed" => "member.s_lapsed",
        "withdrawn" => "member.s_withdrawn",
        "expelled" => "member.s_expelled",
        "deceased" => "member.s_deceased",
        _ => "member.s_unknown",
    }
}

pub fn status_tag(status: &str) -> &'static str {
    match status {
        "active" => "tag-green",
        "suspended" => "tag-orange",
        "expelled" => "tag-red",
        _ => "tag-grey",
    }
}

/// Why a member in this status gets no certificate.
pub fn certificate_refusal(status: &str) -> Msg {
    Msg::new(match status {
        "suspended" => "err.certificate_suspended",
        "lapsed" => "err.certificate_lapsed",
        "withdrawn" => "err.certificate_withdrawn",
        "expelled" => "err.certificate_expelled",
        _ => "err.certificate_deceased",
    })
}

const REASON_MAX: usize = 200;

fn reason_errors(reason: &str) -> Option<FieldErrors> {
    if reason.is_empty() {
        return Some(FieldErrors::single("reason", Msg::new("err.reason_required")));
    }
    if reason.chars().count() > REASON_MAX {
        return Some(FieldErrors::single("reason", Msg::new("err.too_long").arg("max", REASON_MAX)));
    }
    None
}

/// Which change: the member's status or category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Status,
    Category,
}

impl Change {
    pub fn parse(s: &str) -> Option<Change> {
        match s {
            "status" => Some(Change::Status),
            "category" => Some(Change::Category),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Change::Status => "status",
            Change::Category => "category",
        }
    }
}

/// Is this change allowed for this member (a real change, to a value that exists and fits,
/// with a reason)? The cleaned reason when it is.
pub fn check_change(
    state: &AppState,
    member: &Member,
    change: Change,
    to: &str,
    reason: &str,
) -> Result<String, FieldErrors> {
    let reason = crate::text::normalize_line(reason);
    match change {
        Change::Status => {
            if !STATUSES.contains(&to) || to == member.status {
                return Err(FieldErrors::single("status", Msg::new("err.status_unchanged")));
            }
            if member.status == "deceased" {
                return Err(FieldErrors::single("status", Msg::new("err.member_deceased")));
            }
        }
        Change::Category => {
            if !state.settings.category(to).is_some_and(|c| c.kind.fits(&member.kind)) {
                return Err(FieldErrors::single("category", Msg::new("err.category_unfit")));
            }
            if to == member.category {
                return Err(FieldErrors::single("category", Msg::new("err.category_unchanged")));
            }
        }
    }
    match reason_errors(&reason) {
        Some(e) => Err(e),
        None => Ok(reason),
    }
}

/// Apply a checked change inside the caller's transaction: the field (only if it is still
/// what the member page showed), the membership period and certificates for status changes,
/// the history event and the audit record. The number never changes.
pub async fn apply_change(
    tx: &mut crate::storage::Conn,
    state: &AppState,
    who: &Who,
    member: &Member,
    change: Change,
    to: &str,
    reason: &str,
) -> AppResult<()> {
    let (field, from, action) = match change {
        Change::Status => (Field::Status, member.status.as_str(), "member.status"),
        Change::Category => (Field::Category, member.category.as_str(), "member.category"),
    };
    if !store::set_field(tx, member.id, field, from, to).await? {
        return Err(AppError::Conflict(Msg::new("err.member_changed")));
    }
    if change == Change::Status {
        let today = state.settings.locale.today().to_string();
        if ends_membership(to) {
            store::end_period(tx, member.id, &today, to).await?;
            store::revoke_certificates(tx, member.id, reason).await?;
        } else if to == "active" {
            store::start_period(tx, member.id, &today).await?;
        }
    }
    let by = who.user_id.map(|u| (u, who.name.as_str()));
    store::event(tx, member.id, change.as_str(), from, to, reason, by).await?;
    audit::record(
        tx,
        who,
        Entry::new(action, "member", member.id, &member.name)
            .org_opt(member.org_id)
            .before(json!({ change.as_str(): from }))
            .after(json!({ change.as_str(): to, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// The secretariat changes a member's status or category, with a reason, at once. Ending
/// statuses close the membership period and revoke the certificate; returning to active
/// opens a new period; a deceased member's status no longer changes.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    member: &Member,
    change: Change,
    to: &str,
    reason: &str,
) -> AppResult<Result<(), FieldErrors>> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let reason = match check_change(state, member, change, to, reason) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = state.db.begin().await?;
    apply_change(&mut tx, state, who, member, change, to, &reason).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The last day of validity of a certificate issued `on`.
pub fn valid_until(on: Date, years: i32) -> Date {
    let year = on.year() + years.max(1);
    let end = Date::from_calendar_date(year, on.month(), on.day())
        .or_else(|_| Date::from_calendar_date(year, on.month(), 28))
        .unwrap_or(on);
    end.previous_day().unwrap_or(end)
}

/// The member's valid certificate, issued now when there is none. Refused (with the reason)
/// for a member who is not active.
pub async fn current_certificate(
    state: &AppState,
    by: Option<crate::storage::UserId>,
    who: &Who,
    member: &Member,
) -> AppResult<Certificate> {
    if member.status != "active" {
        return Err(AppError::Conflict(certificate_refusal(&member.status)));
    }
    let mut conn = state.db.pool().acquire().await?;
    let today = state.settings.locale.today().to_string();
    if let Some(c) = store::certificates(&mut conn, member.id).await?.into_iter().find(|c| c.valid_on(&today)) {
        return Ok(c);
    }
    drop(conn);
    issue(state, by, who, member.id, None).await
}

/// Reissue (补办): revoke the valid certificate with the reason, issue a new serial.
pub async fn reissue(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    member: &Member,
    reason: &str,
) -> AppResult<Result<Certificate, FieldErrors>> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let reason = crate::text::normalize_line(reason);
    if let Some(e) = reason_errors(&reason) {
        return Ok(Err(e));
    }
    if member.status != "active" {
        return Err(AppError::Conflict(certificate_refusal(&member.status)));
    }
    Ok(Ok(issue(state, Some(actor.user_id), who, member.id, Some(&reason)).await?))
}

/// Issue a certificate in one transaction (the member re-read under the write lock);
/// `reissue` carries the reason that revokes the old one.
async fn issue(
    state: &AppState,
    by: Option<crate::storage::UserId>,
    who: &Who,
    id: MemberId,
    reissue: Option<&str>,
) -> AppResult<Certificate> {
    let today = state.settings.locale.today();
    let until = valid_until(today, state.settings.print.certificate_years);
    let mut tx = state.db.begin().await?;
    let member = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if reissue.is_none() {
        // Someone else may have issued it meanwhile.
        let today = today.to_string();
        if let Some(c) = store::certificates(&mut tx, id).await?.into_iter().find(|c| c.valid_on(&today)) {
            return Ok(c);
        }
    }
    let revoked = store::revoke_certificates(&mut tx, id, reissue.unwrap_or("")).await?;
    let cert = store::insert_certificate(&mut tx, &member, &today.to_string(), &until.to_string(), by).await?;
    let actor = by.map(|u| (u, who.name.as_str()));
    store::event(&mut tx, id, "certificate", "", &cert.serial, reissue.unwrap_or(""), actor).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new(if reissue.is_some() { "member.reissue" } else { "member.certificate" }, "member", id, &member.name)
            .org_opt(member.org_id)
            .after(json!({ "serial": cert.serial, "valid_until": cert.valid_until, "revoked": revoked, "reason": reissue })),
    )
    .await?;
    tx.commit().await?;
    Ok(cert)
}

/// Record that `actor` read a member's full ID number (个人信息保护法: each full view is
/// logged).
pub async fn log_id_view(state: &AppState, who: &Who, member: &Member) -> AppResult<()> {
    let mut conn = state.db.pool().acquire().await?;
    audit::record(
        &mut conn,
        who,
        Entry::new("member.id_view", "member", member.id, &member.name).org_opt(member.org_id),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn certificates_are_valid_for_whole_years() {
        assert_eq!(valid_until(date!(2026 - 11 - 29), 5), date!(2031 - 11 - 28));
        assert_eq!(valid_until(date!(2028 - 02 - 29), 1), date!(2029 - 02 - 27));
        assert_eq!(valid_until(date!(2026 - 01 - 01), 0), date!(2026 - 12 - 31));
    }
}
