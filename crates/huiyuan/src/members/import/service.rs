//! Import actions, each for someone who may import into the batch's org: read an upload
//! into a batch in preview, map its columns again, commit it, and the verdicts as a
//! workbook.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::evaluate::{evaluate, save_verdicts};
use super::mapping_json;
use super::query::{rows, visible};
use super::roster::{self, Mapping, Record, Rules};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::cpu::{self, OffRuntime};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::members::bulk::{self, BulkRow};
use crate::state::AppState;
use crate::storage::{Conn, OrgId, now_ms};

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

/// The short name of the city a batch imports into (or the province's direct members).
pub async fn city_name(conn: &mut Conn, org: Option<OrgId>) -> AppResult<String> {
    Ok(match org {
        Some(o) => crate::orgs::store::find(conn, o).await?.map(|o| o.short_name).unwrap_or_default(),
        None => Lang::Zh.t("member.direct").to_string(),
    })
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

/// Read an uploaded roster into a batch in preview, for the city `org` (None: province-
/// direct members). `Err(msg)`: the file as a whole is unusable (nothing is stored).
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    lang: Lang,
    org: Option<OrgId>,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<Result<i64, Msg>> {
    let path = crate::members::query::org_path(&mut *state.db.pool().acquire().await?, org).await?;
    if !actor.can_import_members(path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let owned = bytes.to_vec();
    let (read, sha) = cpu::run(move |off| {
        let sha: String = Sha256::digest(&owned).iter().map(|b| format!("{b:02x}")).collect();
        (super::file::read(&owned, off), sha)
    })
    .await?;
    let rows = match read {
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
    save_verdicts(&mut tx, &state.settings, id, &verdicts, blank).await?;
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
pub async fn remap(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    lang: Lang,
    id: i64,
    mapping: &Mapping,
) -> AppResult<()> {
    let batch = &visible(&mut *state.db.pool().acquire().await?, actor, id).await?;
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
    save_verdicts(&mut tx, &state.settings, batch.id, &verdicts, batch.blank_rows).await?;
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

/// What the city decided about the rows that wait for a decision.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Probable duplicates and flagged rows (by row number) to import all the same.
    pub rows: HashSet<i64>,
    /// Import every flagged row (with its marks).
    pub all_flagged: bool,
}

impl Choices {
    fn takes(&self, v: &super::evaluate::Verdict) -> bool {
        match v.verdict {
            "new" => true,
            "flagged" => self.all_flagged || self.rows.contains(&v.row_no),
            "probable" => self.rows.contains(&v.row_no),
            _ => false,
        }
    }
}

/// Import every row that is new, and the flagged rows and probable duplicates the importer
/// chose to import, in one transaction; returns how many members were added.
pub async fn commit(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    lang: Lang,
    id: i64,
    choices: &Choices,
) -> AppResult<usize> {
    let batch = &visible(&mut *state.db.pool().acquire().await?, actor, id).await?;
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
    let chosen: Vec<&Record> = verdicts.iter().filter(|v| choices.takes(v)).filter_map(|v| v.record.as_ref()).collect();
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
        let left = super::room::left(&mut tx, &state.settings, unit, &class).await?;
        if n > left {
            let findings = BTreeMap::from([(format!("need_all:{class}"), n)]);
            let room = super::room::rooms(&mut tx, &state.settings, unit, &findings).await?;
            let city = city_name(&mut tx, batch.org_id).await?;
            let msg = room.first().map(|r| r.refusal(&state.settings, &city, n));
            return Err(AppError::Conflict(
                msg.unwrap_or_else(|| Msg::new("err.numbers_used_up").arg("detail", &class)),
            ));
        }
        let first = bulk::reserve_numbers(&mut tx, unit, &class, n).await?;
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
            identity_key: (!r.id_missing()).then(|| r.identity_key.clone()),
            mobile: r.mobile.clone(),
            email: r.email.clone(),
            employer: r.employer.clone(),
            education: r.education.clone(),
            marks: r
                .marks
                .iter()
                .copied()
                .chain(r.id_missing().then_some("id_to_complete"))
                .collect::<Vec<_>>()
                .join(" "),
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
    // Other systems hear of each new member (bulk writes bypass the member's own event).
    let listeners = crate::webhooks::store::listening(&mut tx, "member.created").await?;
    for r in rows.iter().filter(|_| !listeners.is_empty()) {
        let data = json!({
            "member_id": r.id, "number": r.number, "kind": r.kind, "name": r.name, "category": r.category,
            "city_id": r.org_id, "joined_at": r.joined_at,
        });
        crate::webhooks::emit_to(&mut tx, &listeners, "member.created", r.org_id.map(OrgId), data).await?;
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
            "chosen": choices.rows.iter().collect::<std::collections::BTreeSet<_>>(),
            "all_flagged": choices.all_flagged,
            "marked": rows.iter().filter(|r| !r.marks.is_empty()).count(),
            "id_to_complete": rows.iter().filter(|r| r.identity_key.is_none()).count(),
        })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    crate::storage::analyze_soon(&state.db, &crate::storage::MEMBER_TABLES);
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
/// (bytes, file name).
pub async fn verdicts_xlsx(state: &AppState, actor: &Actor, lang: Lang, id: i64) -> AppResult<(Vec<u8>, String)> {
    let mut conn = state.db.pool().acquire().await?;
    let batch = visible(&mut conn, actor, id).await?;
    let rows = rows(&mut conn, batch.id, None, 0, i64::MAX).await?;
    let unit = if batch.status == "preview" { unit_of(state, &mut conn, batch.org_id).await? } else { 0 };
    let city = city_name(&mut conn, batch.org_id).await?;
    let summary = super::room::summary(&mut conn, &state.settings, lang, &batch, (unit, &city)).await?;
    drop(conn);
    let heading = batch.heading();
    let counts: Vec<(&'static str, i64)> = vec![
        ("import.v_new_label", batch.new_rows),
        ("import.v_flagged_label", batch.flagged_rows),
        ("import.v_probable_label", batch.probable_rows),
        ("import.v_duplicate_label", batch.duplicate_rows),
        ("import.v_invalid_label", batch.invalid_rows),
    ];
    let bytes = cpu::run(move |off| write_verdicts(lang, &heading, &rows, (&counts, &summary), off)).await??;
    let stem = batch.file_name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&batch.file_name);
    Ok((bytes, format!("{stem}-{}.xlsx", lang.t("import.verdict_file"))))
}

/// The rows with their verdicts and reasons, and a second sheet with the summary line: the
/// count of each verdict, the findings, the room in the number sequences.
/// The roster template, for whoever may import somewhere (403 for others).
pub async fn template(state: &AppState, actor: &Actor) -> AppResult<Vec<u8>> {
    if !actor.can_import_any_members() {
        return Err(AppError::Forbidden);
    }
    let columns = super::template::columns(&state.settings, Lang::Zh);
    Ok(cpu::run(move |off| super::template::workbook(&columns, off)).await??)
}

fn write_verdicts(
    lang: Lang,
    heading: &[String],
    rows: &[super::RowView],
    (counts, summary): (&[(&'static str, i64)], &super::room::Summary),
    _: &OffRuntime,
) -> anyhow::Result<Vec<u8>> {
    let verdict_label = |v: &str| {
        lang.t(match v {
            "new" => "import.v_new_label",
            "flagged" => "import.v_flagged_label",
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
                sheet.write_string(row, c as u16 + 1, crate::members::export::defuse(cell))?;
            }
        }
        sheet.write_string(row, n + 1, verdict_label(&r.verdict))?;
        if !r.message.is_empty() {
            sheet.write_string(row, n + 2, &r.message)?;
        }
    }
    sheet.set_column_width(n + 2, 60)?;
    let totals = workbook.add_worksheet();
    totals.set_name(lang.t("import.summary_sheet"))?;
    totals.set_column_width(0, 16)?;
    totals.set_column_width(1, 90)?;
    let mut at = 0u32;
    for (key, n) in counts {
        totals.write_string_with_format(at, 0, lang.t(key), &bold)?;
        totals.write_number(at, 1, *n as f64)?;
        at += 1;
    }
    for (label, lines) in [
        ("import.findings", &summary.findings),
        ("import.numbers", &summary.rooms),
        ("import.warning", &summary.room_short.iter().cloned().collect()),
    ] {
        for line in lines {
            totals.write_string_with_format(at, 0, lang.t(label).trim_end_matches('：'), &bold)?;
            totals.write_string(at, 1, line)?;
            at += 1;
        }
    }
    Ok(workbook.save_to_buffer()?)
}
