//! The census import (普查导入) of a city's existing roster: upload → preview with a verdict
//! per row (new; duplicate of member X; probable duplicate, needing a decision; invalid, with
//! the reasons) → commit every importable row in one transaction, or nothing.
//!
//! Importing the same file again changes nothing: its people are members by then, so every
//! row comes back a duplicate. Old unified numbers are kept when they are the city's and
//! free (the sequence moves past them); everyone else is numbered by the allocator's
//! sequences. The commit re-checks every row inside its transaction, so members added
//! between preview and commit are not imported twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::bulk::{self, BulkRow, Inserter};
use super::roster::{self, Field, Mapping, Record, Rules};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::{Conn, OrgId, Sql, now_ms};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Batch {
    pub id: i64,
    pub org_id: Option<OrgId>,
    pub created_by_name: String,
    pub file_name: String,
    pub file_sha256: String,
    pub heading_json: String,
    pub mapping_json: String,
    pub status: String,
    pub total_rows: i64,
    pub blank_rows: i64,
    pub new_rows: i64,
    pub duplicate_rows: i64,
    pub probable_rows: i64,
    pub invalid_rows: i64,
    pub imported_rows: i64,
    pub created_at: i64,
    pub committed_at: Option<i64>,
}

impl Batch {
    pub fn heading(&self) -> Vec<String> {
        serde_json::from_str(&self.heading_json).unwrap_or_default()
    }

    pub fn mapping(&self) -> Mapping {
        let by_key: BTreeMap<String, usize> = serde_json::from_str(&self.mapping_json).unwrap_or_default();
        by_key.into_iter().filter_map(|(k, c)| Field::parse(&k).map(|f| (f, c))).collect()
    }
}

fn mapping_json(m: &Mapping) -> String {
    let by_key: BTreeMap<&str, usize> = m.iter().map(|(f, c)| (f.key(), *c)).collect();
    serde_json::to_string(&by_key).unwrap_or_else(|_| "{}".into())
}

const BATCH_COLUMNS: &str = "id, org_id, created_by_name, file_name, file_sha256, heading_json, mapping_json, status,
    total_rows, blank_rows, new_rows, duplicate_rows, probable_rows, invalid_rows, imported_rows, created_at, committed_at";

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<Batch>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {BATCH_COLUMNS} FROM import_batch WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Recent batches of these orgs (None: all).
pub async fn recent(conn: &mut Conn, orgs: &Option<Vec<OrgId>>) -> Result<Vec<Batch>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {BATCH_COLUMNS} FROM import_batch WHERE 1 = 1"));
    super::store::push_scope(&mut sql, "org_id", orgs);
    sql.push(" ORDER BY id DESC LIMIT 20");
    sql.fetch_all(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RowView {
    pub row_no: i64,
    pub cells_json: String,
    pub verdict: String,
    pub message: String,
    pub match_member_id: Option<i64>,
}

impl RowView {
    pub fn cells(&self) -> Vec<String> {
        serde_json::from_str(&self.cells_json).unwrap_or_default()
    }
}

/// A page of a batch's rows, optionally of one verdict.
pub async fn rows(
    conn: &mut Conn,
    batch: i64,
    verdict: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<RowView>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT row_no, cells_json, verdict, message, match_member_id FROM import_row WHERE batch_id = ");
    sql.bind(batch);
    if let Some(v) = verdict {
        sql.push(" AND verdict = ").bind(v.to_string());
    }
    sql.push(" ORDER BY row_no LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    sql.fetch_all(conn).await
}

/// The numbering unit of an import's org (None: the province).
pub async fn unit_of(state: &AppState, conn: &mut Conn, org: Option<OrgId>) -> AppResult<i64> {
    let code = match org {
        Some(o) => Some(crate::orgs::store::find(conn, o).await?.ok_or(AppError::NotFound)?.code),
        None => None,
    };
    state
        .settings
        .number_unit(code.as_deref())
        .ok_or_else(|| AppError::Conflict(Msg::new("err.no_number_unit").arg("code", code.unwrap_or_default())))
}

/// One row's outcome.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub row_no: i64,
    pub cells: Vec<String>,
    pub verdict: &'static str,
    pub message: String,
    pub member: Option<i64>,
    pub record: Option<Record>,
}

/// An existing member a row may be.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Known {
    id: i64,
    number: String,
    name: String,
    identity_key: Option<String>,
    mobile: String,
    birth_date: String,
    employer: String,
}

async fn known_by(conn: &mut Conn, column: &str, values: &[String]) -> Result<Vec<Known>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in values.chunks(200) {
        let mut sql = Sql::new(&format!(
            "SELECT id, number, name, identity_key, mobile, birth_date, employer FROM member WHERE {column} IN "
        ));
        sql.list(chunk.iter().cloned());
        out.extend(sql.fetch_all::<Known>(&mut *conn).await?);
    }
    Ok(out)
}

/// Members who share a name with a record and also its mobile, birth date or employer: the
/// only ones a probable duplicate can be (asked for in chunks; same-name members without
/// a shared detail never leave the database).
async fn probable_candidates(conn: &mut Conn, records: &[&Record]) -> Result<Vec<Known>, sqlx::Error> {
    // By distinct name, so each name's members are read once however often it recurs.
    let mut by_name: HashMap<&str, Vec<&Record>> = HashMap::new();
    for r in records {
        by_name.entry(r.name.as_str()).or_default().push(r);
    }
    let names: Vec<&str> = by_name.keys().copied().collect();
    let mut out = Vec::new();
    for chunk in names.chunks(100) {
        let of = |pick: fn(&Record) -> &str| -> Vec<String> {
            let set: HashSet<&str> = chunk
                .iter()
                .flat_map(|n| by_name.get(n).into_iter().flatten().map(|r| pick(r)))
                .filter(|v| !v.is_empty())
                .collect();
            set.into_iter().map(str::to_string).collect()
        };
        let mut sql =
            Sql::new("SELECT id, number, name, identity_key, mobile, birth_date, employer FROM member WHERE name IN ");
        sql.list(chunk.iter().map(|n| n.to_string()));
        sql.push(" AND (mobile IN ").list(of(|r| &r.mobile));
        sql.push(" OR birth_date IN ").list(of(|r| &r.birth_date));
        sql.push(" OR employer IN ").list(of(|r| &r.employer)).push(")");
        out.extend(sql.fetch_all::<Known>(&mut *conn).await?);
    }
    Ok(out)
}

/// Check every row against the rules, the registry and the rest of the file.
pub async fn evaluate(
    conn: &mut Conn,
    rules: &Rules<'_>,
    lang: Lang,
    rows: Vec<(i64, Vec<String>)>,
    mapping: &Mapping,
) -> Result<(Vec<Verdict>, i64), sqlx::Error> {
    let mut blank = 0;
    let mut out: Vec<Verdict> = Vec::with_capacity(rows.len());
    for (row_no, cells) in rows {
        if roster::is_blank(&cells) {
            blank += 1;
            continue;
        }
        let (verdict, message, record) = match roster::record(&cells, mapping, rules) {
            Ok(r) => ("new", String::new(), Some(r)),
            Err(errors) => ("invalid", errors.iter().map(|m| lang.render(m)).collect::<Vec<_>>().join("；"), None),
        };
        out.push(Verdict { row_no, cells, verdict, message, member: None, record });
    }
    let keys: Vec<String> = out.iter().filter_map(|v| v.record.as_ref().map(|r| r.identity_key.clone())).collect();
    let by_key: HashMap<String, Known> = known_by(conn, "identity_key", &keys)
        .await?
        .into_iter()
        .filter_map(|k| Some((k.identity_key.clone()?, k)))
        .collect();
    let numbers: Vec<String> = out.iter().filter_map(|v| v.record.as_ref().and_then(|r| r.number.clone())).collect();
    let by_number: HashMap<String, Known> =
        known_by(conn, "number", &numbers).await?.into_iter().map(|k| (k.number.clone(), k)).collect();
    let records: Vec<&Record> = out.iter().filter_map(|v| v.record.as_ref()).collect();
    let mut by_name: HashMap<String, Vec<Known>> = HashMap::new();
    for k in probable_candidates(conn, &records).await? {
        by_name.entry(k.name.clone()).or_default().push(k);
    }
    let mut seen_keys: HashMap<String, i64> = HashMap::new();
    let mut seen_numbers: HashMap<String, i64> = HashMap::new();
    for v in out.iter_mut() {
        let Some(r) = &v.record else { continue };
        let say = |m: Msg| lang.render(&m);
        if let Some(k) = by_key.get(&r.identity_key) {
            v.verdict = "duplicate";
            v.message = say(Msg::new("import.v_duplicate").arg("name", &k.name).arg("number", &k.number));
            v.member = Some(k.id);
        } else if let Some(first) = seen_keys.get(&r.identity_key) {
            v.verdict = "invalid";
            v.message = say(Msg::new("import.v_same_person").arg("row", first));
        } else if let Some(taken) = r.number.as_ref().and_then(|n| by_number.get(n)) {
            v.verdict = "invalid";
            v.message = say(Msg::new("import.v_number_taken").arg("number", &taken.number).arg("name", &taken.name));
        } else if let Some(first) = r.number.as_ref().and_then(|n| seen_numbers.get(n)) {
            v.verdict = "invalid";
            v.message = say(Msg::new("import.v_number_twice").arg("row", first));
        } else {
            let probable = by_name.get(&r.name).and_then(|candidates| {
                candidates.iter().find_map(|k| {
                    let reason = if !r.mobile.is_empty() && k.mobile == r.mobile {
                        "import.why_mobile"
                    } else if !r.birth_date.is_empty() && k.birth_date == r.birth_date {
                        "import.why_birth"
                    } else if !r.employer.is_empty() && k.employer == r.employer {
                        "import.why_employer"
                    } else {
                        return None;
                    };
                    Some((k, reason))
                })
            });
            if let Some((k, reason)) = probable {
                v.verdict = "probable";
                v.message = say(Msg::new("import.v_probable")
                    .arg("name", &k.name)
                    .arg("number", &k.number)
                    .arg("why", lang.t(reason)));
                v.member = Some(k.id);
            }
        }
        if v.verdict != "invalid" {
            seen_keys.entry(r.identity_key.clone()).or_insert(v.row_no);
            if let Some(n) = &r.number {
                seen_numbers.entry(n.clone()).or_insert(v.row_no);
            }
        }
    }
    Ok((out, blank))
}

/// Replace a batch's rows and counts with these verdicts.
async fn save_verdicts(conn: &mut Conn, batch: i64, verdicts: &[Verdict], blank: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM import_row WHERE batch_id = $1").bind(batch).execute(&mut *conn).await?;
    let mut rows = Inserter::new(
        "INSERT INTO import_row (batch_id, row_no, cells_json, verdict, message, match_member_id) VALUES ",
        40,
    );
    for v in verdicts {
        let sql = rows.row();
        sql.push("(").bind(batch).push(", ").bind(v.row_no).push(", ");
        sql.bind(serde_json::to_string(&v.cells).unwrap_or_else(|_| "[]".into())).push(", ");
        sql.bind(v.verdict.to_string()).push(", ").bind(v.message.clone()).push(", ").bind(v.member).push(")");
        rows.flush(conn, false).await?;
    }
    rows.flush(conn, true).await?;
    let count = |k: &str| i64::try_from(verdicts.iter().filter(|v| v.verdict == k).count()).unwrap_or(0);
    sqlx::query(
        "UPDATE import_batch SET total_rows = $1, blank_rows = $2, new_rows = $3, duplicate_rows = $4,
            probable_rows = $5, invalid_rows = $6 WHERE id = $7",
    )
    .bind(i64::try_from(verdicts.len()).unwrap_or(0) + blank)
    .bind(blank)
    .bind(count("new"))
    .bind(count("duplicate"))
    .bind(count("probable"))
    .bind(count("invalid"))
    .bind(batch)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn org_key(org: Option<OrgId>) -> i64 {
    org.map(|o| o.0).unwrap_or(0)
}

async fn remembered(conn: &mut Conn, org: Option<OrgId>) -> Result<BTreeMap<String, String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT mapping_json FROM import_mapping WHERE org_key = $1")
        .bind(org_key(org))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(|(j,)| serde_json::from_str(&j).ok()).unwrap_or_default())
}

async fn remember(conn: &mut Conn, org: Option<OrgId>, heading: &[String], m: &Mapping) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(&roster::remember(heading, m)).unwrap_or_else(|_| "{}".into());
    sqlx::query(
        "INSERT INTO import_mapping (org_key, mapping_json, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (org_key) DO UPDATE SET mapping_json = excluded.mapping_json, updated_at = excluded.updated_at",
    )
    .bind(org_key(org))
    .bind(json)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Read an uploaded roster into a batch in preview. `Err(msg)`: the file as a whole is
/// unusable (nothing is stored).
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    lang: Lang,
    org: Option<OrgId>,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<Result<i64, Msg>> {
    let rows = match roster::read(bytes) {
        Ok(rows) => rows,
        Err(problem) => return Ok(Err(problem.msg())),
    };
    let at = match roster::find_heading(&rows) {
        Ok(at) => at,
        Err(problem) => return Ok(Err(problem.msg())),
    };
    let heading: Vec<String> = rows[at].iter().map(|h| crate::text::normalize_line(h)).collect();
    let data: Vec<(i64, Vec<String>)> =
        rows.into_iter().enumerate().skip(at + 1).map(|(i, r)| (i64::try_from(i).unwrap_or(0) + 1, r)).collect();
    if data.iter().all(|(_, r)| roster::is_blank(r)) {
        return Ok(Err(Msg::new("import.err_no_rows")));
    }
    let sha: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let mut tx = state.db.begin().await?;
    let unit = unit_of(state, &mut tx, org).await?;
    let mapping = roster::auto_mapping(&heading, &remembered(&mut tx, org).await?);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO import_batch (org_id, created_by, created_by_name, file_name, file_sha256, heading_json,
            mapping_json, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'preview', $8) RETURNING id",
    )
    .bind(org)
    .bind(actor.user_id)
    .bind(&who.name)
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(&sha)
    .bind(serde_json::to_string(&heading).unwrap_or_else(|_| "[]".into()))
    .bind(mapping_json(&mapping))
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let rules = Rules { settings: &state.settings, unit, today: state.settings.locale.today() };
    let (verdicts, blank) = evaluate(&mut tx, &rules, lang, data, &mapping).await?;
    save_verdicts(&mut tx, id, &verdicts, blank).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.import_preview", "import", id, file_name)
            .org_opt(org)
            .after(json!({ "sha256": sha, "rows": verdicts.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// The stored rows of a batch (cells), in order.
async fn stored_cells(conn: &mut Conn, batch: i64) -> Result<Vec<(i64, Vec<String>)>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT row_no, cells_json FROM import_row WHERE batch_id = $1 ORDER BY row_no")
            .bind(batch)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(n, j)| (n, serde_json::from_str(&j).unwrap_or_default())).collect())
}

/// Map the columns differently and check every row again; the city's mapping is remembered.
pub async fn remap(state: &AppState, who: &Who, lang: Lang, batch: &Batch, mapping: &Mapping) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("UPDATE import_batch SET mapping_json = $1 WHERE id = $2 AND status = 'preview'")
        .bind(mapping_json(mapping))
        .bind(batch.id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Msg::new("import.err_not_preview")));
    }
    let unit = unit_of(state, &mut tx, batch.org_id).await?;
    let rules = Rules { settings: &state.settings, unit, today: state.settings.locale.today() };
    let cells = stored_cells(&mut tx, batch.id).await?;
    let (verdicts, _) = evaluate(&mut tx, &rules, lang, cells, mapping).await?;
    save_verdicts(&mut tx, batch.id, &verdicts, batch.blank_rows).await?;
    remember(&mut tx, batch.org_id, &batch.heading(), mapping).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.import_preview", "import", batch.id, &batch.file_name)
            .org_opt(batch.org_id)
            .after(json!({ "mapping": roster::remember(&batch.heading(), mapping) })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Import every row that is new, and the probable duplicates the importer chose to import,
/// in one transaction; returns how many members were added.
pub async fn commit(
    state: &AppState,
    who: &Who,
    lang: Lang,
    batch: &Batch,
    import_probable: &HashSet<i64>,
) -> AppResult<usize> {
    let mut tx = state.db.begin().await?;
    // Claim the batch first: a second commit waits here and then finds it committed.
    let claimed = sqlx::query(
        "UPDATE import_batch SET status = 'committed', committed_at = $1 WHERE id = $2 AND status = 'preview'",
    )
    .bind(now_ms())
    .bind(batch.id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::Conflict(Msg::new("import.err_not_preview")));
    }
    let unit = unit_of(state, &mut tx, batch.org_id).await?;
    let rules = Rules { settings: &state.settings, unit, today: state.settings.locale.today() };
    let mapping = batch.mapping();
    let started = std::time::Instant::now();
    let cells = stored_cells(&mut tx, batch.id).await?;
    let (verdicts, _) = evaluate(&mut tx, &rules, lang, cells, &mapping).await?;
    let checked = started.elapsed();
    let chosen: Vec<&Record> = verdicts
        .iter()
        .filter(|v| v.verdict == "new" || (v.verdict == "probable" && import_probable.contains(&v.row_no)))
        .filter_map(|v| v.record.as_ref())
        .collect();
    // Numbers: kept ones move their sequence past them; the rest are drawn in runs.
    let class_of = |category: &str| {
        state.settings.category(category).map(|c| c.number_class.clone()).unwrap_or_else(|| "M".into())
    };
    let mut numbers: Vec<Option<String>> = vec![None; chosen.len()];
    for (i, r) in chosen.iter().enumerate() {
        if let Some((class, seq)) = r.number.as_deref().and_then(|n| roster::number_seq(&rules, n)) {
            bulk::skip_past(&mut tx, unit, &class, seq).await?;
            numbers[i] = r.number.clone();
        }
    }
    let mut need: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in chosen.iter().enumerate() {
        if numbers[i].is_none() {
            need.entry(class_of(&r.category)).or_default().push(i);
        }
    }
    for (class, rows) in need {
        let n = i64::try_from(rows.len()).unwrap_or(0);
        let first = bulk::reserve_numbers(&mut tx, unit, &class, n).await?;
        if first + n - 1 > state.settings.numbering.max_sequence() {
            return Err(AppError::Conflict(Msg::new("err.numbers_used_up").arg("detail", format!("{unit}{class}"))));
        }
        for (k, i) in rows.into_iter().enumerate() {
            numbers[i] = Some(state.settings.member_number(unit, first + i64::try_from(k).unwrap_or(0), &class));
        }
    }
    let ids = bulk::reserve_ids(&mut tx, state.db.backend(), chosen.len()).await?;
    let offset = state.settings.locale.utc_offset();
    let today = state.settings.locale.today();
    let rows: Vec<BulkRow> = chosen
        .iter()
        .zip(ids)
        .zip(numbers)
        .map(|((r, id), number)| BulkRow {
            id,
            kind: r.kind.clone(),
            number: number.unwrap_or_default(),
            name: r.name.clone(),
            category: r.category.clone(),
            org_id: batch.org_id.map(|o| o.0),
            status: "active".into(),
            joined_at: r.joined.unwrap_or(today).midnight().assume_offset(offset).unix_timestamp() * 1000,
            gender: r.gender.clone(),
            birth_date: r.birth_date.clone(),
            id_number: r.id_number.clone(),
            identity_key: Some(r.identity_key.clone()),
            mobile: r.mobile.clone(),
            email: r.email.clone(),
            employer: r.employer.clone(),
        })
        .collect();
    let reason = format!("{} #{} {}", lang.t("import.event"), batch.id, batch.file_name);
    let numbered = started.elapsed();
    // The members are in with this transaction; their search terms follow in the background
    // (a 100,000-row import's 2.4 million terms into a large index take longer than the rest).
    let terms = bulk::write(&mut tx, state.db.backend(), &rows, offset, (&reason, bulk::Terms::Later)).await?;
    if let (Some(first), Some(last)) = (rows.iter().map(|r| r.id).min(), rows.iter().map(|r| r.id).max()) {
        crate::jobs::enqueue(&mut tx, bulk::JOB_TERMS, json!({ "batch": batch.id, "from": first, "to": last }), 5)
            .await?;
    }
    let written = started.elapsed();
    sqlx::query("UPDATE import_batch SET imported_rows = $1 WHERE id = $2")
        .bind(i64::try_from(rows.len()).unwrap_or(0))
        .bind(batch.id)
        .execute(&mut *tx)
        .await?;
    remember(&mut tx, batch.org_id, &batch.heading(), &mapping).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.import", "import", batch.id, &batch.file_name).org_opt(batch.org_id).after(json!({
            "imported": rows.len(),
            "duplicates": verdicts.iter().filter(|v| v.verdict == "duplicate").count(),
            "invalid": verdicts.iter().filter(|v| v.verdict == "invalid").count(),
            "probable_imported": import_probable.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    tracing::info!(
        batch = batch.id,
        rows = rows.len(),
        terms,
        checked_ms = checked.as_millis(),
        numbered_ms = (numbered - checked).as_millis(),
        written_ms = (written - numbered).as_millis(),
        committed_ms = (started.elapsed() - written).as_millis(),
        "roster import committed"
    );
    Ok(rows.len())
}

/// The verdicts as a workbook: the roster's own columns, then the verdict and the reasons.
pub async fn verdicts_xlsx(state: &AppState, lang: Lang, batch: &Batch) -> anyhow::Result<Vec<u8>> {
    let mut conn = state.db.pool().acquire().await?;
    let rows = rows(&mut conn, batch.id, None, 0, i64::MAX).await?;
    drop(conn);
    let heading = batch.heading();
    let verdict_label = |v: &str| {
        lang.t(match v {
            "new" => "import.v_new_label",
            "duplicate" => "import.v_duplicate_label",
            "probable" => "import.v_probable_label",
            _ => "import.v_invalid_label",
        })
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let dir = tempfile::tempdir()?;
    workbook.set_tempdir(dir.path())?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(lang.t("import.sheet"))?;
    let n = heading.len() as u16;
    sheet.write_string_with_format(0, 0, lang.t("import.row_no"), &bold)?;
    for (c, h) in heading.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16 + 1, h, &bold)?;
    }
    sheet.write_string_with_format(0, n + 1, lang.t("import.verdict"), &bold)?;
    sheet.write_string_with_format(0, n + 2, lang.t("import.message"), &bold)?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_number(row, 0, r.row_no as f64)?;
        for (c, cell) in r.cells().iter().enumerate().take(usize::from(n)) {
            if !cell.is_empty() {
                sheet.write_string(row, c as u16 + 1, super::export::defuse(cell))?;
            }
        }
        sheet.write_string(row, n + 1, verdict_label(&r.verdict))?;
        if !r.message.is_empty() {
            sheet.write_string(row, n + 2, &r.message)?;
        }
    }
    sheet.set_column_width(n + 2, 60)?;
    Ok(workbook.save_to_buffer()?)
}
