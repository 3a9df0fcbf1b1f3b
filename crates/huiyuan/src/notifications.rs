//! In-app notifications (消息): a short message and a link, per person, beside the e-mail
//! that tells the same thing. Written in the transaction of the change they report.

use serde::Serialize;
use sqlx::FromRow;

use crate::storage::{Conn, NotificationId, UserId, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn notify(conn: &mut Conn, user: UserId, title: &str, body: &str, link: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO notification (user_id, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user)
        .bind(title)
        .bind(body)
        .bind(link)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn recent(conn: &mut Conn, user: UserId, limit: i64) -> Result<Vec<Notification>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, title, body, link, created_at, read_at FROM notification WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

pub async fn unread(conn: &mut Conn, user: UserId) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at IS NULL")
        .bind(user)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}

/// Mark everything read (when the person has seen the list).
pub async fn mark_all_read(conn: &mut Conn, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now_ms())
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
