//! SQL for applications, their versions and their events.

use serde::Serialize;
use sqlx::FromRow;

use super::model::{Application, EventRow, Kind};
use super::state::Status;
use crate::auth::OrgScope;
use crate::storage::{ApplicationId, BatchId, Conn, OrgId, Sql, UserId, now_ms, push_contains};

const COLUMNS: &str = "a.id, a.kind, a.applicant_id, a.org_id, a.status, a.name, a.identity_key, a.category, a.data, \
                       a.version, a.submitted_at, a.created_at, a.updated_at";

/// The columns every save writes.
pub struct Fields<'a> {
    pub name: &'a str,
    pub identity_key: Option<&'a str>,
    pub category: &'a str,
    pub org_id: Option<OrgId>,
    pub data: &'a str,
}

fn open_key(kind: Kind, status: Status, identity_key: Option<&str>) -> Option<String> {
    identity_key.filter(|_| status.is_open()).map(|k| format!("{}:{k}", kind.as_str()))
}

pub async fn insert_draft(
    conn: &mut Conn,
    kind: Kind,
    applicant: UserId,
    f: &Fields<'_>,
) -> Result<ApplicationId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO application (kind, applicant_id, org_id, status, name, identity_key, open_key, category, data,
            version, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, 0, $9, $9) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(applicant)
    .bind(f.org_id)
    .bind(f.name)
    .bind(f.identity_key)
    .bind(open_key(kind, Status::Draft, f.identity_key))
    .bind(f.category)
    .bind(f.data)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ApplicationId(id))
}

/// Rewrite the form of an application the applicant may still edit. Answers false when it
/// was handed in meanwhile (another tab, a double click): nothing is written then.
pub async fn update_form(conn: &mut Conn, app: &Application, f: &Fields<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE application SET name = $1, identity_key = $2, open_key = $3, category = $4, org_id = $5, data = $6,
            updated_at = $7 WHERE id = $8 AND status IN ('draft', 'returned')",
    )
    .bind(f.name)
    .bind(f.identity_key)
    .bind(open_key(app.kind(), app.status(), f.identity_key))
    .bind(f.category)
    .bind(f.org_id)
    .bind(f.data)
    .bind(now_ms())
    .bind(app.id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Lock the application's row for the rest of the transaction, if it is still in one of
/// `statuses`; answers false (and locks nothing) when it has moved on. Changes that depend on
/// the status (attachments, the dossier) take this first, so they queue behind a move.
pub async fn lock_in(conn: &mut Conn, app: ApplicationId, statuses: &[Status]) -> Result<bool, sqlx::Error> {
    let list = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    let done = sqlx::query(&format!("UPDATE application SET updated_at = $1 WHERE id = $2 AND status IN ({list})"))
        .bind(now_ms())
        .bind(app)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Move from `from` to `to` — only if the application is still in `from`, so a repeated
/// request (a double click, a retry) never applies twice. Returns whether it moved.
pub async fn move_status(conn: &mut Conn, app: &Application, from: Status, to: Status) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let submitted = to == Status::Submitted;
    let done = sqlx::query(
        "UPDATE application SET status = $1, open_key = $2, updated_at = $3,
            version = version + $4, submitted_at = CASE WHEN $4 = 1 THEN $3 ELSE submitted_at END
         WHERE id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(open_key(app.kind(), to, app.identity_key.as_deref()))
    .bind(now)
    .bind(i64::from(submitted))
    .bind(app.id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_version(conn: &mut Conn, id: ApplicationId, version: i64, data: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO application_version (application_id, version, data, submitted_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(version)
    .bind(data)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: ApplicationId) -> Result<Option<Application>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM application a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn for_applicant(conn: &mut Conn, user: UserId) -> Result<Vec<Application>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM application a WHERE a.applicant_id = $1 ORDER BY a.id DESC"))
        .bind(user)
        .fetch_all(&mut *conn)
        .await
}

/// One step in an application's history.
pub struct NewEvent<'a> {
    pub action: &'a str,
    pub from: Status,
    pub to: Status,
    pub actor: Option<UserId>,
    pub acting_org: Option<OrgId>,
    pub note: &'a str,
    pub detail: serde_json::Value,
}

pub async fn add_event(conn: &mut Conn, app: ApplicationId, e: &NewEvent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO application_event (application_id, at, action, from_status, to_status, actor_user_id,
            acting_org_id, note, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(app)
    .bind(now_ms())
    .bind(e.action)
    .bind(e.from.as_str())
    .bind(e.to.as_str())
    .bind(e.actor)
    .bind(e.acting_org)
    .bind(e.note)
    .bind(e.detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut Conn, app: ApplicationId) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.at, e.action, e.from_status, e.to_status, o.short_name AS acting_org, e.note, e.detail
         FROM application_event e LEFT JOIN org o ON o.id = e.acting_org_id
         WHERE e.application_id = $1 ORDER BY e.id",
    )
    .bind(app)
    .fetch_all(&mut *conn)
    .await
}

/// The review queue's filters.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Any of these statuses (all when empty): a stage of the pipeline may be two.
    pub statuses: Vec<Status>,
    pub kind: Option<Kind>,
    pub org: Option<OrgId>,
    /// Only province-direct applications.
    pub direct: bool,
    pub q: String,
    /// Only the applications of this batch.
    pub batch: Option<BatchId>,
    /// "oldest" (default: the longest waiting first) or "newest".
    pub newest_first: bool,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct QueueRow {
    pub id: ApplicationId,
    pub kind: String,
    pub status: String,
    pub name: String,
    pub category: String,
    pub org_name: Option<String>,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
}

fn push_queue_where(sql: &mut Sql, scope: &OrgScope, f: &QueueFilter, with_status: bool) {
    // Staff never see drafts: they are the applicant's own until handed in.
    sql.push(" WHERE a.status <> 'draft'");
    scope.push_filter(sql, "o.path");
    if with_status && !f.statuses.is_empty() {
        sql.push(" AND a.status IN ");
        sql.list(f.statuses.iter().map(|s| s.as_str().to_string()));
    }
    if let Some(k) = f.kind {
        sql.push(" AND a.kind = ").bind(k.as_str().to_string());
    }
    if let Some(org) = f.org {
        sql.push(" AND a.org_id = ").bind(org);
    }
    if f.direct {
        sql.push(" AND a.org_id IS NULL");
    }
    if !f.q.is_empty() {
        sql.push(" AND ");
        push_contains(sql, "a.name", &f.q);
    }
    if let Some(batch) = f.batch {
        sql.push(" AND a.id IN (SELECT application_id FROM batch_item WHERE batch_id = ").bind(batch).push(")");
    }
}

pub async fn queue(
    conn: &mut Conn,
    scope: &OrgScope,
    f: &QueueFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<QueueRow>, i64), sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM application a LEFT JOIN org o ON o.id = a.org_id");
    push_queue_where(&mut count, scope, f, true);
    let (total,): (i64,) = count.fetch_one(conn).await?;
    let mut sql = Sql::new(
        "SELECT a.id, a.kind, a.status, a.name, a.category, o.short_name AS org_name, a.submitted_at, a.updated_at
         FROM application a LEFT JOIN org o ON o.id = a.org_id",
    );
    push_queue_where(&mut sql, scope, f, true);
    sql.push(if f.newest_first {
        " ORDER BY a.submitted_at DESC, a.id DESC"
    } else {
        " ORDER BY a.submitted_at, a.id"
    });
    sql.page(limit, offset);
    Ok((sql.fetch_all(conn).await?, total))
}

/// How many applications in scope are in each status (the queue's tabs), ignoring the
/// status filter itself.
pub async fn counts(conn: &mut Conn, scope: &OrgScope, f: &QueueFilter) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT a.status, COUNT(*) FROM application a LEFT JOIN org o ON o.id = a.org_id");
    push_queue_where(&mut sql, scope, f, false);
    sql.push(" GROUP BY a.status");
    sql.fetch_all(conn).await
}

/// The active city associations an applicant may choose, in the settings' order.
pub async fn cities(conn: &mut Conn) -> Result<Vec<(OrgId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM org WHERE level = 'city' AND is_active = 1 ORDER BY sort_order, code")
        .fetch_all(&mut *conn)
        .await
}

/// The name and identity key under which a person is an individual member, or else has an
/// individual application in (submitted, and not closed without approval).
pub async fn person_by_identity(conn: &mut Conn, keys: &[String]) -> Result<Option<(String, String)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT name, identity_key FROM member WHERE kind = 'individual' AND identity_key IN ");
    sql.list(keys.iter().cloned());
    if let Some(found) = sql.fetch_all::<(String, String)>(&mut *conn).await?.into_iter().next() {
        return Ok(Some(found));
    }
    let mut sql = Sql::new(
        "SELECT name, identity_key FROM application WHERE kind = 'individual'
         AND status NOT IN ('draft', 'withdrawn', 'rejected', 'not_approved') AND identity_key IN ",
    );
    sql.list(keys.iter().cloned()).push(" ORDER BY id DESC LIMIT 1");
    Ok(sql.fetch_all(&mut *conn).await?.into_iter().next())
}

/// The people a group application registers, as resolved at its last submission.
pub async fn replace_people(
    conn: &mut Conn,
    app: ApplicationId,
    people: &[(usize, String, String)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM group_person WHERE application_id = $1").bind(app).execute(&mut *conn).await?;
    for (row, name, key) in people {
        sqlx::query("INSERT INTO group_person (application_id, position, name, identity_key) VALUES ($1, $2, $3, $4)")
            .bind(app)
            .bind(i64::try_from(*row).unwrap_or(0))
            .bind(name)
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
