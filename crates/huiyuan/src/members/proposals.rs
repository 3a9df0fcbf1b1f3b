//! Cities propose, the secretariat decides: a city administrator proposes a status or
//! category change for one of the city's members, with the reason; the secretariat accepts
//! (the change is applied with the city's reason, in the same transaction) or declines
//! with a note. Both sides are notified in the app.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::service::{self, Change};
use super::store;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{Conn, MemberId, UserId, now_ms};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render_refused};

pub fn routes() -> Routes {
    Routes::new().post(paths::ADMIN_MEMBER_PROPOSALS, propose).post(paths::ADMIN_MEMBER_PROPOSAL, decide)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Proposal {
    pub id: i64,
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub proposed_by: Option<UserId>,
    pub proposed_by_name: String,
    pub status: String,
    pub decided_by_name: String,
    pub decision_note: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

pub async fn for_member(conn: &mut Conn, member: MemberId) -> Result<Vec<Proposal>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, field, from_value, to_value, reason, proposed_by, proposed_by_name, status, decided_by_name,
            decision_note, created_at, decided_at FROM member_proposal WHERE member_id = $1 ORDER BY id DESC",
    )
    .bind(member)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Debug, Deserialize, Default)]
struct ProposeForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

async fn propose(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ProposeForm>,
) -> AppResult<Response> {
    let (m, path) = super::routes::visible(&state, &actor, id).await?;
    allow(actor.can_propose_member_change(path.as_deref()))?;
    let change = Change::parse(&f.field).ok_or(AppError::BadRequest(Msg::new("err.choice")))?;
    let reason = match service::check_change(&state, &m, change, &f.value, &f.reason) {
        Ok(r) => r,
        Err(errors) => {
            let attempt = super::views::Attempt { form: "propose", value: f.value, reason: f.reason, errors };
            let view = super::routes::show_page(&state, &actor, page, m, path.as_deref(), false, attempt).await?;
            return render_refused(&view);
        }
    };
    let who = ctx.who();
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
    .bind(&f.value)
    .bind(&reason)
    .bind(actor.user_id)
    .bind(&who.name)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let secretariat: Vec<(i64,)> = sqlx::query_as("SELECT DISTINCT user_id FROM role_grant WHERE role = 'secretariat'")
        .fetch_all(&mut *tx)
        .await?;
    let title = page.msg(&Msg::new("proposal.notify_title").arg("name", &m.name).arg("number", &m.number));
    let link = paths::with_id(paths::ADMIN_MEMBER, m.id);
    for (user,) in secretariat {
        crate::notifications::notify(&mut tx, UserId(user), &title, &reason, &link).await?;
    }
    audit::record(
        &mut tx,
        &who,
        Entry::new("member.propose", "member", m.id, &m.name).org_opt(m.org_id).after(json!({
            "proposal": pid, "field": change.as_str(), "from": from, "to": f.value, "reason": reason,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&state, &link, &Msg::new("flash.proposal_sent").arg("name", &m.name)))
}

#[derive(Debug, Deserialize, Default)]
struct DecideForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, pid)): Path<(MemberId, i64)>,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    allow(actor.can_manage_members())?;
    let accept = match f.action.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::BadRequest(Msg::new("err.choice"))),
    };
    let who = ctx.who();
    let note = crate::text::normalize_line(&f.note);
    let mut tx = state.db.begin().await?;
    let claimed: Option<(String, String, String, String, Option<i64>)> = sqlx::query_as(
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
        let reason = format!("{}（{}）", reason, crate::i18n::Lang::Zh.t("proposal.by_city"));
        if let Err(e) = service::check_change(&state, &m, change, &to, &reason) {
            let msg = e.iter().next().map(|(_, m)| m.clone()).unwrap_or(Msg::new("err.member_changed"));
            return Err(AppError::Conflict(msg));
        }
        service::apply_change(&mut tx, &state, &who, &m, change, &to, &reason).await?;
    }
    if let Some(user) = proposer {
        let key = if accept { "proposal.accepted" } else { "proposal.declined" };
        let title = crate::i18n::Lang::Zh.render(&Msg::new(key).arg("name", &m.name));
        crate::notifications::notify(&mut tx, UserId(user), &title, &note, &paths::with_id(paths::ADMIN_MEMBER, m.id))
            .await?;
    }
    audit::record(
        &mut tx,
        &who,
        Entry::new("member.proposal_decision", "member", m.id, &m.name)
            .org_opt(m.org_id)
            .after(json!({ "proposal": pid, "accepted": accept, "note": note })),
    )
    .await?;
    tx.commit().await?;
    let key = if accept { "flash.proposal_accepted" } else { "flash.proposal_declined" };
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEMBER, id), &Msg::new(key).arg("name", &m.name)))
}
