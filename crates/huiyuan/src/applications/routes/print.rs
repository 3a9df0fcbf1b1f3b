//! Downloads: an application's filled registration form (PDF), the blank forms (PDF and
//! .xlsx, public), and a batch's summary sheet (PDF and .xlsx).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;

use crate::applications::documents;
use crate::applications::model::Kind;
use crate::error::AppResult;
use crate::paths;
use crate::print::Document;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, BatchId};
use crate::web::{CurrentUser, Staff, download, send_kept};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::APPLICATION_PDF, application_pdf)
        .get(paths::ADMIN_BATCH_PDF, |st, staff, path| batch_summary(st, staff, path, false))
        .get(paths::ADMIN_BATCH_XLSX, |st, staff, path| batch_summary(st, staff, path, true))
        .merge(
            Routes::new()
                .get(paths::FORM_INDIVIDUAL_PDF, |s: State<AppState>, h: HeaderMap| {
                    blank(s, h, Kind::Individual, false)
                })
                .get(paths::FORM_INDIVIDUAL_XLSX, |s: State<AppState>, h: HeaderMap| {
                    blank(s, h, Kind::Individual, true)
                })
                .get(paths::FORM_GROUP_PDF, |s: State<AppState>, h: HeaderMap| blank(s, h, Kind::Group, false))
                .get(paths::FORM_GROUP_XLSX, |s: State<AppState>, h: HeaderMap| blank(s, h, Kind::Group, true))
                .public(),
        )
}

fn send(doc: Document, cache: &'static str) -> Response {
    download(doc.bytes, doc.content_type, doc.disposition, &doc.name, cache)
}

/// A blank form: public, rendered once, answered with `304` when the client has it.
async fn blank(
    State(state): State<AppState>,
    headers: HeaderMap,
    kind: Kind,
    spreadsheet: bool,
) -> AppResult<Response> {
    let kept = documents::blank(&state, kind, spreadsheet).await?;
    Ok(send_kept(&kept, headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok())))
}

/// The applicant's form as filled in, for the applicant and for staff who may see it.
async fn application_pdf(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    Ok(send(documents::application_form(&state, &actor, &ctx.who(), id).await?, "private, no-store"))
}

async fn batch_summary(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<BatchId>,
    spreadsheet: bool,
) -> AppResult<Response> {
    Ok(send(documents::batch_summary(&state, &actor, id, spreadsheet).await?, "private, no-store"))
}
