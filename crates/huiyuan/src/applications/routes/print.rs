//! Downloads: an application's filled registration form (PDF), the blank forms (PDF and
//! .xlsx, public), and a batch's summary sheet (PDF and .xlsx).

use axum::extract::{Path, State};
use axum::response::Response;

use crate::applications::documents;
use crate::applications::model::Kind;
use crate::error::AppResult;
use crate::paths;
use crate::print::Document;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, BatchId};
use crate::web::{CurrentUser, Staff, download};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::APPLICATION_PDF, application_pdf)
        .get(paths::FORM_INDIVIDUAL_PDF, |State(s): State<AppState>| blank(s, Kind::Individual, false))
        .get(paths::FORM_INDIVIDUAL_XLSX, |State(s): State<AppState>| blank(s, Kind::Individual, true))
        .get(paths::FORM_GROUP_PDF, |State(s): State<AppState>| blank(s, Kind::Group, false))
        .get(paths::FORM_GROUP_XLSX, |State(s): State<AppState>| blank(s, Kind::Group, true))
        .get(paths::ADMIN_BATCH_PDF, |st, staff, path| batch_summary(st, staff, path, false))
        .get(paths::ADMIN_BATCH_XLSX, |st, staff, path| batch_summary(st, staff, path, true))
}

fn send(doc: Document, cache: &'static str) -> Response {
    download(doc.bytes, doc.content_type, doc.disposition, &doc.name, cache)
}

async fn blank(state: AppState, kind: Kind, spreadsheet: bool) -> AppResult<Response> {
    // Public and the same for everyone until the settings change: cacheable for a day.
    Ok(send(documents::blank(&state, kind, spreadsheet).await?, "public, max-age=86400"))
}

/// The applicant's form as filled in, for the applicant and for staff who may see it.
async fn application_pdf(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    Ok(send(documents::application_form(&state, &actor, id).await?, "private, no-store"))
}

async fn batch_summary(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<BatchId>,
    spreadsheet: bool,
) -> AppResult<Response> {
    Ok(send(documents::batch_summary(&state, &actor, id, spreadsheet).await?, "private, no-store"))
}
