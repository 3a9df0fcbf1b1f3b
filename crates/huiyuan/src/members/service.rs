//! Registry actions: category and status changes (secretariat, with a reason, kept as
//! history) and the one-time reading of a full ID number. Each action is one transaction
//! with its audit entry. Certificates are in `certificates`, the cities' proposals in
//! `proposals`.

use serde_json::json;

use super::model::{STATUSES, ends_membership};
use super::query::Visible;
use super::store::{self, Field, Member};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;

const REASON_MAX: usize = 200;

pub(super) fn reason_errors(reason: &str) -> Option<FieldErrors> {
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
    settings: &crate::config::Settings,
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
            if !settings.category(to).is_some_and(|c| c.kind.fits(&member.kind)) {
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
    v: &Visible,
    change: Change,
    to: &str,
    reason: &str,
) -> AppResult<Result<(), FieldErrors>> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let member = &v.member;
    let reason = match check_change(&state.settings, member, change, to, reason) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = state.db.begin().await?;
    apply_change(&mut tx, state, who, member, change, to, &reason).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The actor reads a member's full ID number (个人信息保护法: each full view is logged):
/// the secretariat and the member's city.
pub async fn reveal_id_number(state: &AppState, actor: &Actor, who: &Who, v: &Visible) -> AppResult<()> {
    if !actor.can_reveal_member_id(v.org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let member = &v.member;
    let mut conn = state.db.pool().acquire().await?;
    audit::record(
        &mut conn,
        who,
        Entry::new("member.id_view", "member", member.id, &member.name).org_opt(member.org_id),
    )
    .await?;
    Ok(())
}
