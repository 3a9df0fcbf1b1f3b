//! E-mail. Every message is written to `mail_message` in the transaction of the action that
//! causes it, with a `mail.send` job; the jobs worker sends it after commit. A mail server
//! that is down therefore never fails the user's action: the job retries with back-off, the
//! message keeps its last error, and the system administrator can re-queue it.
//!
//! With no `[mail.smtp]` settings, messages are *kept* instead of sent: `/admin/outbox` shows
//! them, so password reset works on a fresh installation.

pub mod delivery;
pub mod message;
pub mod outbox;
pub mod routes;
mod store;
pub mod transport;
mod views;

use serde_json::json;

use crate::storage::{Conn, MailId};

pub use store::{MailRow, MailStatus};

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
