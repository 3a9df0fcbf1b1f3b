//! The progress report page: a city hands in its report (the figures are frozen at that
//! moment, with its narrative and files); the secretariat returns it with a comment or
//! accepts it. Everyone who sees the city sees the report and its history.

use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::files;
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{FileId, OrgId};
use crate::targets::query;
use crate::targets::service::{self, MAX_FILES, Upload};
use crate::targets::views::ReportPage;
use crate::targets::views::report::{Attempt, report_page};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

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

async fn view(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    (year, org): (i32, OrgId),
    a: Attempt,
) -> AppResult<ReportPage> {
    let mut conn = state.db.pool().acquire().await?;
    let v = query::report_view(&mut conn, &state.settings, actor, (year, org)).await?;
    drop(conn);
    let passed = query::deadline_passed(&state.settings, &v.target);
    Ok(report_page(page, year, v, passed, a))
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
) -> AppResult<Response> {
    Ok(render(&view(&state, &actor, page, (year, OrgId(org)), Attempt::default()).await?)?.into_response())
}

async fn submit(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let org = OrgId(org);
    query::reporter(&mut *state.db.pool().acquire().await?, &state.settings, &actor, (year, org)).await?;
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
    let sent = (narrative.as_str(), uploads.as_slice());
    match service::submit_report(&state, &actor, &ctx.who(), (year, org), sent, page.lang).await? {
        Ok(city) => {
            let to = paths::fill(paths::ADMIN_REPORT, &[&year, &org.0]);
            Ok(redirect_flash(&state, &to, &Msg::new("flash.report_submitted").arg("name", &city)))
        }
        Err(errors) => {
            let attempt = Attempt { narrative: Some(narrative), errors, ..Attempt::default() };
            render_refused(&view(&state, &actor, page, (year, org), attempt).await?)
        }
    }
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
    let org = OrgId(org);
    let decision = (form.decision.as_str(), form.note.as_str(), form.version.as_str());
    match service::review_report(&state, &actor, &ctx.who(), (year, org), decision).await? {
        Ok((city, accept)) => {
            let key = if accept { "flash.report_accepted" } else { "flash.report_returned" };
            let to = paths::fill(paths::ADMIN_REPORT, &[&year, &org.0]);
            Ok(redirect_flash(&state, &to, &Msg::new(key).arg("name", &city)))
        }
        Err(errors) => {
            let review_note = crate::text::normalize_block(&form.note);
            let attempt = Attempt { narrative: None, errors, review_note };
            render_refused(&view(&state, &actor, page, (year, org), attempt).await?)
        }
    }
}

async fn download(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path((year, org, file)): Path<(i32, i64, i64)>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let file = query::report_file(&mut conn, &state.settings, &actor, (year, OrgId(org)), FileId(file)).await?;
    drop(conn);
    let bytes = state
        .files
        .get(&file.storage_key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading file {}: {e}", file.id.0)))?;
    let disposition = if files::Kind::inline(&file.content_type) { "inline" } else { "attachment" };
    Ok(crate::web::download(bytes, &file.content_type, disposition, &file.original_name, "private, max-age=3600"))
}
