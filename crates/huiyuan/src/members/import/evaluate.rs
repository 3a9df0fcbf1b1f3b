//! Judging each roster row: invalid (with every reason); new; flagged — importable, with
//! findings the city decides on (education below the joining minimum, an age outside the
//! category's range); a duplicate of a member; a probable duplicate of a member or, for a row
//! without an ID number, of another row (by the registry's duplicate rules); or the same
//! person or number as an earlier row of the file.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::roster::{self, Mapping, Record, Rules};
use crate::config::Settings;
use crate::i18n::{Lang, Msg};
use crate::members::bulk::Inserter;
use crate::members::duplicates::{Person, SHARED, probably_same};
use crate::storage::{Conn, Sql};

/// One row's outcome.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub row_no: i64,
    pub cells: Vec<String>,
    pub verdict: &'static str,
    pub message: String,
    pub member: Option<i64>,
    /// The record to import, for rows that may be imported (new, flagged, probable).
    pub record: Option<Record>,
    /// False for a probable duplicate without the ID number the settings require.
    pub can_import: bool,
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
        let of = |column: &str| -> Vec<String> {
            let set: HashSet<&str> = chunk
                .iter()
                .flat_map(|n| by_name.get(n).into_iter().flatten().map(|r| r.person().detail(column)))
                .filter(|v| !v.is_empty())
                .collect();
            set.into_iter().map(str::to_string).collect()
        };
        let mut sql =
            Sql::new("SELECT id, number, name, identity_key, mobile, birth_date, employer FROM member WHERE name IN ");
        sql.list(chunk.iter().map(|n| n.to_string()));
        // The duplicate rules' details, each as its column.
        for (i, (column, _)) in SHARED.iter().enumerate() {
            sql.push(if i == 0 { " AND (" } else { " OR " }).push(column).push(" IN ").list(of(column));
        }
        sql.push(")");
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
    let mut read: Vec<(i64, Vec<String>, roster::Checked)> = Vec::with_capacity(rows.len());
    for (row_no, cells) in rows {
        if roster::is_blank(&cells) {
            blank += 1;
            continue;
        }
        let checked = roster::check(&cells, mapping, rules);
        read.push((row_no, cells, checked));
    }
    // Rows that may be someone: sound ones, and those whose only fault is the missing number.
    let judged = |c: &roster::Checked| c.errors.is_empty() || c.only_id_missing;
    let keys: Vec<String> = read
        .iter()
        .filter(|(_, _, c)| c.errors.is_empty() && !c.record.id_missing())
        .map(|(_, _, c)| c.record.identity_key.clone())
        .collect();
    let by_key: HashMap<String, Known> = known_by(conn, "identity_key", &keys)
        .await?
        .into_iter()
        .filter_map(|k| Some((k.identity_key.clone()?, k)))
        .collect();
    let numbers: Vec<String> =
        read.iter().filter(|(_, _, c)| c.errors.is_empty()).filter_map(|(_, _, c)| c.record.number.clone()).collect();
    let by_number: HashMap<String, Known> =
        known_by(conn, "number", &numbers).await?.into_iter().map(|k| (k.number.clone(), k)).collect();
    let records: Vec<&Record> = read.iter().filter(|(_, _, c)| judged(c)).map(|(_, _, c)| &c.record).collect();
    let mut by_name: HashMap<String, Vec<Known>> = HashMap::new();
    for k in probable_candidates(conn, &records).await? {
        by_name.entry(k.name.clone()).or_default().push(k);
    }
    // Everyone the file names, for the rows without an ID number.
    let mut in_file: HashMap<&str, Vec<(i64, &Record)>> = HashMap::new();
    for (row_no, _, c) in &read {
        if !c.record.name.is_empty() {
            in_file.entry(c.record.name.as_str()).or_default().push((*row_no, &c.record));
        }
    }
    let say = |m: &Msg| lang.render(m);
    let registry_match = |r: &Record| {
        by_name.get(&r.name).and_then(|candidates| {
            candidates.iter().find_map(|k| {
                let known =
                    Person { name: &k.name, mobile: &k.mobile, birth_date: &k.birth_date, employer: &k.employer };
                probably_same(&r.person(), &known).map(|why| (k, why))
            })
        })
    };
    let mut seen_keys: HashMap<String, i64> = HashMap::new();
    let mut seen_numbers: HashMap<String, i64> = HashMap::new();
    let mut out: Vec<Verdict> = Vec::with_capacity(read.len());
    for (row_no, cells, c) in &read {
        let r = &c.record;
        let mut v = Verdict {
            row_no: *row_no,
            cells: cells.clone(),
            verdict: "invalid",
            message: c.errors.iter().map(say).collect::<Vec<_>>().join("；"),
            member: None,
            record: None,
            can_import: true,
        };
        if !judged(c) {
            out.push(v);
            continue;
        }
        let mut found: Option<String> = None;
        if r.id_missing() {
            // Someone without an ID number may still be someone the registry or the file has:
            // a row with a number anywhere in the file, or an earlier one without (so of two
            // such rows the first is new and the second names it).
            if let Some((k, why)) = registry_match(r) {
                found = Some(say(&Msg::new("import.v_probable")
                    .arg("name", &k.name)
                    .arg("number", &k.number)
                    .arg("why", lang.t(why))));
                v.verdict = "probable";
                v.member = Some(k.id);
            } else if let Some((other, why)) = in_file.get(r.name.as_str()).and_then(|rows| {
                rows.iter()
                    .filter(|(n, o)| n != row_no && (!o.id_missing() || n < row_no))
                    .find_map(|(n, o)| probably_same(&r.person(), &o.person()).map(|why| (*n, why)))
            }) {
                found = Some(say(&Msg::new("import.v_probable_row").arg("row", other).arg("why", lang.t(why))));
                v.verdict = "probable";
            } else if !c.only_id_missing {
                v.verdict = "new";
            }
            v.can_import = !c.only_id_missing;
        } else if let Some(k) = by_key.get(&r.identity_key) {
            v.verdict = "duplicate";
            found = Some(say(&Msg::new("import.v_duplicate").arg("name", &k.name).arg("number", &k.number)));
            v.member = Some(k.id);
        } else if let Some(first) = seen_keys.get(&r.identity_key) {
            found = Some(say(&Msg::new("import.v_same_person").arg("row", first)));
        } else if let Some(taken) = r.number.as_ref().and_then(|n| by_number.get(n)) {
            found = Some(say(&Msg::new("import.v_number_taken").arg("number", &taken.number).arg("name", &taken.name)));
        } else if let Some(first) = r.number.as_ref().and_then(|n| seen_numbers.get(n)) {
            found = Some(say(&Msg::new("import.v_number_twice").arg("row", first)));
        } else if let Some((k, why)) = registry_match(r) {
            v.verdict = "probable";
            found = Some(say(&Msg::new("import.v_probable")
                .arg("name", &k.name)
                .arg("number", &k.number)
                .arg("why", lang.t(why))));
            v.member = Some(k.id);
        } else {
            v.verdict = "new";
        }
        if v.verdict == "new" && !r.marks.is_empty() {
            v.verdict = "flagged";
        }
        // The reasons in order: what is wrong, who it may be, what the city decides on.
        let mut parts: Vec<String> = c.errors.iter().map(say).collect();
        parts.extend(found);
        if v.verdict != "invalid" && v.verdict != "duplicate" {
            parts.extend(r.notes.iter().map(say));
        }
        v.message = parts.join("；");
        if v.verdict != "invalid" && v.verdict != "duplicate" && v.can_import {
            v.record = Some(r.clone());
        }
        if v.verdict != "invalid" && !r.id_missing() {
            seen_keys.entry(r.identity_key.clone()).or_insert(v.row_no);
            if let Some(n) = &r.number {
                seen_numbers.entry(n.clone()).or_insert(v.row_no);
            }
        }
        out.push(v);
    }
    Ok((out, blank))
}

/// How many rows each finding concerns — the summary line's figures — and the new numbers
/// of each class that the new rows need (`need:M`) and that every importable row would
/// (`need_all:M`; rows keeping an old number need none).
pub fn findings(verdicts: &[Verdict], settings: &Settings) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let mut add = |key: String| *out.entry(key).or_insert(0) += 1;
    for v in verdicts {
        let Some(r) = &v.record else {
            if v.verdict == "probable" {
                add("probable_without_id".into());
            }
            continue;
        };
        for mark in &r.marks {
            add((*mark).to_string());
        }
        if r.id_missing() {
            add("id_to_complete".into());
        }
        if r.number.is_none() {
            let class = settings.category(&r.category).map_or("M", |c| c.number_class.as_str());
            if v.verdict == "new" {
                add(format!("need:{class}"));
            }
            add(format!("need_all:{class}"));
        }
    }
    out
}

/// Replace a batch's rows and counts with these verdicts.
pub(super) async fn save_verdicts(
    conn: &mut Conn,
    settings: &Settings,
    batch: i64,
    verdicts: &[Verdict],
    blank: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM import_row WHERE batch_id = $1").bind(batch).execute(&mut *conn).await?;
    let mut rows = Inserter::new(
        "INSERT INTO import_row (batch_id, row_no, cells_json, verdict, message, match_member_id, can_import) VALUES ",
        35,
    );
    for v in verdicts {
        let sql = rows.row();
        sql.push("(").bind(batch).push(", ").bind(v.row_no).push(", ");
        sql.bind(serde_json::to_string(&v.cells).unwrap_or_else(|_| "[]".into())).push(", ");
        sql.bind(v.verdict.to_string()).push(", ").bind(v.message.clone()).push(", ").bind(v.member).push(", ");
        sql.bind(i64::from(v.can_import)).push(")");
        rows.flush(conn, false).await?;
    }
    rows.flush(conn, true).await?;
    let count = |k: &str| i64::try_from(verdicts.iter().filter(|v| v.verdict == k).count()).unwrap_or(0);
    sqlx::query(
        "UPDATE import_batch SET total_rows = $1, blank_rows = $2, new_rows = $3, duplicate_rows = $4,
            probable_rows = $5, invalid_rows = $6, flagged_rows = $7, findings_json = $8 WHERE id = $9",
    )
    .bind(i64::try_from(verdicts.len()).unwrap_or(0) + blank)
    .bind(blank)
    .bind(count("new"))
    .bind(count("duplicate"))
    .bind(count("probable"))
    .bind(count("invalid"))
    .bind(count("flagged"))
    .bind(serde_json::to_string(&findings(verdicts, settings)).unwrap_or_else(|_| "{}".into()))
    .bind(batch)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
