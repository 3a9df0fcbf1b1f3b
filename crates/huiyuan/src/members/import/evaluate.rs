//! Judging each roster row: invalid (with every reason), new, a duplicate of a member, a
//! probable duplicate (the same name and a shared mobile, birth date or employer), or the
//! same person or number as an earlier row of the file.

use std::collections::{HashMap, HashSet};

use super::roster::{self, Mapping, Record, Rules};
use crate::i18n::{Lang, Msg};
use crate::members::bulk::Inserter;
use crate::storage::{Conn, Sql};

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
pub(super) async fn save_verdicts(
    conn: &mut Conn,
    batch: i64,
    verdicts: &[Verdict],
    blank: i64,
) -> Result<(), sqlx::Error> {
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
