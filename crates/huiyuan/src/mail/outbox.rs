//! The outbox (发件箱), for the system administrator: every message huiyuan has written with
//! its status and last error, and sending a message again once the mail server is fixed.

use serde_json::json;

use super::store::{self, MailRow, MailStatus, OutboxFilter};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{Conn, MailId};

fn allowed(actor: &Actor) -> AppResult<()> {
    if actor.can_read_outbox() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A page of the outbox, newest first, and how many messages match.
pub async fn list(
    conn: &mut Conn,
    actor: &Actor,
    filter: &OutboxFilter,
    (offset, limit): (i64, i64),
) -> AppResult<(Vec<MailRow>, i64)> {
    allowed(actor)?;
    Ok(store::list(conn, filter, offset, limit).await?)
}

/// One message.
pub async fn message(conn: &mut Conn, actor: &Actor, id: MailId) -> AppResult<MailRow> {
    allowed(actor)?;
    store::find(conn, id).await?.ok_or(AppError::NotFound)
}

/// Whether a message can be sent again: it failed, or it waits for a retry.
pub fn retryable(row: &MailRow) -> bool {
    row.status() == MailStatus::Failed || (row.status() == MailStatus::Queued && row.attempts > 0)
}

/// Queue a failed message again (after the mail server is fixed), or bring a waiting retry
/// forward; 409 for a message that was sent or kept.
pub async fn retry(state: &AppState, actor: &Actor, who: &Who, id: MailId) -> AppResult<()> {
    allowed(actor)?;
    let mut tx = state.db.begin().await?;
    let row = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    match row.status() {
        // Gave up: queue it again with a fresh job.
        MailStatus::Failed => {
            store::requeue(&mut tx, id).await?;
            crate::jobs::enqueue(&mut tx, super::JOB_SEND, json!({ "mail_id": id }), 10).await?;
        }
        // Waiting for a retry: bring the waiting job forward (never a second job).
        MailStatus::Queued => {
            crate::jobs::run_now(&mut tx, super::JOB_SEND, &json!({ "mail_id": id })).await?;
        }
        MailStatus::Sent | MailStatus::Kept => return Err(AppError::Conflict(Msg::new("err.mail_not_failed"))),
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("mail.retry", "mail", id, &row.subject)
            .before(json!({ "status": row.status, "attempts": row.attempts, "last_error": row.last_error })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(())
}
