//! Background jobs (e-mail now; PDFs in bulk and reminders later), processed beside the
//! server by every huiyuan process.
//!
//! A job is a row in `job`, inserted in the same transaction as the action that needs it, so
//! it exists exactly when the action committed. Workers claim a job by setting `locked_until`
//! (a crashed worker's claim simply expires), run it, and mark it done — or schedule a retry
//! with exponential back-off, and after `max_attempts` mark it failed with the last error.
//! Nothing is dropped: a failed job stays visible with its error.

pub mod worker;

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Notify;

use crate::storage::{Conn, JobId, now_ms};

/// Wakes the worker after a commit that queued a job, so mail goes out within milliseconds
/// instead of at the next poll.
#[derive(Clone, Default)]
pub struct JobsHandle {
    notify: Arc<Notify>,
}

impl JobsHandle {
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    pub(crate) fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

/// Queue a job on `conn` (call it inside the transaction of the action that needs it).
pub async fn enqueue(conn: &mut Conn, kind: &str, payload: Value, max_attempts: i64) -> Result<JobId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO job (kind, payload, status, attempts, max_attempts, run_at, created_at)
         VALUES ($1, $2, 'queued', 0, $3, $4, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload.to_string())
    .bind(max_attempts)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(JobId(id))
}

/// Delay before attempt `attempt + 1`: 30 s, 1 min, 2 min, … capped at one hour.
pub fn backoff_ms(attempt: i64) -> i64 {
    let exp = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    (30_000_i64 * 2_i64.pow(exp)).min(3_600_000)
}

/// Make queued jobs of `kind` with exactly this payload due now (retry without waiting).
pub async fn run_now(conn: &mut Conn, kind: &str, payload: &Value) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE job SET run_at = $1 WHERE kind = $2 AND payload = $3 AND status = 'queued'")
        .bind(now_ms())
        .bind(kind)
        .bind(payload.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn back_off_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(4), 240_000);
        assert_eq!(backoff_ms(20), 3_600_000);
    }
}
