//! Target and report actions, each one transaction with its audit record and the
//! permission decided here: writing the years' targets from the settings, the
//! secretariat's change of a city's target, a city handing in its progress report (the
//! figures frozen in the same transaction), and the secretariat accepting or returning it.

use super::query::{self, FIRST_YEAR};
use super::report::{self, Submission};
use super::{TargetInput, store};
use crate::audit::Who;
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files;
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::{Conn, Db, OrgId};

/// At most this many files with one report.
pub const MAX_FILES: usize = 5;
/// The narrative's length limit, in characters.
const MAX_NARRATIVE: usize = 5000;

/// Write a year's targets from the settings if it has none at all (a year once written
/// keeps its cities: one added later starts with the next year written).
async fn ensure_unwritten(tx: &mut Conn, settings: &Settings, year: i32) -> anyhow::Result<u64> {
    if !store::for_year(tx, year).await?.is_empty() {
        return Ok(0);
    }
    Ok(store::ensure_year(tx, settings, year).await?)
}

/// Give every year from 2014 to next year that has no targets yet its targets from the
/// settings (at every start). Returns how many were written.
pub async fn ensure_years(db: &Db, settings: &Settings) -> anyhow::Result<u64> {
    let mut tx = db.begin().await?;
    let mut added = 0;
    for year in FIRST_YEAR..=settings.locale.today().year() + 1 {
        added += ensure_unwritten(&mut tx, settings, year).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// Give next year its targets once it comes within range (the worker, each time it tidies
/// up: on the first of January a new year appears).
pub async fn ensure_next_year(db: &Db, settings: &Settings) -> anyhow::Result<u64> {
    let mut tx = db.begin().await?;
    let added = ensure_unwritten(&mut tx, settings, settings.locale.today().year() + 1).await?;
    tx.commit().await?;
    Ok(added)
}

/// The secretariat changes a city's target for a year, with a reason (kept as history and
/// audited). Answers the city's name.
pub async fn save_target(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    (year, org): (i32, OrgId),
    input: &TargetInput,
) -> AppResult<Result<String, FieldErrors>> {
    if !actor.can_edit_targets() {
        return Err(AppError::Forbidden);
    }
    let (ranges, reason) = match input.check(i64::from(year)) {
        Ok(ok) => ok,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut tx = state.db.begin().await?;
    let (city, _) = query::city_target(&mut tx, &state.settings, actor, (year, org)).await?;
    // A year not written yet is written first, so the history starts from its targets.
    ensure_unwritten(&mut tx, &state.settings, year).await?;
    store::set(&mut tx, who, year, (org, &city), &ranges, &reason).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(city))
}

/// The kinds of file a report may carry: documents, spreadsheets, scans and photos.
fn accepted(kind: files::Kind) -> bool {
    !matches!(kind, files::Kind::Zip)
}

/// A file sent with a report: its name and bytes.
pub type Upload = (String, axum::body::Bytes);

/// A city's administrator hands in the year's progress report: the narrative, up to
/// [`MAX_FILES`] files, and the figures of this moment, frozen. Field errors (worded in
/// `lang`) say what is wrong with what was sent. Answers the city's name.
pub async fn submit_report(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    (year, org): (i32, OrgId),
    (narrative, uploads): (&str, &[Upload]),
    lang: Lang,
) -> AppResult<Result<String, FieldErrors>> {
    let mut conn = state.db.pool().acquire().await?;
    let (city, target) = query::reporter(&mut conn, &state.settings, actor, (year, org)).await?;
    drop(conn);
    let narrative = crate::text::normalize_block(narrative);
    let mut errors = FieldErrors::new();
    if year > state.settings.locale.today().year() {
        errors.add("report", Msg::new("report.err_future").arg("year", year));
    }
    if narrative.is_empty() {
        errors.add("narrative", Msg::new("report.err_narrative"));
    } else if narrative.chars().count() > MAX_NARRATIVE {
        errors.add("narrative", Msg::new("report.err_narrative_long").arg("max", MAX_NARRATIVE));
    }
    let mut kinds = Vec::new();
    if uploads.len() > MAX_FILES {
        errors.add("file", Msg::new("report.err_files").arg("max", MAX_FILES));
    }
    for (name, bytes) in uploads {
        match files::check_upload(name, bytes, state.settings.uploads.max_bytes) {
            Ok(kind) if accepted(kind) => kinds.push(kind),
            Ok(_) => errors.add("file", Msg::new("report.err_file_type").arg("name", name)),
            Err(msg) => errors.add("file", Msg::new("report.err_file").arg("name", name).arg("why", lang.render(&msg))),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = state.db.begin().await?;
    // The figures of this moment, read in the transaction that hands the report in.
    let frozen = query::live(&mut tx, &state.settings, &target).await?;
    let submission = Submission {
        year,
        org: (org, &city),
        frozen: &frozen,
        narrative: &narrative,
        late: query::deadline_passed(&state.settings, &target),
    };
    let id = match report::submit(&mut tx, who, &submission).await? {
        Ok(id) => id,
        Err(msg) => return Ok(Err(FieldErrors::single("report", msg))),
    };
    for ((name, bytes), kind) in uploads.iter().zip(kinds) {
        let file = files::save(&mut tx, state.files.as_ref(), name, kind, bytes, Some(actor.user_id)).await?;
        report::attach(&mut tx, id, &file).await?;
    }
    let data = serde_json::json!({ "year": year, "city_id": org, "city": city, "late": submission.late });
    crate::webhooks::emit(&mut tx, "report.submitted", Some(org), data).await?;
    tx.commit().await?;
    Ok(Ok(city))
}

/// The secretariat's decision on a report waiting for it: `decision` "accept", or "return"
/// with a note; `seen` is the version of the report the reviewer read (a newer one is not
/// decided on unread). Answers the city's name and whether it was accepted.
pub async fn review_report(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    (year, org): (i32, OrgId),
    (decision, note, seen): (&str, &str, &str),
) -> AppResult<Result<(String, bool), FieldErrors>> {
    if !actor.can_review_reports() {
        return Err(AppError::Forbidden);
    }
    let mut conn = state.db.pool().acquire().await?;
    let (city, _) = query::city_target(&mut conn, &state.settings, actor, (year, org)).await?;
    let report = report::find(&mut conn, year, org).await?;
    drop(conn);
    let note = crate::text::normalize_block(note);
    let accept = match decision {
        "accept" => true,
        "return" => false,
        _ => return Err(AppError::BadRequest(Msg::new("error.bad_request"))),
    };
    let mut errors = FieldErrors::new();
    if !accept && note.is_empty() {
        errors.add("note", Msg::new("report.err_return_note"));
    }
    let Some(report) = report else {
        errors.add("report", Msg::new("report.err_not_waiting"));
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = state.db.begin().await?;
    let seen = seen.trim().parse().unwrap_or(-1);
    match report::review(&mut tx, who, (&report, seen), &city, accept, &note).await? {
        Ok(()) => {
            tx.commit().await?;
            Ok(Ok((city, accept)))
        }
        Err(msg) => Ok(Err(FieldErrors::single("report", msg))),
    }
}
