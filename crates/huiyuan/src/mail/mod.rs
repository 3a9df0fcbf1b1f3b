//! E-mail. Every message is written to `mail_message` in the transaction of the action that
//! causes it, with a `mail.send` job; the jobs worker sends it after commit. A mail server
//! that is down therefore never fails the user's action: the job retries with back-off, the
//! message keeps its last error, and the system administrator can re-queue it.
//!
//! With no `[mail.smtp]` settings, messages are *kept* instead of sent: `/admin/outbox` shows
//! them, so password reset works on a fresh installation.

pub mod message;
pub mod routes;
mod store;
mod transport;
mod views;

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::storage::{Conn, MailId};

pub use store::{MailRow, MailStatus};
pub use transport::Mailer;

pub const JOB_SEND: &str = "mail.send";
const MAX_ATTEMPTS: i64 = 10;

/// A message ready to queue: both a plain-text and an HTML body.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queue `mail` on `conn`, inside the caller's transaction. Call `state.jobs.wake()` after
/// the commit.
pub async fn enqueue(conn: &mut Conn, mail: &Outgoing) -> Result<MailId, sqlx::Error> {
    let id = store::insert(conn, mail).await?;
    crate::jobs::enqueue(conn, JOB_SEND, json!({ "mail_id": id }), MAX_ATTEMPTS).await?;
    Ok(id)
}

/// The `mail.send` job: send one queued message, or keep it in the outbox when no SMTP
/// server is configured.
pub(crate) async fn deliver(state: &AppState, payload: &Value, last_attempt: bool) -> anyhow::Result<()> {
    let id = payload.get("mail_id").and_then(Value::as_i64).map(MailId).context("mail.send job without mail_id")?;
    let mut conn = state.db.pool().acquire().await?;
    let Some(mail) = store::find(&mut conn, id).await? else {
        anyhow::bail!("mail {id} does not exist");
    };
    if mail.status() != MailStatus::Queued {
        return Ok(()); // sent or kept already (a retried job)
    }
    let Some(mailer) = &state.mailer else {
        store::mark(&mut conn, id, MailStatus::Kept, None).await?;
        tracing::info!(mail = %id, to = %mail.to_address, "no SMTP server configured; message kept in the outbox");
        return Ok(());
    };
    drop(conn);
    let result = mailer.send(&mail, &state.settings.mail).await;
    let mut conn = state.db.pool().acquire().await?;
    match result {
        Ok(()) => {
            store::mark(&mut conn, id, MailStatus::Sent, None).await?;
            tracing::info!(mail = %id, "sent");
            Ok(())
        }
        Err(e) => {
            let status = if last_attempt { MailStatus::Failed } else { MailStatus::Queued };
            store::mark(&mut conn, id, status, Some(&format!("{e:#}"))).await?;
            Err(e)
        }
    }
}
