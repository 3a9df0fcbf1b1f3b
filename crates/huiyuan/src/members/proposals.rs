//! Cities propose, the secretariat decides: a city administrator proposes a status or
//! category change for one of the city's members, with the reason; the secretariat accepts
//! (the change is applied with the city's reason, in the same transaction) or declines
//! with a note. Both sides are told in the app, each in their own language.

use serde::Deserialize;
use serde_json::json;

use super::query::Visible;
use super::service::{self, Change};
use super::store::{self, Member};
use crate::audit::{self, Entry, Who};
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notifications::Body;
use crate::paths;
use crate::state::AppState;
use crate::storage::{MemberId, UserId, now_ms};

/// What a city proposes: the field (`status` or `category`), the new value, and why.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProposalInput {
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// A city's administrator proposes a change for a member of the city; the secretariat is
/// told. Field errors when the change is not one that could be made.
pub async fn propose(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    v: &Visible,
    input: &ProposalInput,
) -> AppResult<Result<(), FieldErrors>> {
    if !actor.can_propose_member_change(v.org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let m = &v.member;
    let change = Change::parse(&input.field).ok_or(AppError::BadRequest(Msg::new("err.choice")))?;
    let reason = match service::check_change(&state.settings, m, change, &input.value, &input.reason) {
        Ok(r) => r,
        Err(errors) => return Ok(Err(errors)),
    };
    let from = match change {
        Change::Status => m.status.clone(),
        Change::Category => m.category.clone(),
    };
    let mut tx = state.db.begin().await?;
    let (pid,): (i64,) = sqlx::query_as(
        "INSERT INTO member_proposal (member_id, field, from_value, to_value, reason, proposed_by, proposed_by_name,
            status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) RETURNING id",
    )
    .bind(m.id)
    .bind(change.as_str())
    .bind(&from)
    .bind(&input.value)
    .bind(&reason)
    .bind(actor.user_id)
    .bind(&who.name)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let secretariat = crate::auth::store::holders(&mut tx, Role::Secretariat, None).await?;
    let title = Msg::new("proposal.notify_title").arg("name", &m.name).arg("number", &m.number);
    let link = paths::with_id(paths::ADMIN_MEMBER, m.id);
    crate::notifications::send(&mut tx, &secretariat, &title, Body::Text(&reason), &link).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.propose", "member", m.id, &m.name).org_opt(m.org_id).after(json!({
            "proposal": pid, "field": change.as_str(), "from": from, "to": input.value, "reason": reason,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The secretariat accepts (`action` "accept") a pending proposal — the change is made,
/// with the city's reason — or declines it ("decline"); the proposer is told. 409 when it
/// was decided already or the member changed since. Answers the member and whether the
/// proposal was accepted.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    (id, pid): (MemberId, i64),
    action: &str,
    note: &str,
) -> AppResult<(Member, bool)> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let accept = match action {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::BadRequest(Msg::new("err.choice"))),
    };
    let note = crate::text::normalize_line(note);
    let mut tx = state.db.begin().await?;
    let claimed: Option<(String, String, String, String, Option<UserId>)> = sqlx::query_as(
        "UPDATE member_proposal SET status = $1, decided_by_name = $2, decision_note = $3, decided_at = $4
         WHERE id = $5 AND member_id = $6 AND status = 'pending'
         RETURNING field, from_value, to_value, reason, proposed_by",
    )
    .bind(if accept { "accepted" } else { "declined" })
    .bind(&who.name)
    .bind(&note)
    .bind(now_ms())
    .bind(pid)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((field, from, to, reason, proposer)) = claimed else {
        return Err(AppError::Conflict(Msg::new("proposal.err_decided")));
    };
    let m = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let change = Change::parse(&field).ok_or(AppError::NotFound)?;
    if accept {
        let current = match change {
            Change::Status => &m.status,
            Change::Category => &m.category,
        };
        if *current != from {
            return Err(AppError::Conflict(Msg::new("err.member_changed")));
        }
        // The history says whose reason it is, in the association's language.
        let reason = format!("{}（{}）", reason, crate::i18n::Lang::Zh.t("proposal.by_city"));
        if let Err(e) = service::check_change(&state.settings, &m, change, &to, &reason) {
            let msg = e.iter().next().map(|(_, m)| m.clone()).unwrap_or(Msg::new("err.member_changed"));
            return Err(AppError::Conflict(msg));
        }
        service::apply_change(&mut tx, state, who, &m, change, &to, &reason).await?;
    }
    if let Some(user) = proposer {
        let key = if accept { "proposal.accepted" } else { "proposal.declined" };
        let link = paths::with_id(paths::ADMIN_MEMBER, m.id);
        let title = Msg::new(key).arg("name", &m.name);
        crate::notifications::send(&mut tx, &[user], &title, Body::Text(&note), &link).await?;
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("member.proposal_decision", "member", m.id, &m.name)
            .org_opt(m.org_id)
            .after(json!({ "proposal": pid, "accepted": accept, "note": note })),
    )
    .await?;
    tx.commit().await?;
    Ok((m, accept))
}
