//! The applicant's pages: their applications, the two forms (new, and editing a draft or a
//! returned application), the status page, attachments, and withdrawing.

use axum::Form;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::applications::group::GroupForm;
use crate::applications::individual::IndividualForm;
use crate::applications::model::{Application, Kind};
use crate::applications::service::{self, Saved};
use crate::applications::views::applicant::{
    FormFrame, apply_page, attachments_view, group_page, individual_page, status_page,
};
use crate::applications::{attachments, documents, query};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, FileId};
use crate::web::request::RequestCtx;
use crate::web::{CurrentUser, PageCtx, redirect, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::APPLY, apply)
        .get(paths::APPLY_INDIVIDUAL, new_individual)
        .post(paths::APPLY_INDIVIDUAL, create_individual)
        .get(paths::APPLY_GROUP, new_group)
        .post(paths::APPLY_GROUP, create_group)
        .get(paths::APPLICATION, show)
        .get(paths::APPLICATION_EDIT, edit)
        .post(paths::APPLICATION_EDIT, update)
        .post(paths::APPLICATION_WITHDRAW, withdraw)
        .post(paths::APPLICATION_FILES, upload)
        .get(paths::APPLICATION_FILE, download_file)
        .post(paths::APPLICATION_FILE_REMOVE, remove_file)
}

async fn apply(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mine = query::mine(&state.db, &actor).await?;
    Ok(render(&apply_page(page, mine))?.into_response())
}

/// A new form starts with what the account already says.
async fn account(state: &AppState, actor: &Actor) -> AppResult<crate::auth::model::User> {
    let mut conn = state.db.pool().acquire().await?;
    crate::auth::store::find_user(&mut conn, actor.user_id).await?.ok_or(AppError::NotFound)
}

async fn new_individual(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let user = account(&state, &actor).await?;
    let form = IndividualForm {
        name: user.display_name,
        email: user.email.unwrap_or_default(),
        mobile: user.mobile.unwrap_or_default(),
        ..IndividualForm::default()
    };
    let cities = query::cities(&state.db).await?;
    let frame = FormFrame::new(paths::APPLY_INDIVIDUAL);
    Ok(render(&individual_page(&state.settings, page, &cities, form, FieldErrors::new(), frame))?.into_response())
}

async fn new_group(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let user = account(&state, &actor).await?;
    let form = GroupForm {
        contact_name: user.display_name,
        contact_email: user.email.unwrap_or_default(),
        contact_mobile: user.mobile.unwrap_or_default(),
        code_type: "credit_code".into(),
        ..GroupForm::default()
    };
    let cities = query::cities(&state.db).await?;
    let frame = FormFrame::new(paths::APPLY_GROUP);
    Ok(render(&group_page(&state.settings, page, &cities, form, FieldErrors::new(), frame))?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IndividualInput {
    #[serde(flatten)]
    form: IndividualForm,
    intent: String,
}

/// A posted form of either kind.
enum Posted {
    Individual(IndividualForm),
    Group(GroupForm),
}

async fn create_individual(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Form(input): Form<IndividualInput>,
) -> AppResult<Response> {
    let submit = input.intent == "submit";
    save(&state, &actor, &ctx, page, None, Posted::Individual(input.form), submit).await
}

async fn create_group(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let submit = pairs.iter().any(|(k, v)| k == "intent" && v == "submit");
    save(&state, &actor, &ctx, page, None, Posted::Group(GroupForm::from_pairs(&pairs)), submit).await
}

async fn save(
    state: &AppState,
    actor: &Actor,
    ctx: &RequestCtx,
    page: PageCtx,
    existing: Option<&Application>,
    posted: Posted,
    submit: bool,
) -> AppResult<Response> {
    let who = ctx.who();
    let outcome = match &posted {
        Posted::Individual(f) => service::save_form(state, actor, &who, existing, f.clone(), submit).await?,
        Posted::Group(f) => service::save_form(state, actor, &who, existing, f.clone(), submit).await?,
    };
    let (errors, saved) = match outcome {
        Ok(Saved::Submitted(id)) => {
            let to = paths::with_id(paths::APPLICATION, id);
            return Ok(redirect_flash(state, &to, &Msg::new("flash.app_submitted")));
        }
        Ok(Saved::Draft(id)) => {
            let edit = paths::with_id(paths::APPLICATION_EDIT, id);
            return Ok(redirect_flash(state, &edit, &Msg::new("flash.app_draft_saved")));
        }
        Ok(Saved::Invalid(id, errors)) => (errors, Some(id)),
        Err(errors) => (errors, existing.map(|a| a.id)),
    };
    let posted = match posted {
        Posted::Individual(f) => Posted::Individual(f.normalized()),
        Posted::Group(f) => Posted::Group(f.normalized()),
    };
    // A refused form that was kept as a draft is shown as its edit page, attachments and all.
    if let Some(id) = saved {
        let app = query::own(&state.db, actor, id).await?;
        return edit_response(state, page, &app, errors, Some(posted), None).await;
    }
    let cities = query::cities(&state.db).await?;
    match posted {
        Posted::Individual(f) => {
            let frame = FormFrame::new(paths::APPLY_INDIVIDUAL);
            render_refused(&individual_page(&state.settings, page, &cities, f, errors, frame))
        }
        Posted::Group(f) => {
            let frame = FormFrame::new(paths::APPLY_GROUP);
            render_refused(&group_page(&state.settings, page, &cities, f, errors, frame))
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let app = query::own(&state.db, &actor, id).await?;
    if !app.status().is_editable() {
        return Ok(redirect(&paths::with_id(paths::APPLICATION, id)));
    }
    edit_response(&state, page, &app, FieldErrors::new(), None, None).await
}

/// The applicant's form for `app` with its attachments panel; `posted` re-shows a refused
/// form as typed, `file_error` a refused upload (message, purpose chosen).
async fn edit_response(
    state: &AppState,
    page: PageCtx,
    app: &Application,
    errors: FieldErrors,
    posted: Option<Posted>,
    file_error: Option<(String, String)>,
) -> AppResult<Response> {
    let d = query::detail(&state.db, app).await?;
    let cities = query::cities(&state.db).await?;
    let refused = !errors.is_empty() || file_error.is_some();
    let frame = FormFrame {
        action: paths::with_id(paths::APPLICATION_EDIT, app.id),
        returned_note: query::returned_note(app, &d.events),
        attachments: Some(attachments_view(&state.settings, &page, app, d.attachments, true, file_error)),
    };
    let posted = posted.unwrap_or_else(|| match app.kind() {
        Kind::Individual => Posted::Individual(app.individual_form()),
        Kind::Group => Posted::Group(app.group_form()),
    });
    let html = match posted {
        Posted::Individual(f) => render(&individual_page(&state.settings, page, &cities, f, errors, frame))?,
        Posted::Group(f) => render(&group_page(&state.settings, page, &cities, f, errors, frame))?,
    };
    Ok(if refused {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
    } else {
        html.into_response()
    })
}

async fn update(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = query::own(&state.db, &actor, id).await?;
    let bad = |_| AppError::BadRequest(Msg::new("error.bad_request"));
    // Decoded as the application's kind of form.
    let (posted, submit) = match app.kind() {
        Kind::Individual => {
            let input: IndividualInput = serde_urlencoded::from_bytes(&body).map_err(bad)?;
            let submit = input.intent == "submit";
            (Posted::Individual(input.form), submit)
        }
        Kind::Group => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(bad)?;
            let submit = pairs.iter().any(|(k, v)| k == "intent" && v == "submit");
            (Posted::Group(GroupForm::from_pairs(&pairs)), submit)
        }
    };
    save(&state, &actor, &ctx, page, Some(&app), posted, submit).await
}

async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let app = query::own(&state.db, &actor, id).await?;
    service::withdraw(&state, &actor, &ctx.who(), &app).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::APPLICATION, id), &Msg::new("flash.app_withdrawn")))
}

/// The applicant's status page; staff who scan a paper form's QR code land on their own view.
async fn show(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let Some(app) = query::status_page(&state.db, &actor, id).await? else {
        return Ok(redirect(&paths::with_id(paths::ADMIN_APPLICATION, id)));
    };
    let d = query::detail(&state.db, &app).await?;
    Ok(render(&status_page(&state.settings, page, &app, d))?.into_response())
}

async fn upload(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let app = query::own(&state.db, &actor, id).await?;
    let max = state.settings.joining.attachments.max_bytes;
    let too_large = || {
        AppError::TooLarge(
            Msg::new("err.file_too_large").arg("max", crate::files::human_size(i64::try_from(max).unwrap_or(i64::MAX))),
        )
    };
    let upload = crate::web::upload::read(multipart, too_large).await?;
    let purpose = upload.field("purpose");
    let outcome = match upload.file() {
        Some((name, bytes)) if !name.is_empty() => {
            attachments::add(&state, &actor, &ctx.who(), &app, &purpose, name, bytes).await?.map(|_| ())
        }
        _ => Err(Msg::new("err.file_missing")),
    };
    match outcome {
        Ok(()) => Ok(redirect_flash(&state, &format!("{}#attachments", page_of(&app)), &Msg::new("flash.file_added"))),
        Err(msg) => {
            let error = Some((page.msg(&msg), purpose));
            if app.status().is_editable() {
                edit_response(&state, page, &app, FieldErrors::new(), None, error).await
            } else {
                Err(AppError::Conflict(Msg::new("err.app_locked")))
            }
        }
    }
}

/// Where the applicant works on the application: its form while it can change, else its page.
fn page_of(app: &Application) -> String {
    if app.status().is_editable() {
        paths::with_id(paths::APPLICATION_EDIT, app.id)
    } else {
        paths::with_id(paths::APPLICATION, app.id)
    }
}

async fn remove_file(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path((id, file)): Path<(ApplicationId, FileId)>,
) -> AppResult<Response> {
    let app = query::own(&state.db, &actor, id).await?;
    attachments::remove(&state, &actor, &ctx.who(), &app, file).await?;
    Ok(redirect_flash(&state, &format!("{}#attachments", page_of(&app)), &Msg::new("flash.file_removed")))
}

/// An attachment, for the applicant and for staff who may see the application.
async fn download_file(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path((id, file)): Path<(ApplicationId, FileId)>,
) -> AppResult<Response> {
    let (found, bytes) = documents::attachment(&state, &actor, id, file).await?;
    Ok(crate::web::download(bytes, &found.content_type, "inline", &found.original_name, "private, no-store"))
}
