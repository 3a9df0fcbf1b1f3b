//! In-app notifications (消息): a short message and a link, per person, beside the e-mail
//! that tells the same thing. Written in the transaction of the change they report, each in
//! its recipient's own language (whoever caused it, in whatever language they read).

use serde::Serialize;
use sqlx::FromRow;

use crate::i18n::{Lang, Msg};
use crate::storage::{Conn, NotificationId, Sql, UserId, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// What a notification says under its title.
pub enum Body<'a> {
    /// Messages, rendered in the recipient's language one after the other.
    Msgs(&'a [Msg]),
    /// Words a person wrote (a reason, a note): the same for every reader.
    Text(&'a str),
}

impl Body<'_> {
    fn render(&self, lang: Lang) -> String {
        match self {
            Body::Msgs(msgs) => msgs.iter().map(|m| lang.render(m)).collect(),
            Body::Text(text) => text.to_string(),
        }
    }
}

/// Tell `users` about something, each in their own language.
pub async fn send(
    conn: &mut Conn,
    users: &[UserId],
    title: &Msg,
    body: Body<'_>,
    link: &str,
) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT id, locale FROM app_user WHERE id IN ");
    sql.list(users.iter().copied());
    let locales: Vec<(UserId, String)> = sql.fetch_all(conn).await?;
    for (user, locale) in locales {
        let lang = Lang::parse(&locale).unwrap_or_default();
        notify(conn, user, &lang.render(title), &body.render(lang), link).await?;
    }
    Ok(())
}

/// Tell one person in words already in their language (the caller has read their account).
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
