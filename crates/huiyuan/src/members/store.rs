//! SQL for members.

use serde::Serialize;
use sqlx::FromRow;

use crate::storage::{ApplicationId, Conn, MemberId, OrgId, UserId, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Member {
    pub id: MemberId,
    pub kind: String,
    pub number: String,
    pub name: String,
    pub category: String,
    pub org_id: Option<OrgId>,
    pub channel: String,
    pub status: String,
    pub application_id: Option<ApplicationId>,
    pub user_id: Option<UserId>,
    pub joined_at: i64,
    pub resolution: String,
}

pub struct NewMember<'a> {
    pub kind: &'a str,
    pub number: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub org_id: Option<OrgId>,
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub identity_key: Option<&'a str>,
    pub resolution: &'a str,
}

pub async fn insert(conn: &mut Conn, m: &NewMember<'_>) -> Result<MemberId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO member (kind, number, name, category, org_id, channel, status, application_id, user_id,
            identity_key, joined_at, resolution, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $10, $10) RETURNING id",
    )
    .bind(m.kind)
    .bind(m.number)
    .bind(m.name)
    .bind(m.category)
    .bind(m.org_id)
    .bind(if m.org_id.is_some() { "city" } else { "direct" })
    .bind(m.application_id)
    .bind(m.user_id)
    .bind(m.identity_key)
    .bind(now)
    .bind(m.resolution)
    .fetch_one(&mut *conn)
    .await?;
    Ok(MemberId(id))
}

const COLUMNS: &str =
    "id, kind, number, name, category, org_id, channel, status, application_id, user_id, joined_at, resolution";

pub async fn for_application(conn: &mut Conn, app: ApplicationId) -> Result<Option<Member>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM member WHERE application_id = $1"))
        .bind(app)
        .fetch_optional(&mut *conn)
        .await
}

/// The member holding this identity (ID document or credit code), if any.
pub async fn by_identity(conn: &mut Conn, identity_key: &str) -> Result<Option<Member>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM member WHERE identity_key = $1"))
        .bind(identity_key)
        .fetch_optional(&mut *conn)
        .await
}

/// Link a new member with the group ↔ individual registrations made in applications: a new
/// group to those of its registered people who are members already; a new individual to the
/// groups (already members) that registered them. Whoever comes second makes the link.
pub async fn link_group_people(
    conn: &mut Conn,
    member: MemberId,
    application: ApplicationId,
    identity_key: Option<&str>,
) -> Result<(), sqlx::Error> {
    // This member is a group: its people who are members.
    sqlx::query(
        "INSERT INTO member_link (group_member_id, individual_member_id)
         SELECT $1, m.id FROM group_person p JOIN member m ON m.identity_key = p.identity_key AND m.kind = 'individual'
         WHERE p.application_id = $2
         ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(application)
    .execute(&mut *conn)
    .await?;
    // This member is a person: the member groups that registered them.
    if let Some(key) = identity_key {
        sqlx::query(
            "INSERT INTO member_link (group_member_id, individual_member_id)
             SELECT g.id, $1 FROM group_person p JOIN member g ON g.application_id = p.application_id AND g.kind = 'group'
             WHERE p.identity_key = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(member)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
