//! The worker loop: claim, run, record. Also runs housekeeping every few minutes.

use std::time::Duration;

use serde_json::Value;
use sqlx::FromRow;
use tokio::sync::watch;

use super::backoff_ms;
use crate::auth;
use crate::state::AppState;
use crate::storage::{JobId, now_ms};

/// How long a claim lasts before another worker may take the job over.
const CLAIM_MS: i64 = 5 * 60 * 1000;
const POLL: Duration = Duration::from_secs(2);
const HOUSEKEEPING_EVERY_MS: i64 = 10 * 60 * 1000;

#[derive(FromRow)]
struct Claimed {
    id: JobId,
    kind: String,
    payload: String,
    attempts: i64,
    max_attempts: i64,
}

/// Run the worker until `shutdown` turns true.
pub fn spawn_worker(state: AppState, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let worker_id =
            format!("{}-{}", std::process::id(), crate::auth::secrets::random_token().get(..6).unwrap_or(""));
        let mut last_housekeeping = 0_i64;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match run_pending_as(&state, &worker_id).await {
                Ok(_) => {}
                Err(e) => tracing::warn!("job worker: {e:#}"),
            }
            if now_ms() - last_housekeeping > HOUSEKEEPING_EVERY_MS {
                last_housekeeping = now_ms();
                if let Err(e) = housekeeping(&state).await {
                    tracing::warn!("housekeeping: {e:#}");
                }
            }
            tokio::select! {
                _ = state.jobs.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => {}
            }
        }
    })
}

/// Run every job that is due now; returns how many ran. (Tests and the CLI call this too.)
pub async fn run_pending(state: &AppState) -> anyhow::Result<usize> {
    run_pending_as(state, "inline").await
}

async fn run_pending_as(state: &AppState, worker_id: &str) -> anyhow::Result<usize> {
    let mut ran = 0;
    while let Some(job) = claim(state, worker_id).await? {
        ran += 1;
        let payload: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
        let last_attempt = job.attempts >= job.max_attempts;
        let outcome = run_one(state, &job.kind, &payload, last_attempt).await;
        let now = now_ms();
        let mut conn = state.db.pool().acquire().await?;
        match outcome {
            Ok(()) => {
                sqlx::query("UPDATE job SET status = 'done', finished_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2")
                    .bind(now)
                    .bind(job.id)
                    .execute(&mut *conn)
                    .await?;
            }
            Err(e) if last_attempt => {
                tracing::error!(job = %job.id, kind = %job.kind, "job failed for good: {e:#}");
                sqlx::query("UPDATE job SET status = 'failed', finished_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
                    .bind(now)
                    .bind(format!("{e:#}"))
                    .bind(job.id)
                    .execute(&mut *conn)
                    .await?;
            }
            Err(e) => {
                if job.kind == crate::webhooks::JOB {
                    // A receiver that is down is the subscriber's business, kept on the
                    // webhook's page; not a warning of ours.
                    tracing::info!(job = %job.id, attempt = job.attempts, "webhook delivery will be retried: {e:#}");
                } else {
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, "job failed, will retry: {e:#}");
                }
                sqlx::query("UPDATE job SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
                    .bind(now + backoff_ms(job.attempts))
                    .bind(format!("{e:#}"))
                    .bind(job.id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(ran)
}

async fn claim(state: &AppState, worker_id: &str) -> anyhow::Result<Option<Claimed>> {
    let now = now_ms();
    let claimed = sqlx::query_as(
        "UPDATE job SET locked_until = $1, locked_by = $2, attempts = attempts + 1
         WHERE id = (SELECT id FROM job WHERE status = 'queued' AND run_at <= $3
                       AND (locked_until IS NULL OR locked_until < $3)
                     ORDER BY run_at, id LIMIT 1)
           AND status = 'queued' AND (locked_until IS NULL OR locked_until < $3)
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(now + CLAIM_MS)
    .bind(worker_id)
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?;
    Ok(claimed)
}

async fn run_one(state: &AppState, kind: &str, payload: &Value, last_attempt: bool) -> anyhow::Result<()> {
    match kind {
        crate::mail::JOB_SEND => crate::mail::delivery::deliver(state, payload, last_attempt).await,
        crate::members::cert_batch::JOB => crate::members::cert_batch::run(state, payload).await,
        crate::members::bulk::JOB_TERMS => crate::members::bulk::run_index_job(state, payload).await,
        crate::webhooks::JOB => crate::webhooks::delivery::deliver(state, payload).await,
        other => anyhow::bail!("unknown job kind {other:?}"),
    }
}

async fn housekeeping(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.db.pool().acquire().await?;
    let sessions = auth::session::purge_expired(&mut conn).await?;
    let window = state.settings.security.login_window_minutes * 60 * 1000;
    let attempts = auth::store::purge_attempts(&mut conn, now_ms() - 2 * window).await?;
    drop(conn);
    let keys = crate::storage::idempotency::purge(&state.db).await?;
    // A new year's targets, once it comes within range.
    let targets = crate::targets::service::ensure_next_year(&state.db, &state.settings).await?;
    let reminders = crate::members::census::service::send_reminders(state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let report_reminders =
        crate::targets::reminders::send_reminders(state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::debug!(sessions, attempts, keys, targets, reminders, report_reminders, "housekeeping done");
    Ok(())
}
