//! The keys of idempotent API writes (`api_idempotency`, see `web::idempotency`): how long
//! they are kept, and forgetting them after that (the worker's housekeeping).

use super::{Db, now_ms};

/// How long a key and its answer are kept.
pub const KEPT_MS: i64 = 24 * 3_600_000;

/// Forget the keys older than [`KEPT_MS`]; answers how many.
pub async fn purge(db: &Db) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
        .bind(now_ms() - KEPT_MS)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
