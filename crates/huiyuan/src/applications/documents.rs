//! The documents of joining: an application's filled registration form (PDF, with a QR
//! code back to it; ID numbers masked for readers who may not see them), the blank forms
//! (PDF and .xlsx, public), and a batch's summary sheet (PDF and .xlsx).

use std::sync::Arc;

use super::attachments;
use super::model::{Application, Kind};
use super::printing::{self, Filled, SummaryLine};
use super::query;
use super::store;
use crate::audit::Who;
use crate::auth::Actor;
use crate::cpu;
use crate::error::{AppError, AppResult};
use crate::files::StoredFile;
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::print::{Document, Kept, Sheet, pdf, xlsx};
use crate::state::AppState;
use crate::storage::{ApplicationId, BatchId, FileId};

/// The sheet as PDF bytes (503 with what to install when the server has no Chinese font).
async fn to_pdf(state: &AppState, sheet: Sheet) -> AppResult<Vec<u8>> {
    let (font, _) = state.printer.font().ok_or_else(|| AppError::Missing(Msg::new("err.no_font")))?;
    let font = font.clone();
    cpu::run(move |off| pdf::render(&sheet, &font, off)).await?.map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

async fn to_xlsx(sheet: Sheet) -> AppResult<Vec<u8>> {
    let tab = sheet.title.clone();
    cpu::run(move |off| xlsx::render(&sheet, &tab, off))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a workbook: {e}")))
}

fn blank_sheet(state: &AppState, kind: Kind) -> Sheet {
    match kind {
        Kind::Individual => printing::individual(&state.settings, &Default::default(), None),
        Kind::Group => printing::group(&state.settings, &Default::default(), None, false),
    }
}

/// A blank registration form of this kind, as PDF or .xlsx (public): rendered on its first
/// request and kept (the same for everyone until the settings change).
pub async fn blank(state: &AppState, kind: Kind, spreadsheet: bool) -> AppResult<Arc<Kept>> {
    let key = match (kind, spreadsheet) {
        (Kind::Individual, false) => "blank form, individual, pdf",
        (Kind::Individual, true) => "blank form, individual, xlsx",
        (Kind::Group, false) => "blank form, group, pdf",
        (Kind::Group, true) => "blank form, group, xlsx",
    };
    state
        .shelf
        .get_or_make(key, || async {
            let sheet = blank_sheet(state, kind);
            let title = sheet.title.clone();
            Ok(if spreadsheet {
                Document::xlsx(to_xlsx(sheet).await?, title)
            } else {
                Document::pdf(to_pdf(state, sheet).await?, title)
            })
        })
        .await
}

/// What the filled form carries besides the fields.
async fn filled(state: &AppState, app: &Application) -> AppResult<Filled> {
    let mut conn = state.db.pool().acquire().await?;
    let city = match app.org_id {
        Some(org) => crate::orgs::store::find(&mut conn, org).await?.map(|o| o.name).unwrap_or_default(),
        None => Lang::Zh.t("app.direct").to_string(),
    };
    let member_number = crate::members::store::for_application(&mut conn, app.id).await?.map(|m| m.number);
    Ok(Filled {
        application: app.id.to_string(),
        url: format!("{}{}", state.settings.server.base_url, paths::with_id(paths::APPLICATION, app.id)),
        member_number,
        city,
        category: state.settings.category(&app.category).map(|c| c.name.clone()).unwrap_or_default(),
    })
}

/// The applicant's form as filled in, for the applicant and for staff who may see it.
pub async fn application_form(state: &AppState, actor: &Actor, who: &Who, id: ApplicationId) -> AppResult<Document> {
    let r = query::readable(&state.db, actor, id).await?;
    let app = &r.app;
    let extra = filled(state, app).await?;
    // The applicant and the reviewers need the numbers themselves; anyone else reads them
    // masked. A reviewer's printout is a full view, logged as on the page.
    let reveal = actor.can_read_application_id_numbers(app, r.org_path.as_deref());
    if reveal && !actor.owns_application(app) {
        super::service::reveal_id_numbers(state, actor, who, &r, "printed form").await?;
    }
    let sheet = match app.kind() {
        Kind::Individual => {
            let mut form = app.individual_form();
            if !reveal {
                form.id_number = crate::domain::mask_document(&form.id_number);
            }
            printing::individual(&state.settings, &form, Some(&extra))
        }
        Kind::Group => printing::group(&state.settings, &app.group_form(), Some(&extra), reveal),
    };
    let name = format!("{}-{}", sheet.title, app.name);
    Ok(Document::pdf(to_pdf(state, sheet).await?, name))
}

/// A batch's summary sheet, for those who may see the batch.
pub async fn batch_summary(state: &AppState, actor: &Actor, id: BatchId, spreadsheet: bool) -> AppResult<Document> {
    let (batch, org) = query::batch(&state.db, actor, id).await?;
    let mut conn = state.db.pool().acquire().await?;
    let apps = super::batches::items(&mut conn, batch.id).await?;
    let mut lines = Vec::new();
    for a in &apps {
        let opinion = store::events(&mut conn, a.id)
            .await?
            .into_iter()
            .rev()
            .find(|e| e.action == "recommend")
            .map(|e| e.note)
            .unwrap_or_default();
        lines.push(summary_line(state, a, opinion));
    }
    drop(conn);
    let forwarded = batch.forwarded_at.map(|ms| local_date(state, ms)).unwrap_or_default();
    let sheet = printing::summary(&state.settings, &batch.name, &org.name, &forwarded, &lines);
    let name = format!("{}-{}", sheet.title, batch.name);
    Ok(if spreadsheet {
        Document::xlsx(to_xlsx(sheet).await?, name)
    } else {
        Document::pdf(to_pdf(state, sheet).await?, name)
    })
}

fn summary_line(state: &AppState, a: &Application, opinion: String) -> SummaryLine {
    let category = state.settings.category(&a.category).map(|c| c.name.clone()).unwrap_or_default();
    let kind = Lang::Zh.t(a.kind().label_key()).to_string();
    match a.kind() {
        Kind::Individual => {
            let f = a.individual_form();
            let gender = crate::domain::Gender::parse(&f.gender).map(|g| Lang::Zh.t(g.label_key())).unwrap_or("");
            SummaryLine {
                name: a.name.clone(),
                kind,
                category,
                gender: gender.to_string(),
                id_masked: crate::domain::mask_document(&f.id_number),
                employer: f.employer,
                mobile: f.mobile,
                opinion,
            }
        }
        Kind::Group => {
            let f = a.group_form();
            SummaryLine {
                name: a.name.clone(),
                kind,
                category,
                gender: String::new(),
                id_masked: f.code,
                employer: f.institution_type,
                mobile: f.contact_mobile,
                opinion,
            }
        }
    }
}

fn local_date(state: &AppState, ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| t.to_offset(state.settings.locale.utc_offset()).date())
        .map(|d| format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_default()
}

/// An attachment of an application the actor may read, with its bytes.
pub async fn attachment(
    state: &AppState,
    actor: &Actor,
    id: ApplicationId,
    file: FileId,
) -> AppResult<(StoredFile, Vec<u8>)> {
    let mut conn = state.db.pool().acquire().await?;
    let r = query::load_readable(&mut conn, actor, id).await?;
    let found = attachments::list(&mut conn, r.app.id)
        .await?
        .into_iter()
        .find(|a| a.file.id == file)
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let bytes = state
        .files
        .get(&found.file.storage_key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading file {}: {e}", found.file.id)))?;
    Ok((found.file, bytes))
}
