//! Writing many members at once (roster imports, generated registries): multi-row INSERTs
//! of members with their search terms, first membership period and first event, inside the
//! caller's transaction; ids and numbers reserved so concurrent approvals never collide.

use super::search::{self, Indexed};
use crate::storage::{Backend, Conn, Sql};

/// A member to write.
#[derive(Debug, Clone, Default)]
pub struct BulkRow {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub name: String,
    pub category: String,
    pub org_id: Option<i64>,
    pub status: String,
    pub joined_at: i64,
    pub gender: String,
    pub birth_date: String,
    pub id_number: String,
    pub identity_key: Option<String>,
    pub mobile: String,
    pub email: String,
    pub employer: String,
}

/// Multi-row INSERTs of a fixed number of rows, so each statement text is prepared once. The
/// SQLite driver looks bound parameters up by name, which costs more the more a statement
/// has: about 250 per statement keeps that small.
pub(crate) struct Inserter {
    head: &'static str,
    per_statement: usize,
    sql: Sql,
    rows: usize,
}

impl Inserter {
    pub(crate) fn new(head: &'static str, per_statement: usize) -> Inserter {
        Inserter { head, per_statement, sql: Sql::new(head), rows: 0 }
    }

    /// The statement, ready for the next row's `(…)`.
    pub(crate) fn row(&mut self) -> &mut Sql {
        if self.rows > 0 {
            self.sql.push(", ");
        }
        self.rows += 1;
        &mut self.sql
    }

    /// Run the statement when it is full (`all`: whatever it holds).
    pub(crate) async fn flush(&mut self, tx: &mut Conn, all: bool) -> Result<(), sqlx::Error> {
        if self.rows > 0 && (all || self.rows == self.per_statement) {
            std::mem::replace(&mut self.sql, Sql::new(self.head)).execute(tx).await?;
            self.rows = 0;
        }
        Ok(())
    }
}

/// Search terms go in thousands at a time as one JSON array bound to one parameter, which
/// each database unpacks itself (json_each, jsonb_array_elements): far fewer statements and
/// bound values than multi-row VALUES.
struct TermWriter {
    backend: Backend,
    rows: Vec<serde_json::Value>,
}

impl TermWriter {
    const PER_STATEMENT: usize = 4000;

    fn new(backend: Backend) -> TermWriter {
        TermWriter { backend, rows: Vec::with_capacity(Self::PER_STATEMENT) }
    }

    async fn flush(&mut self, tx: &mut Conn, all: bool) -> Result<(), sqlx::Error> {
        if self.rows.is_empty() || (!all && self.rows.len() < Self::PER_STATEMENT) {
            return Ok(());
        }
        let json = serde_json::Value::Array(std::mem::take(&mut self.rows)).to_string();
        let sql = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO member_term (term, member_id, org_id, category, status, kind)
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                     json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
                 FROM json_each($1)"
            }
            Backend::Postgres => {
                "INSERT INTO member_term (term, member_id, org_id, category, status, kind)
                 SELECT e->>0, (e->>1)::bigint, (e->>2)::bigint, e->>3, e->>4, e->>5
                 FROM jsonb_array_elements($1::jsonb) AS e"
            }
        };
        sqlx::query(sql).bind(json).execute(&mut *tx).await?;
        Ok(())
    }
}

/// `n` fresh member ids. PostgreSQL draws them from the identity sequence; SQLite takes the
/// next ones after the largest, which is safe because its write transaction holds the lock.
pub async fn reserve_ids(tx: &mut Conn, backend: Backend, n: usize) -> Result<Vec<i64>, sqlx::Error> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match backend {
        Backend::Postgres => {
            let rows: Vec<(i64,)> = sqlx::query_as(
                "SELECT nextval(pg_get_serial_sequence('member', 'id')) FROM generate_series(1, $1::bigint)",
            )
            .bind(n)
            .fetch_all(&mut *tx)
            .await?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        }
        Backend::Sqlite => {
            let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM member").fetch_one(&mut *tx).await?;
            let first = max.unwrap_or(0) + 1;
            Ok((first..first + n).collect())
        }
    }
}

/// Reserve `n` numbers of (`unit`, `class`): the first sequence number of the run.
pub async fn reserve_numbers(tx: &mut Conn, unit: i64, class: &str, n: i64) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO number_sequence (unit, class, next) VALUES ($1, $2, 1) ON CONFLICT (unit, class) DO NOTHING",
    )
    .bind(unit)
    .bind(class)
    .execute(&mut *tx)
    .await?;
    let (first,): (i64,) = sqlx::query_as(
        "UPDATE number_sequence SET next = next + $3 WHERE unit = $1 AND class = $2 RETURNING next - $3",
    )
    .bind(unit)
    .bind(class)
    .bind(n)
    .fetch_one(&mut *tx)
    .await?;
    Ok(first)
}

/// Make sure (`unit`, `class`) never hands out `seq` or anything below it again (a member
/// keeps an existing number).
pub async fn skip_past(tx: &mut Conn, unit: i64, class: &str, seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO number_sequence (unit, class, next) VALUES ($1, $2, $3)
         ON CONFLICT (unit, class) DO UPDATE SET next = CASE WHEN number_sequence.next > $3
             THEN number_sequence.next ELSE $3 END",
    )
    .bind(unit)
    .bind(class)
    .bind(seq + 1)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Insert members with their terms, periods and events ("joined", or `event` with the
/// reason, e.g. an import); returns the number of search terms written.
pub async fn write(
    tx: &mut Conn,
    backend: Backend,
    rows: &[BulkRow],
    offset: time::UtcOffset,
    event: &str,
) -> Result<usize, sqlx::Error> {
    let mut members = Inserter::new(
        "INSERT INTO member (id, kind, number, name, category, org_id, channel, status, joined_at, resolution,
            created_at, updated_at, gender, birth_date, id_number, identity_key, mobile, email, employer, name_key)
         VALUES ",
        12,
    );
    let mut terms = TermWriter::new(backend);
    let mut periods =
        Inserter::new("INSERT INTO member_period (member_id, started_on, ended_on, end_status) VALUES ", 60);
    let mut events = Inserter::new("INSERT INTO member_event (member_id, kind, to_value, reason, at) VALUES ", 50);
    let now = crate::storage::now_ms();
    let mut term_count = 0;
    for r in rows {
        let channel = if r.org_id.is_some() { "city" } else { "direct" };
        let sql = members.row();
        sql.push("(").bind(r.id).push(", ").bind(r.kind.clone()).push(", ").bind(r.number.clone()).push(", ");
        sql.bind(r.name.clone()).push(", ").bind(r.category.clone()).push(", ").bind(r.org_id).push(", ");
        sql.bind(channel.to_string()).push(", ").bind(r.status.clone()).push(", ");
        sql.bind(r.joined_at).push(", '', ").bind(now).push(", ").bind(now).push(", ");
        sql.bind(r.gender.clone()).push(", ").bind(r.birth_date.clone()).push(", ").bind(r.id_number.clone());
        sql.push(", ").bind(r.identity_key.clone()).push(", ").bind(r.mobile.clone()).push(", ");
        sql.bind(r.email.clone()).push(", ").bind(r.employer.clone()).push(", ");
        sql.bind(search::sort_key(&r.name)).push(")");
        members.flush(tx, false).await?;
    }
    members.flush(tx, true).await?;
    for r in rows {
        let set =
            search::terms(&Indexed { name: &r.name, number: &r.number, employer: &r.employer, mobile: &r.mobile });
        for term in set {
            terms.rows.push(serde_json::json!([term, r.id, r.org_id, r.category, r.status, r.kind]));
            term_count += 1;
            terms.flush(tx, false).await?;
        }
        let started = time::OffsetDateTime::from_unix_timestamp(r.joined_at / 1000)
            .map(|t| t.to_offset(offset).date().to_string())
            .unwrap_or_default();
        let ended = super::service::ends_membership(&r.status);
        let sql = periods.row();
        sql.push("(").bind(r.id).push(", ").bind(started.clone()).push(", ");
        sql.bind(ended.then_some(started)).push(", ").bind(if ended { r.status.clone() } else { String::new() });
        sql.push(")");
        periods.flush(tx, false).await?;
        let sql = events.row();
        let kind = if event.is_empty() { "joined" } else { "import" };
        sql.push("(").bind(r.id).push(", ").bind(kind.to_string()).push(", ").bind(r.category.clone()).push(", ");
        sql.bind(event.to_string()).push(", ").bind(now).push(")");
        events.flush(tx, false).await?;
    }
    terms.flush(tx, true).await?;
    periods.flush(tx, true).await?;
    events.flush(tx, true).await?;
    Ok(term_count)
}
