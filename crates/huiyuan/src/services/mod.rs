//! Member services (会员服务, §二 of the source document): what membership is for. Each
//! service is a folder of its own in the shape of the other domains; this module keeps what
//! they share — the record of every use of a service (`service_use`: who, what, when, which
//! city), which the year-end evaluation counts.

pub mod studio;

use crate::storage::{Conn, MemberId, OrgId, UserId, now_ms};

/// One use of a service, as the year-end evaluation counts it.
pub struct Use<'a> {
    /// studio, paper, training.
    pub service: &'a str,
    /// What was done: booked, approved, cancelled, submitted, …
    pub action: &'a str,
    /// The booking, paper or training application.
    pub ref_id: i64,
    pub user: Option<UserId>,
    pub member: Option<MemberId>,
    pub org: Option<OrgId>,
}

/// Record a use of a service (in the caller's transaction, with the change it counts).
pub async fn record_use(conn: &mut Conn, u: &Use<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO service_use (service, action, ref_id, user_id, member_id, org_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(u.service)
    .bind(u.action)
    .bind(u.ref_id)
    .bind(u.user)
    .bind(u.member)
    .bind(u.org)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
