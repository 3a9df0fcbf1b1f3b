//! SQL for the mail queue / outbox.

use serde::Serialize;
use sqlx::FromRow;

use super::Outgoing;
use crate::storage::{Conn, MailId, Sql, now_ms, push_contains};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting for the worker (or for a retry).
    Queued,
    /// Accepted by the SMTP server.
    Sent,
    /// Kept in the outbox: no SMTP server is configured.
    Kept,
    /// Gave up after every retry; the last error says why.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Kept => "kept",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MailStatus> {
        [MailStatus::Queued, MailStatus::Sent, MailStatus::Kept, MailStatus::Failed]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct MailRow {
    pub id: MailId,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl MailRow {
    pub fn status(&self) -> MailStatus {
        MailStatus::parse(&self.status).unwrap_or(MailStatus::Queued)
    }
}

const COLUMNS: &str = "id, to_address, to_name, subject, body_text, body_html, status, attempts, \
                       last_error, created_at, sent_at";

pub async fn insert(conn: &mut Conn, m: &Outgoing) -> Result<MailId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO mail_message (to_address, to_name, subject, body_text, body_html, status, attempts, created_at)
         VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6) RETURNING id",
    )
    .bind(&m.to_address)
    .bind(&m.to_name)
    .bind(&m.subject)
    .bind(&m.text)
    .bind(&m.html)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(MailId(id))
}

pub async fn find(conn: &mut Conn, id: MailId) -> Result<Option<MailRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM mail_message WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Record the outcome of an attempt (`error` for a failed one) on a message that is still
/// queued — an administrator's action in between is never overwritten.
pub async fn mark(conn: &mut Conn, id: MailId, status: MailStatus, error: Option<&str>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let sent_at = matches!(status, MailStatus::Sent).then_some(now);
    sqlx::query(
        "UPDATE mail_message SET status = $1, attempts = attempts + $2, last_error = $3, sent_at = $4
         WHERE id = $5 AND status = 'queued'",
    )
    .bind(status.as_str())
    .bind(i64::from(status != MailStatus::Kept))
    .bind(error)
    .bind(sent_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Put a failed message back in the queue.
pub async fn requeue(conn: &mut Conn, id: MailId) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE mail_message SET status = 'queued' WHERE id = $1 AND status IN ('failed', 'queued')")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub struct OutboxFilter {
    pub status: Option<MailStatus>,
    pub to: String,
}

pub async fn list(
    conn: &mut Conn,
    f: &OutboxFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MailRow>, i64), sqlx::Error> {
    let filter = |sql: &mut Sql| {
        if let Some(s) = f.status {
            sql.push(" AND status = ").bind(s.as_str().to_string());
        }
        if !f.to.is_empty() {
            sql.push(" AND ");
            push_contains(sql, "to_address", &f.to.to_lowercase());
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM mail_message WHERE 1 = 1");
    filter(&mut count);
    let (total,): (i64,) = count.fetch_one(conn).await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM mail_message WHERE 1 = 1"));
    filter(&mut sql);
    sql.push(" ORDER BY id DESC").page(limit, offset);
    Ok((sql.fetch_all(conn).await?, total))
}
