//! SQL for members: the record, its search terms, history, periods, links and proposals;
//! the list (`list`) and certificates (`certificates`) beside it.

use serde::Serialize;
use sqlx::FromRow;

mod certificates;
mod list;

pub use certificates::{Certificate, certificates, insert_certificate, revoke_certificates};
pub use list::{COUNT_CAP, Filter, Row, SEARCH_COUNT_CAP, Sort, export_query, list, page};

use super::model::Proposal;
use super::search::{self, Indexed};
use crate::storage::{ApplicationId, Conn, MemberId, OrgId, Sql, UserId, now_ms};

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
    pub gender: String,
    pub birth_date: String,
    #[serde(skip)]
    pub id_number: String,
    pub mobile: String,
    pub email: String,
    pub employer: String,
    /// The education level, when the record has one (imports).
    pub education: String,
    /// Space-separated marks the member was imported with (`education_below`, `age_outside`).
    pub marks: String,
    pub updated_at: i64,
}

impl Member {
    /// The marks, each as its code.
    pub fn mark_list(&self) -> Vec<&str> {
        self.marks.split_whitespace().collect()
    }

    /// Imported without an ID number, which the census asks the member for.
    pub fn id_to_complete(&self) -> bool {
        self.mark_list().contains(&"id_to_complete")
    }
}

/// The record details a member is created with.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub gender: String,
    pub birth_date: String,
    pub id_number: String,
    pub mobile: String,
    pub email: String,
    /// Individuals: employer; groups: the contact person.
    pub employer: String,
}

pub struct NewMember<'a> {
    pub kind: &'a str,
    pub number: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub org_id: Option<OrgId>,
    pub application_id: Option<ApplicationId>,
    pub user_id: Option<UserId>,
    pub identity_key: Option<&'a str>,
    pub resolution: &'a str,
    pub details: Details,
}

/// Create the member with its search terms, its first membership period and its "joined"
/// event, inside the caller's transaction.
pub async fn insert(conn: &mut Conn, m: &NewMember<'_>, today: &str) -> Result<MemberId, sqlx::Error> {
    let now = now_ms();
    let d = &m.details;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO member (kind, number, name, category, org_id, channel, status, application_id, user_id,
            identity_key, joined_at, resolution, created_at, updated_at,
            gender, birth_date, id_number, mobile, email, employer, name_key)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $10, $10, $12, $13, $14, $15, $16, $17, $18)
         RETURNING id",
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
    .bind(&d.gender)
    .bind(&d.birth_date)
    .bind(&d.id_number)
    .bind(&d.mobile)
    .bind(&d.email)
    .bind(&d.employer)
    .bind(search::sort_key(m.name))
    .fetch_one(&mut *conn)
    .await?;
    let id = MemberId(id);
    index(conn, id).await?;
    sqlx::query("INSERT INTO member_period (member_id, started_on) VALUES ($1, $2)")
        .bind(id)
        .bind(today)
        .execute(&mut *conn)
        .await?;
    event(conn, id, "joined", "", m.category, m.resolution, None).await?;
    Ok(id)
}

/// (Re)write a member's search terms from its record.
pub async fn index(conn: &mut Conn, id: MemberId) -> Result<(), sqlx::Error> {
    let m = find(conn, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    sqlx::query("DELETE FROM member_term WHERE member_id = $1").bind(id).execute(&mut *conn).await?;
    let terms = search::terms(&Indexed { name: &m.name, number: &m.number, employer: &m.employer, mobile: &m.mobile });
    if terms.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("INSERT INTO member_term (term, member_id, org_id, category, status, kind) VALUES ");
    for (i, term) in terms.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(").bind(term).push(", ").bind(id).push(", ").bind(m.org_id).push(", ");
        sql.bind(m.category.clone()).push(", ").bind(m.status.clone()).push(", ").bind(m.kind.clone()).push(")");
    }
    sql.execute(conn).await?;
    Ok(())
}

/// Record something that happened to a member.
pub async fn event(
    conn: &mut Conn,
    id: MemberId,
    kind: &str,
    from: &str,
    to: &str,
    reason: &str,
    actor: Option<(UserId, &str)>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO member_event (member_id, kind, from_value, to_value, reason, actor_id, actor_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(kind)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(actor.map(|a| a.0))
    .bind(actor.map(|a| a.1).unwrap_or(""))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    announce(conn, id, kind, from, to, reason).await
}

/// Every change of a member passes [`event`]: the ones other systems subscribe to are sent
/// to them from here (webhooks, after the change commits) — with what the member's city may
/// read and never an ID number.
async fn announce(
    conn: &mut Conn,
    id: MemberId,
    kind: &str,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let event = match kind {
        "joined" => "member.created",
        "status" => "member.status_changed",
        "category" => "member.category_changed",
        "certificate" => "certificate.issued",
        _ => return Ok(()),
    };
    let listeners = crate::webhooks::store::listening(conn, event).await?;
    if listeners.is_empty() {
        return Ok(());
    }
    let Some(m) = find(conn, id).await? else { return Ok(()) };
    let data = match event {
        "member.created" => serde_json::json!({
            "member_id": m.id, "number": m.number, "kind": m.kind, "name": m.name, "category": m.category,
            "city_id": m.org_id, "joined_at": m.joined_at,
        }),
        "certificate.issued" => serde_json::json!({ "member_id": m.id, "number": m.number, "serial": to }),
        _ => serde_json::json!({
            "member_id": m.id, "number": m.number, "city_id": m.org_id, "from": from, "to": to, "reason": reason,
        }),
    };
    crate::webhooks::emit_to(conn, &listeners, event, m.org_id, data).await?;
    Ok(())
}

const COLUMNS: &str = "id, kind, number, name, category, org_id, channel, status, application_id, user_id, joined_at,
    resolution, gender, birth_date, id_number, mobile, email, employer, education, marks, updated_at";

pub async fn find(conn: &mut Conn, id: MemberId) -> Result<Option<Member>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM member WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await
}

pub async fn by_number(conn: &mut Conn, number: &str) -> Result<Option<Member>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM member WHERE number = $1"))
        .bind(number)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn by_user(conn: &mut Conn, user: UserId) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM member WHERE user_id = $1 ORDER BY id"))
        .bind(user)
        .fetch_all(&mut *conn)
        .await
}

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

/// Change the status or category (the caller records the event and the audit entry),
/// keeping the search terms' copies in step. False when the member changed meanwhile.
pub async fn set_field(conn: &mut Conn, id: MemberId, field: Field, from: &str, to: &str) -> Result<bool, sqlx::Error> {
    let column = field.column();
    let done =
        sqlx::query(&format!("UPDATE member SET {column} = $1, updated_at = $2 WHERE id = $3 AND {column} = $4"))
            .bind(to)
            .bind(now_ms())
            .bind(id)
            .bind(from)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(&format!("UPDATE member_term SET {column} = $1 WHERE member_id = $2"))
        .bind(to)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Status,
    Category,
}

impl Field {
    fn column(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Category => "category",
        }
    }
}

/// Close the open membership period (lapse, withdrawal, expulsion, death).
pub async fn end_period(conn: &mut Conn, id: MemberId, on: &str, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE member_period SET ended_on = $1, end_status = $2 WHERE member_id = $3 AND ended_on IS NULL")
        .bind(on)
        .bind(status)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Open a new membership period (reinstatement, re-registration) unless one is open.
pub async fn start_period(conn: &mut Conn, id: MemberId, on: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO member_period (member_id, started_on)
         SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM member_period WHERE member_id = $1 AND ended_on IS NULL)",
    )
    .bind(id)
    .bind(on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Event {
    pub kind: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub actor_name: String,
    pub at: i64,
}

pub async fn events(conn: &mut Conn, id: MemberId) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, from_value, to_value, reason, actor_name, at FROM member_event WHERE member_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Period {
    pub started_on: String,
    pub ended_on: Option<String>,
    pub end_status: String,
}

pub async fn periods(conn: &mut Conn, id: MemberId) -> Result<Vec<Period>, sqlx::Error> {
    sqlx::query_as("SELECT started_on, ended_on, end_status FROM member_period WHERE member_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
}

/// A linked member, for the member page: (id, number, name, status).
pub type Linked = (MemberId, String, String, String);

/// A group's individual members, or an individual's groups.
pub async fn linked(conn: &mut Conn, id: MemberId, group: bool) -> Result<Vec<Linked>, sqlx::Error> {
    let (mine, theirs) =
        if group { ("group_member_id", "individual_member_id") } else { ("individual_member_id", "group_member_id") };
    sqlx::query_as(&format!(
        "SELECT m.id, m.number, m.name, m.status FROM member_link l JOIN member m ON m.id = l.{theirs}
         WHERE l.{mine} = $1 ORDER BY m.number"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
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

impl From<Member> for Row {
    fn from(m: Member) -> Row {
        Row {
            id: m.id,
            kind: m.kind,
            number: m.number,
            name: m.name,
            category: m.category,
            org_id: m.org_id,
            status: m.status,
            joined_at: m.joined_at,
            mobile: m.mobile,
            employer: m.employer,
            id_number: m.id_number,
        }
    }
}

pub async fn proposals(conn: &mut Conn, member: MemberId) -> Result<Vec<Proposal>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, field, from_value, to_value, reason, proposed_by, proposed_by_name, status, decided_by_name,
            decision_note, created_at, decided_at FROM member_proposal WHERE member_id = $1 ORDER BY id DESC",
    )
    .bind(member)
    .fetch_all(&mut *conn)
    .await
}
