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
    /// The education level, as the roster says (imports).
    pub education: String,
    /// Space-separated marks the city imported the member with (`education_below`, …).
    pub marks: String,
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

/// Rows go in thousands at a time as one JSON array bound to one parameter, which each
/// database unpacks itself (json_each, jsonb_array_elements): far fewer statements and
/// bound values than multi-row VALUES.
struct JsonWriter {
    sql: String,
    rows: Vec<serde_json::Value>,
}

/// A column written from JSON: its name and whether it is a number (PostgreSQL casts it).
type JsonColumn = (&'static str, bool);

impl JsonWriter {
    const PER_STATEMENT: usize = 2000;

    fn new(backend: Backend, table: &str, columns: &[JsonColumn]) -> JsonWriter {
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        let values: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (_, number))| match (backend, number) {
                (Backend::Sqlite, _) => format!("json_extract(value, '$[{i}]')"),
                (Backend::Postgres, true) => format!("(e->>{i})::bigint"),
                (Backend::Postgres, false) => format!("e->>{i}"),
            })
            .collect();
        let from = match backend {
            Backend::Sqlite => "json_each($1)",
            Backend::Postgres => "jsonb_array_elements($1::jsonb) AS e",
        };
        let sql = format!("INSERT INTO {table} ({}) SELECT {} FROM {from}", names.join(", "), values.join(", "));
        JsonWriter { sql, rows: Vec::with_capacity(Self::PER_STATEMENT) }
    }

    async fn push(&mut self, tx: &mut Conn, row: serde_json::Value) -> Result<(), sqlx::Error> {
        self.rows.push(row);
        if self.rows.len() >= Self::PER_STATEMENT {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Conn) -> Result<(), sqlx::Error> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let json = serde_json::Value::Array(std::mem::take(&mut self.rows)).to_string();
        sqlx::query(&self.sql).bind(json).execute(&mut *tx).await?;
        Ok(())
    }
}

/// SQLite's page cache during a bulk write, in KiB.
const BULK_CACHE_KIB: i64 = 128 * 1024;

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

/// When a bulk write's search terms are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    /// In the same transaction as the members.
    Now,
    /// Later, by the [`JOB_TERMS`] job ([`index_members`]): the members are in at once, and
    /// searchable by name, pinyin and the rest once the job has run (seconds to a minute).
    Later,
}

/// Insert members with their terms (or not yet: `terms`), periods and events ("joined", or
/// `event` with the reason, e.g. an import); returns the number of search terms written.
pub async fn write(
    tx: &mut Conn,
    backend: Backend,
    rows: &[BulkRow],
    offset: time::UtcOffset,
    (event, when): (&str, Terms),
) -> Result<usize, sqlx::Error> {
    let text = |name| (name, false);
    let number = |name| (name, true);
    let mut members = JsonWriter::new(
        backend,
        "member",
        &[
            number("id"),
            text("kind"),
            text("number"),
            text("name"),
            text("category"),
            number("org_id"),
            text("channel"),
            text("status"),
            number("joined_at"),
            text("resolution"),
            number("created_at"),
            number("updated_at"),
            text("gender"),
            text("birth_date"),
            text("id_number"),
            text("identity_key"),
            text("mobile"),
            text("email"),
            text("employer"),
            text("name_key"),
            text("education"),
            text("marks"),
        ],
    );
    let mut periods = JsonWriter::new(
        backend,
        "member_period",
        &[number("member_id"), text("started_on"), text("ended_on"), text("end_status")],
    );
    let mut events = JsonWriter::new(
        backend,
        "member_event",
        &[number("member_id"), text("kind"), text("to_value"), text("reason"), number("at")],
    );
    let now = crate::storage::now_ms();
    let event_kind = if event.is_empty() { "joined" } else { "import" };
    for r in rows {
        let channel = if r.org_id.is_some() { "city" } else { "direct" };
        let row = serde_json::json!([
            r.id,
            r.kind,
            r.number,
            r.name,
            r.category,
            r.org_id,
            channel,
            r.status,
            r.joined_at,
            "",
            now,
            now,
            r.gender,
            r.birth_date,
            r.id_number,
            r.identity_key,
            r.mobile,
            r.email,
            r.employer,
            search::sort_key(&r.name),
            r.education,
            r.marks,
        ]);
        members.push(tx, row).await?;
    }
    members.flush(tx).await?;
    let term_count = if when == Terms::Now { write_terms(tx, backend, rows, Some(BULK_CACHE_KIB)).await? } else { 0 };
    for r in rows {
        let started = time::OffsetDateTime::from_unix_timestamp(r.joined_at / 1000)
            .map(|t| t.to_offset(offset).date().to_string())
            .unwrap_or_default();
        let ended = super::model::ends_membership(&r.status);
        let end_status = if ended { r.status.as_str() } else { "" };
        periods.push(tx, serde_json::json!([r.id, started, ended.then_some(&started), end_status])).await?;
        events.push(tx, serde_json::json!([r.id, event_kind, r.category, event, now])).await?;
    }
    periods.flush(tx).await?;
    events.flush(tx).await?;
    Ok(term_count)
}

/// Write the search terms of `rows` (members already in the table), sorted in the index's
/// order; returns how many.
/// `cache_kib`: SQLite's page cache for the write (then back to the default), or the default.
async fn write_terms(
    tx: &mut Conn,
    backend: Backend,
    rows: &[BulkRow],
    cache_kib: Option<i64>,
) -> Result<usize, sqlx::Error> {
    let text = |name| (name, false);
    let number = |name| (name, true);
    let mut terms = match backend {
        // One string per term, "<member id> <term>", and the filters from the member row just
        // written: cheaper to unpack than an array per row.
        Backend::Sqlite => JsonWriter {
            sql: "INSERT INTO member_term (term, member_id, org_id, category, status, kind)
                  SELECT substr(j.value, instr(j.value, ' ') + 1), m.id, m.org_id, m.category, m.status, m.kind
                  FROM json_each($1) j JOIN member m ON m.id = CAST(substr(j.value, 1, instr(j.value, ' ') - 1) AS INTEGER)"
                .into(),
            rows: Vec::with_capacity(JsonWriter::PER_STATEMENT),
        },
        Backend::Postgres => JsonWriter::new(
            backend,
            "member_term",
            &[text("term"), number("member_id"), number("org_id"), text("category"), text("status"), text("kind")],
        ),
    };
    let cache_kib = cache_kib.filter(|_| backend == Backend::Sqlite);
    if let Some(kib) = cache_kib {
        // A large write touches pages all over the term index: keep them in memory until the
        // end instead of spilling and re-reading them (SQLite's default cache is 2 MB).
        sqlx::query(&format!("PRAGMA cache_size = -{kib}")).execute(&mut *tx).await?;
    }
    // The terms go in the index's own order (term, then member), so the B-tree takes them
    // leaf after leaf instead of all over a large index.
    let sorted = SortedTerms::of(rows);
    let mut term_count = 0;
    for (term, i) in sorted.iter() {
        let r = &rows[i];
        let row = match backend {
            Backend::Sqlite => serde_json::Value::String(format!("{} {term}", r.id)),
            Backend::Postgres => serde_json::json!([term, r.id, r.org_id, r.category, r.status, r.kind]),
        };
        terms.push(tx, row).await?;
        term_count += 1;
    }
    drop(sorted);
    terms.flush(tx).await?;
    if cache_kib.is_some() {
        // Back to the default: once the caller commits, the pages beyond it are freed.
        sqlx::query("PRAGMA cache_size = -2000").execute(&mut *tx).await?;
    }
    Ok(term_count)
}

/// The job that writes the search terms of members written with [`Terms::Later`].
pub const JOB_TERMS: &str = "member_terms";

/// Members indexed per transaction: each holds the write lock for a fraction of a second, so
/// the rest of the platform keeps working while a large import becomes searchable.
const INDEX_CHUNK: i64 = 5000;

/// What the terms of a member are made of.
#[derive(sqlx::FromRow)]
struct IndexRow {
    id: i64,
    kind: String,
    number: String,
    name: String,
    category: String,
    org_id: Option<i64>,
    status: String,
    mobile: String,
    employer: String,
}

/// Write the search terms of the members with ids `from..=to` (again, from their current
/// record: running twice, or after an edit, leaves the same terms). Returns how many terms.
pub async fn index_members(db: &crate::storage::Db, from: i64, to: i64) -> anyhow::Result<usize> {
    let backend = db.backend();
    let mut cursor = from - 1;
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        // PostgreSQL: lock the members, so an edit of one (which rewrites its terms) waits
        // for this chunk or comes after it. SQLite's write transaction already excludes it.
        let lock = if backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let chunk: Vec<IndexRow> = sqlx::query_as(&format!(
            "SELECT id, kind, number, name, category, org_id, status, mobile, employer FROM member
                 WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3{lock}"
        ))
        .bind(cursor)
        .bind(to)
        .bind(INDEX_CHUNK)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = chunk.last().map(|c| c.id) else { break };
        let rows: Vec<BulkRow> = chunk
            .into_iter()
            .map(|r| BulkRow {
                id: r.id,
                kind: r.kind,
                number: r.number,
                name: r.name,
                category: r.category,
                org_id: r.org_id,
                status: r.status,
                mobile: r.mobile,
                employer: r.employer,
                ..BulkRow::default()
            })
            .collect();
        // The chunk's own members only: on PostgreSQL another member's id may fall inside the
        // range (ids are drawn from a shared sequence) and keep its terms.
        for ids in rows.chunks(500) {
            let mut sql = Sql::new("DELETE FROM member_term WHERE member_id IN ");
            sql.list(ids.iter().map(|r| r.id));
            sql.execute(&mut tx).await?;
        }
        // SQLite's default cache: a chunk's sorted terms touch each page once, and a larger
        // cache per chunk bought 2 s of 19 for 400 MB more memory (measured at a million).
        total += write_terms(&mut tx, backend, &rows, None).await?;
        tx.commit().await?;
        cursor = last;
    }
    if backend == Backend::Sqlite && total > 0 {
        // Fold the written pages into the database file now rather than leaving readers to
        // look them up in a large write-ahead log until the next automatic checkpoint.
        let mut conn = db.pool().acquire().await?;
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *conn).await?;
    }
    if total > 0 {
        crate::storage::analyze(db, &["member_term"]).await;
    }
    Ok(total)
}

/// The job: `{"batch": …, "from": …, "to": …}`.
pub async fn run_index_job(state: &crate::state::AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    let from = payload["from"].as_i64().unwrap_or(0);
    let to = payload["to"].as_i64().unwrap_or(-1);
    let started = std::time::Instant::now();
    let terms = index_members(&state.db, from, to).await?;
    tracing::info!(from, to, terms, ms = started.elapsed().as_millis(), "members indexed for search");
    Ok(())
}

/// The search terms of many rows in one text buffer, sorted by (term, row): about 12 bytes
/// per term besides the text, so a 100,000-row import's 2.4 million terms stay small.
struct SortedTerms {
    text: String,
    /// (start in `text`, row index, length in bytes)
    entries: Vec<(u32, u32, u16)>,
}

impl SortedTerms {
    fn of(rows: &[BulkRow]) -> SortedTerms {
        // About 25 terms of 5 bytes a member: no doubling of a large buffer.
        let mut text = String::with_capacity(rows.len() * 130);
        let mut entries = Vec::with_capacity(rows.len() * 26);
        for (i, r) in rows.iter().enumerate() {
            let set =
                search::terms(&Indexed { name: &r.name, number: &r.number, employer: &r.employer, mobile: &r.mobile });
            for term in set {
                let (Ok(start), Ok(row), Ok(len)) =
                    (u32::try_from(text.len()), u32::try_from(i), u16::try_from(term.len()))
                else {
                    continue;
                };
                text.push_str(&term);
                entries.push((start, row, len));
            }
        }
        let at = |e: &(u32, u32, u16)| &text[e.0 as usize..e.0 as usize + usize::from(e.2)];
        // Rows ascend with their ids, so (term, row) is the index's (term, member_id).
        entries.sort_unstable_by(|a, b| at(a).cmp(at(b)).then(a.1.cmp(&b.1)));
        SortedTerms { text, entries }
    }

    fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.entries.iter().map(|e| (&self.text[e.0 as usize..e.0 as usize + usize::from(e.2)], e.1 as usize))
    }
}
