//! The progress report page: a city hands in its report (the figures are frozen at that
//! moment, with its narrative and files); the secretariat returns it with a comment or
//! accepts it. Everyone who sees the city sees the report and its history.

use askama::Template;
use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use super::dashboard::Cells;
use super::progress::{self, CityProgress};
use super::report::{self, Event, Frozen, Report, ReportStatus, Submission};
use super::routes::city_target;
use super::{Ranges, Target};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::{self, StoredFile};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{FileId, OrgId};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render, render_refused};

pub fn routes(upload_limit: usize) -> Routes {
    Routes::new()
        .get(paths::ADMIN_REPORT, show)
        // Reports carry files: a body a little over the files' limit, so a file slightly too
        // large still reaches the check that explains the limit.
        .route(
            paths::ADMIN_REPORT,
            Method::POST,
            post(submit).layer(DefaultBodyLimit::max(MAX_FILES * upload_limit + 1_048_576)),
        )
        .post(paths::ADMIN_REPORT_REVIEW, review)
        .get(paths::ADMIN_REPORT_FILE, download)
}

/// At most this many files with one report.
const MAX_FILES: usize = 5;
/// The narrative's length limit, in characters.
const MAX_NARRATIVE: usize = 5000;

/// The kinds of file a report may carry: documents, spreadsheets, scans and photos.
fn accepted(kind: files::Kind) -> bool {
    !matches!(kind, files::Kind::Zip)
}

#[derive(Template)]
#[template(path = "targets/report.html")]
struct ReportPage {
    ctx: PageCtx,
    year: i32,
    org_id: OrgId,
    city: String,
    report: Option<Report>,
    /// The figures shown: frozen in the report, or (before it is in) the data as it stands.
    frozen: Frozen,
    frozen_at: Option<String>,
    files: Vec<StoredFile>,
    events: Vec<(String, &'static str, String, String)>,
    /// The city may hand the report in (again) now.
    may_submit: bool,
    may_review: bool,
    narrative: String,
    errors: FieldErrors,
    review_note: String,
    deadline_passed: bool,
}

impl Cells for ReportPage {}

impl ReportPage {
    fn status(&self) -> Option<ReportStatus> {
        self.report.as_ref().map(Report::status)
    }
}

/// The city's figures as they stand now, as a report would freeze them.
async fn live(state: &AppState, conn: &mut crate::storage::Conn, target: &Target) -> AppResult<Frozen> {
    let offset = state.settings.locale.utc_offset();
    let year = i32::try_from(target.year).unwrap_or_default();
    let mut all = progress::for_year(conn, year, offset, std::slice::from_ref(target)).await?;
    let progress: CityProgress = all.pop().ok_or(AppError::NotFound)?;
    Ok(Frozen { target: target.ranges.clone(), progress })
}

fn deadline_passed(state: &AppState, ranges: &Ranges) -> bool {
    ranges.deadline().is_some_and(|d| state.settings.locale.today() > d)
}

/// What the form sent back, shown again when it is refused.
#[derive(Default)]
struct Attempt {
    narrative: String,
    errors: FieldErrors,
    review_note: String,
}

async fn report_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    (year, org): (i32, OrgId),
    attempt: Option<Attempt>,
) -> AppResult<ReportPage> {
    let mut conn = state.db.pool().acquire().await?;
    let (city, target) = city_target(state, &mut conn, actor, (year, org)).await?;
    let report = report::find(&mut conn, year, org).await?;
    let status = report.as_ref().map(Report::status);
    let may_submit = actor.can_report_for(org)
        && matches!(status, None | Some(ReportStatus::Returned))
        && year <= state.settings.locale.today().year();
    let frozen_report = report.as_ref().filter(|_| !may_submit).and_then(Report::frozen);
    let (frozen, frozen_at) = match frozen_report {
        Some(f) => (f, report.as_ref().map(|r| page.datetime(r.submitted_at))),
        None => (live(state, &mut conn, &target).await?, None),
    };
    let (files, events) = match &report {
        Some(r) => (report::files(&mut conn, r.id).await?, report::events(&mut conn, r.id).await?),
        None => (Vec::new(), Vec::new()),
    };
    drop(conn);
    let events = events
        .into_iter()
        .map(|e: Event| {
            let key = match e.action.as_str() {
                "submit" => "report.ev_submit",
                "return" => "report.ev_return",
                _ => "report.ev_accept",
            };
            (page.datetime(e.at), key, e.actor_name, e.note)
        })
        .collect();
    let attempt = attempt.unwrap_or_else(|| Attempt {
        narrative: report.as_ref().map(|r| r.narrative.clone()).unwrap_or_default(),
        ..Attempt::default()
    });
    Ok(ReportPage {
        ctx: page
            .title("report.title")
            .crumb("menu.progress", &format!("{}?year={year}", paths::ADMIN_PROGRESS))
            .crumb_text(format!("{city} {year}"), &paths::fill(paths::ADMIN_PROGRESS_CITY, &[&year, &org.0])),
        year,
        org_id: org,
        city,
        may_review: actor.can_review_reports() && status == Some(ReportStatus::Submitted),
        deadline_passed: deadline_passed(state, &target.ranges),
        report,
        frozen,
        frozen_at,
        files,
        events,
        may_submit,
        narrative: attempt.narrative,
        errors: attempt.errors,
        review_note: attempt.review_note,
    })
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
) -> AppResult<Response> {
    Ok(render(&report_page(&state, &actor, page, (year, OrgId(org)), None).await?)?.into_response())
}

/// A file sent with the report: its name and bytes.
type Upload = (String, axum::body::Bytes);

async fn submit(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let org = OrgId(org);
    let (city, target) = city_target(&state, &mut *state.db.pool().acquire().await?, &actor, (year, org)).await?;
    allow(actor.can_report_for(org))?;
    let max_bytes = state.settings.uploads.max_bytes;
    let too_large = || {
        AppError::TooLarge(
            Msg::new("err.file_too_large").arg("max", files::human_size(i64::try_from(max_bytes).unwrap_or(i64::MAX))),
        )
    };
    let mut narrative = String::new();
    let mut uploads: Vec<Upload> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        match field.name() {
            Some("narrative") => narrative = field.text().await.map_err(|_| too_large())?,
            Some("file") => {
                let name = files::clean_name(field.file_name().unwrap_or(""));
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                if !name.is_empty() || !bytes.is_empty() {
                    uploads.push((name, bytes));
                }
            }
            _ => {}
        }
    }
    let narrative = crate::text::normalize_block(&narrative);
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
    for (name, bytes) in &uploads {
        match files::check_upload(name, bytes, max_bytes) {
            Ok(kind) if accepted(kind) => kinds.push(kind),
            Ok(_) => errors.add("file", Msg::new("report.err_file_type").arg("name", name)),
            Err(msg) => errors.add("file", Msg::new("report.err_file").arg("name", name).arg("why", page.msg(&msg))),
        }
    }
    if !errors.is_empty() {
        let attempt = Attempt { narrative, errors, ..Attempt::default() };
        return render_refused(&report_page(&state, &actor, page, (year, org), Some(attempt)).await?);
    }
    let who = ctx.who();
    let mut tx = state.db.begin().await?;
    // The figures of this moment, read in the transaction that hands the report in.
    let frozen = live(&state, &mut tx, &target).await?;
    let submission = Submission {
        year,
        org: (org, &city),
        frozen: &frozen,
        narrative: &narrative,
        late: deadline_passed(&state, &target.ranges),
    };
    let id = match report::submit(&mut tx, &who, &submission).await? {
        Ok(id) => id,
        Err(msg) => {
            drop(tx);
            let attempt = Attempt { narrative, errors: FieldErrors::single("report", msg), ..Attempt::default() };
            return render_refused(&report_page(&state, &actor, page, (year, org), Some(attempt)).await?);
        }
    };
    for ((name, bytes), kind) in uploads.iter().zip(kinds) {
        let file = files::save(&mut tx, state.files.as_ref(), name, kind, bytes, Some(actor.user_id)).await?;
        report::attach(&mut tx, id, &file).await?;
    }
    tx.commit().await?;
    let to = paths::fill(paths::ADMIN_REPORT, &[&year, &org.0]);
    Ok(redirect_flash(&state, &to, &Msg::new("flash.report_submitted").arg("name", &city)))
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
    /// The version of the report the reviewer read.
    #[serde(default)]
    version: String,
}

async fn review(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    allow(actor.can_review_reports())?;
    let org = OrgId(org);
    let mut conn = state.db.pool().acquire().await?;
    let (city, _) = city_target(&state, &mut conn, &actor, (year, org)).await?;
    let report = report::find(&mut conn, year, org).await?;
    drop(conn);
    let note = crate::text::normalize_block(&form.note);
    let accept = match form.decision.as_str() {
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
        let attempt = Attempt { errors, review_note: note, ..Attempt::default() };
        return render_refused(&report_page(&state, &actor, page, (year, org), Some(attempt)).await?);
    };
    if errors.is_empty() {
        let mut tx = state.db.begin().await?;
        let seen = form.version.trim().parse().unwrap_or(-1);
        match report::review(&mut tx, &ctx.who(), (&report, seen), &city, accept, &note).await? {
            Ok(()) => {
                tx.commit().await?;
                let key = if accept { "flash.report_accepted" } else { "flash.report_returned" };
                let to = paths::fill(paths::ADMIN_REPORT, &[&year, &org.0]);
                return Ok(redirect_flash(&state, &to, &Msg::new(key).arg("name", &city)));
            }
            Err(msg) => errors.add("report", msg),
        }
    }
    let attempt = Attempt { errors, review_note: note, narrative: report.narrative.clone() };
    render_refused(&report_page(&state, &actor, page, (year, org), Some(attempt)).await?)
}

async fn download(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path((year, org, file)): Path<(i32, i64, i64)>,
) -> AppResult<Response> {
    let org = OrgId(org);
    let mut conn = state.db.pool().acquire().await?;
    city_target(&state, &mut conn, &actor, (year, org)).await?;
    let report = report::find(&mut conn, year, org).await?.ok_or(AppError::NotFound)?;
    let file = report::files(&mut conn, report.id)
        .await?
        .into_iter()
        .find(|f| f.id == FileId(file))
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let bytes = state
        .files
        .get(&file.storage_key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading file {}: {e}", file.id.0)))?;
    let disposition = if files::Kind::inline(&file.content_type) { "inline" } else { "attachment" };
    Ok(crate::web::download(bytes, &file.content_type, disposition, &file.original_name, "private, max-age=3600"))
}
