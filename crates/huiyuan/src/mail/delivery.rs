//! The `mail.send` job: one queued message to the SMTP server, or into the outbox.

use anyhow::Context as _;
use serde_json::Value;

use super::store::{self, MailStatus};
use crate::state::AppState;
use crate::storage::MailId;

/// The `mail.send` job: send one queued message, or keep it in the outbox when no SMTP
/// server is configured.
pub async fn deliver(state: &AppState, payload: &Value, last_attempt: bool) -> anyhow::Result<()> {
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
