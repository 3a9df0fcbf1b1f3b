//! Certificate rows: a member's certificates, issuing one with the next serial, revoking.

use serde::Serialize;
use sqlx::FromRow;

use crate::storage::{Conn, MemberId, UserId, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Certificate {
    pub id: i64,
    pub member_id: MemberId,
    pub serial: String,
    pub issued_on: String,
    pub valid_until: String,
    pub revoked_at: Option<i64>,
    pub revoke_reason: String,
}

impl Certificate {
    /// Not revoked and not past its last day (`today`: YYYY-MM-DD).
    pub fn valid_on(&self, today: &str) -> bool {
        self.revoked_at.is_none() && self.valid_until.as_str() >= today
    }
}

const CERT_COLUMNS: &str = "id, member_id, serial, issued_on, valid_until, revoked_at, revoke_reason";

pub async fn certificates(conn: &mut Conn, member: MemberId) -> Result<Vec<Certificate>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {CERT_COLUMNS} FROM certificate WHERE member_id = $1 ORDER BY id DESC"))
        .bind(member)
        .fetch_all(&mut *conn)
        .await
}

pub async fn certificate_by_serial(conn: &mut Conn, serial: &str) -> Result<Option<Certificate>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {CERT_COLUMNS} FROM certificate WHERE serial = $1"))
        .bind(serial)
        .fetch_optional(&mut *conn)
        .await
}

/// Issue a certificate: serial `<number>-<nn>`, nn counting this member's certificates.
pub async fn insert_certificate(
    conn: &mut Conn,
    (member, number): (MemberId, &str),
    issued_on: &str,
    valid_until: &str,
    by: Option<UserId>,
) -> Result<Certificate, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM certificate WHERE member_id = $1")
        .bind(member)
        .fetch_one(&mut *conn)
        .await?;
    let serial = format!("{number}-{:02}", n + 1);
    sqlx::query(
        "INSERT INTO certificate (member_id, serial, issued_on, valid_until, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(member)
    .bind(&serial)
    .bind(issued_on)
    .bind(valid_until)
    .bind(by)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    certificate_by_serial(conn, &serial).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Revoke the member's valid certificates (reissue, or the membership ended).
pub async fn revoke_certificates(conn: &mut Conn, member: MemberId, reason: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE certificate SET revoked_at = $1, revoke_reason = $2 WHERE member_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(reason)
    .bind(member)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
