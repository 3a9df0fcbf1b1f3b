//! Downloads: an application's filled registration form (PDF), the blank forms (PDF and
//! .xlsx, public), and a batch's summary sheet (PDF and .xlsx).

use axum::extract::{Path, State};
use axum::response::Response;

use super::model::{Application, Kind};
use super::printing::{self, Filled, SummaryLine};
use super::store;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::print::{Sheet, pdf, xlsx};
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{ApplicationId, BatchId};
use crate::web::{CurrentUser, Staff, download};

const PDF: &str = "application/pdf";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

/// The sheet as PDF bytes (503 with what to install when the server has no Chinese font).
pub fn to_pdf(state: &AppState, sheet: &Sheet) -> AppResult<Vec<u8>> {
    let (font, _) = state.printer.font().ok_or_else(|| AppError::Missing(Msg::new("err.no_font")))?;
    pdf::render(sheet, font).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

fn to_xlsx(sheet: &Sheet, tab: &str) -> AppResult<Vec<u8>> {
    xlsx::render(sheet, tab).map_err(|e| AppError::Internal(anyhow::anyhow!("writing a workbook: {e}")))
}

fn blank_sheet(state: &AppState, kind: Kind) -> Sheet {
    match kind {
        Kind::Individual => printing::individual(&state.settings, &Default::default(), None),
        Kind::Group => printing::group(&state.settings, &Default::default(), None, false),
    }
}

async fn blank(state: AppState, kind: Kind, spreadsheet: bool) -> AppResult<Response> {
    let sheet = blank_sheet(&state, kind);
    let title = sheet.title.clone();
    // Public and the same for everyone until the settings change: cacheable for a day.
    let cache = "public, max-age=86400";
    Ok(if spreadsheet {
        download(to_xlsx(&sheet, &title)?, XLSX, "attachment", &format!("{title}.xlsx"), cache)
    } else {
        download(to_pdf(&state, &sheet)?, PDF, "inline", &format!("{title}.pdf"), cache)
    })
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
async fn application_pdf(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let (app, path) = super::routes::readable(&state, &actor, id).await?;
    let extra = filled(&state, &app).await?;
    // The applicant and the reviewers need the numbers themselves; anyone else reads them masked.
    let reveal = app.applicant_id == actor.user_id || actor.can_read_id_numbers(path.as_deref());
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
    let name = format!("{}-{}.pdf", sheet.title, app.name);
    Ok(download(to_pdf(&state, &sheet)?, PDF, "inline", &name, "private, no-store"))
}

async fn batch_summary(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<BatchId>,
    spreadsheet: bool,
) -> AppResult<Response> {
    let (batch, org) = super::chain_routes::visible_batch(&state, &actor, id).await?;
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
        lines.push(summary_line(&state, a, opinion));
    }
    drop(conn);
    let forwarded = batch.forwarded_at.map(|ms| local_date(&state, ms)).unwrap_or_default();
    let sheet = printing::summary(&state.settings, &batch.name, &org.name, &forwarded, &lines);
    let name = format!("{}-{}", sheet.title, batch.name);
    Ok(if spreadsheet {
        download(
            to_xlsx(&sheet, &sheet.title.clone())?,
            XLSX,
            "attachment",
            &format!("{name}.xlsx"),
            "private, no-store",
        )
    } else {
        download(to_pdf(&state, &sheet)?, PDF, "inline", &format!("{name}.pdf"), "private, no-store")
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
