//! SQL for notices and their attachments.

use super::model::{Notice, NoticeFields, NoticeStatus};
use crate::files::StoredFile;
use crate::storage::{Conn, FileId, Flag, NoticeId, OrgId, Sql, UserId, now_ms, push_contains};

const COLUMNS: &str =
    "id, org_id, doc_number, title, body, status, pinned, published_at, author_id, created_at, updated_at";

pub async fn insert(
    conn: &mut Conn,
    org: OrgId,
    author: Option<UserId>,
    f: &NoticeFields,
) -> Result<NoticeId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO notice (org_id, doc_number, title, body, status, pinned, author_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7) RETURNING id",
    )
    .bind(org)
    .bind(&f.doc_number)
    .bind(&f.title)
    .bind(&f.body)
    .bind(Flag(f.pinned))
    .bind(author)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(NoticeId(id))
}

pub async fn update(conn: &mut Conn, id: NoticeId, f: &NoticeFields) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notice SET doc_number = $1, title = $2, body = $3, pinned = $4, updated_at = $5 WHERE id = $6")
        .bind(&f.doc_number)
        .bind(&f.title)
        .bind(&f.body)
        .bind(Flag(f.pinned))
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Move to `status`; publishing stamps `published_at` the first time.
pub async fn set_status(conn: &mut Conn, id: NoticeId, status: NoticeStatus) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "UPDATE notice SET status = $1, updated_at = $2,
            published_at = CASE WHEN $1 = 'published' AND published_at IS NULL THEN $2 ELSE published_at END
         WHERE id = $3",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: NoticeId) -> Result<Option<Notice>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM notice WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await
}

/// Published notices, pinned first, newest first.
pub async fn list_published(
    conn: &mut Conn,
    q: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Notice>, i64), sqlx::Error> {
    list(conn, Some(NoticeStatus::Published), q, offset, limit, true).await
}

/// Any notices (back office), newest first.
pub async fn list(
    conn: &mut Conn,
    status: Option<NoticeStatus>,
    q: &str,
    offset: i64,
    limit: i64,
    pinned_first: bool,
) -> Result<(Vec<Notice>, i64), sqlx::Error> {
    let filter = |sql: &mut Sql| {
        if let Some(s) = status {
            sql.push(" AND status = ").bind(s.as_str().to_string());
        }
        if !q.is_empty() {
            sql.push(" AND (");
            push_contains(sql, "title", q);
            sql.push(" OR ");
            push_contains(sql, "doc_number", q);
            sql.push(")");
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM notice WHERE 1 = 1");
    filter(&mut count);
    let (total,): (i64,) = count.fetch_one(conn).await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM notice WHERE 1 = 1"));
    filter(&mut sql);
    sql.push(if pinned_first { " ORDER BY pinned DESC, published_at DESC, id DESC" } else { " ORDER BY id DESC" });
    sql.page(limit, offset);
    Ok((sql.fetch_all(conn).await?, total))
}

pub async fn attachments(conn: &mut Conn, notice: NoticeId) -> Result<Vec<StoredFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.storage_key, f.original_name, f.content_type, f.size_bytes, f.sha256, f.created_at
         FROM notice_attachment a JOIN stored_file f ON f.id = a.file_id
         WHERE a.notice_id = $1 ORDER BY a.sort_order, f.id",
    )
    .bind(notice)
    .fetch_all(&mut *conn)
    .await
}

pub async fn attach(conn: &mut Conn, notice: NoticeId, file: FileId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notice_attachment (notice_id, file_id, sort_order)
         VALUES ($1, $2, (SELECT COUNT(*) FROM notice_attachment WHERE notice_id = $1))",
    )
    .bind(notice)
    .bind(file)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn detach(conn: &mut Conn, notice: NoticeId, file: FileId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM notice_attachment WHERE notice_id = $1 AND file_id = $2")
        .bind(notice)
        .bind(file)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
