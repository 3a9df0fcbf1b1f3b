//! The studio's rows: resources, closed days, bookings. Callers hold the transaction, decide
//! permission and write the audit record.

use time::Date;

use super::slot::{Slot, parse_day};
use super::{Booking, Resource, Status};
use crate::storage::{BookingId, Conn, MemberId, OrgId, ResourceId, UserId, now_ms};

const RESOURCE: &str = "id, name, kind, description, capacity, purposes, opens_at, closes_at, closed_weekdays, active";
const BOOKING: &str = "id, resource_id, user_id, booker_name, member_id, org_id, starts_at, ends_at, purpose, \
                       participants, note, status, decided_name, decided_at, decision_note, created_at";

pub async fn resources(conn: &mut Conn, active_only: bool) -> Result<Vec<Resource>, sqlx::Error> {
    let filter = if active_only { "WHERE active = 1" } else { "" };
    sqlx::query_as(&format!("SELECT {RESOURCE} FROM studio_resource {filter} ORDER BY id")).fetch_all(&mut *conn).await
}

pub async fn resource(conn: &mut Conn, id: ResourceId) -> Result<Option<Resource>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {RESOURCE} FROM studio_resource WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A resource's fields as the secretariat writes them.
pub struct ResourceRow<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub description: &'a str,
    pub capacity: i64,
    pub purposes: &'a str,
    pub opens_at: &'a str,
    pub closes_at: &'a str,
    pub closed_weekdays: &'a str,
    pub active: bool,
}

pub async fn insert_resource(conn: &mut Conn, r: &ResourceRow<'_>) -> Result<ResourceId, sqlx::Error> {
    let now = now_ms();
    let (id,): (ResourceId,) = sqlx::query_as(
        "INSERT INTO studio_resource (name, kind, description, capacity, purposes, opens_at, closes_at,
             closed_weekdays, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(r.name)
    .bind(r.kind)
    .bind(r.description)
    .bind(r.capacity)
    .bind(r.purposes)
    .bind(r.opens_at)
    .bind(r.closes_at)
    .bind(r.closed_weekdays)
    .bind(i64::from(r.active))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn update_resource(conn: &mut Conn, id: ResourceId, r: &ResourceRow<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE studio_resource SET name = $1, kind = $2, description = $3, capacity = $4, purposes = $5,
             opens_at = $6, closes_at = $7, closed_weekdays = $8, active = $9, updated_at = $10
         WHERE id = $11",
    )
    .bind(r.name)
    .bind(r.kind)
    .bind(r.description)
    .bind(r.capacity)
    .bind(r.purposes)
    .bind(r.opens_at)
    .bind(r.closes_at)
    .bind(r.closed_weekdays)
    .bind(i64::from(r.active))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The days the studio as a whole or this resource is closed, from `from` on (YYYY-MM-DD).
pub async fn closed_days(conn: &mut Conn, resource: ResourceId, from: &str) -> Result<Vec<Date>, sqlx::Error> {
    let days: Vec<(String,)> = sqlx::query_as(
        "SELECT day FROM studio_closed_day WHERE (resource_id IS NULL OR resource_id = $1) AND day >= $2 ORDER BY day",
    )
    .bind(resource)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    Ok(days.iter().filter_map(|(d,)| parse_day(d)).collect())
}

pub async fn add_closed_day(
    conn: &mut Conn,
    resource: Option<ResourceId>,
    day: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO studio_closed_day (resource_id, day, reason) VALUES ($1, $2, $3)")
        .bind(resource)
        .bind(day)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Take the resource for this transaction: every booking of it moves its clock first, so
/// the row lock (PostgreSQL, across processes) or the database's write lock (SQLite) lets one
/// booking at a time look for overlaps and insert. False when there is no such resource.
pub async fn hold(conn: &mut Conn, resource: ResourceId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE studio_resource SET booking_clock = booking_clock + 1 WHERE id = $1")
        .bind(resource)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A booking holding a slot of the resource that overlaps `slot` (touching ends do not).
pub async fn overlapping(conn: &mut Conn, resource: ResourceId, slot: Slot) -> Result<Option<Booking>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {BOOKING} FROM studio_booking
         WHERE resource_id = $1 AND status IN ('pending', 'approved') AND starts_at < $2 AND ends_at > $3
         ORDER BY starts_at LIMIT 1"
    ))
    .bind(resource)
    .bind(slot.ends_at)
    .bind(slot.starts_at)
    .fetch_optional(&mut *conn)
    .await
}

/// A new booking, pending.
pub struct NewBooking<'a> {
    pub resource: ResourceId,
    pub user: UserId,
    pub booker_name: &'a str,
    pub member: Option<MemberId>,
    pub org: Option<OrgId>,
    pub slot: Slot,
    pub purpose: &'a str,
    pub participants: i64,
    pub note: &'a str,
}

pub async fn insert_booking(conn: &mut Conn, b: &NewBooking<'_>) -> Result<BookingId, sqlx::Error> {
    let now = now_ms();
    let (id,): (BookingId,) = sqlx::query_as(
        "INSERT INTO studio_booking (resource_id, user_id, booker_name, member_id, org_id, starts_at, ends_at,
             purpose, participants, note, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $11) RETURNING id",
    )
    .bind(b.resource)
    .bind(b.user)
    .bind(b.booker_name)
    .bind(b.member)
    .bind(b.org)
    .bind(b.slot.starts_at)
    .bind(b.slot.ends_at)
    .bind(b.purpose)
    .bind(b.participants)
    .bind(b.note)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn booking(conn: &mut Conn, id: BookingId) -> Result<Option<Booking>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {BOOKING} FROM studio_booking WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Move a booking from one status to another (with who decided and why); false when it was
/// no longer in `from`.
pub async fn set_status(
    conn: &mut Conn,
    id: BookingId,
    (from, to): (Status, Status),
    (actor, actor_name, note): (UserId, &str, &str),
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE studio_booking SET status = $1, decided_by = $2, decided_name = $3, decided_at = $4,
             decision_note = $5, updated_at = $4
         WHERE id = $6 AND status = $7",
    )
    .bind(to.as_str())
    .bind(actor)
    .bind(actor_name)
    .bind(now)
    .bind(note)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The bookings of a resource that meet [from, to), in time order (all states).
pub async fn in_range(
    conn: &mut Conn,
    resource: ResourceId,
    (from, to): (i64, i64),
) -> Result<Vec<Booking>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {BOOKING} FROM studio_booking WHERE resource_id = $1 AND starts_at < $2 AND ends_at > $3
         ORDER BY starts_at, id"
    ))
    .bind(resource)
    .bind(to)
    .bind(from)
    .fetch_all(&mut *conn)
    .await
}

/// A person's bookings, the latest first.
pub async fn for_user(conn: &mut Conn, user: UserId) -> Result<Vec<Booking>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {BOOKING} FROM studio_booking WHERE user_id = $1 ORDER BY starts_at DESC, id DESC"))
        .bind(user)
        .fetch_all(&mut *conn)
        .await
}

/// A member's bookings (made while they were a member), the latest first.
pub async fn for_member(conn: &mut Conn, member: MemberId) -> Result<Vec<Booking>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {BOOKING} FROM studio_booking WHERE member_id = $1 ORDER BY starts_at DESC, id DESC"
    ))
    .bind(member)
    .fetch_all(&mut *conn)
    .await
}

/// Bookings waiting for a manager, the soonest first.
pub async fn pending(conn: &mut Conn) -> Result<Vec<Booking>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {BOOKING} FROM studio_booking WHERE status = 'pending' ORDER BY starts_at, id"))
        .fetch_all(&mut *conn)
        .await
}
