//! Joining through the API, for the applicant: their applications (or, for staff, the review
//! queue in their scope), a draft of either kind, changes to it, handing it in, taking it
//! back, and its attachments — the same service functions and answers as the pages.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::dto::{ErrorBody, paging};
use super::{ApiJson, from_value};
use crate::applications::group::GroupForm;
use crate::applications::individual::IndividualForm;
use crate::applications::model::{Application, Kind, Readable};
use crate::applications::query::{self, QueueFilters};
use crate::applications::service::{self, ApplicationForm, Saved};
use crate::applications::{attachments, documents};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, FileId, OrgId};
use crate::web::CurrentUser;
use crate::web::request::RequestCtx;

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_APPLICATIONS, list)
        .post(paths::API_APPLICATIONS, create)
        .get(paths::API_APPLICATION, show)
        .patch(paths::API_APPLICATION, change)
        .post(paths::API_APPLICATION_SUBMIT, submit)
        .post(paths::API_APPLICATION_WITHDRAW, withdraw)
        .get(paths::API_APPLICATION_FILES, files)
        .post(paths::API_APPLICATION_FILES, upload)
        .get(paths::API_APPLICATION_FILE, download)
}

/// An application in a list.
#[derive(Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: i64,
    /// individual or group.
    pub kind: String,
    /// draft, submitted, returned, recommended, forwarded, sent_back, ready, on_agenda,
    /// approved, declined, rejected or withdrawn.
    pub status: String,
    pub name: String,
    pub category: String,
    /// The reviewing city association (none: the province's own).
    pub city: Option<String>,
    /// UTC milliseconds.
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
}

/// A page of applications: the review queue for staff, one's own for anyone else (or with
/// `mine=1`). `counts`: how many of the queue are in each status, whatever the status filter.
#[derive(Serialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    #[schema(value_type = Object)]
    pub counts: serde_json::Map<String, Value>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ApplicationQuery {
    /// A status, or several separated by commas.
    pub status: String,
    /// individual or group.
    pub kind: String,
    /// A city's id, or `direct` for the province's own.
    pub city: String,
    /// A batch's id.
    pub batch: String,
    /// Part of the applicant's (or institution's) name.
    pub q: String,
    /// oldest (default) or newest.
    pub sort: String,
    /// 1: the caller's own applications, drafts included, also for staff.
    pub mine: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Applications: for staff, the review queue in their scope (never a draft); for anyone
/// else, their own.
#[utoipa::path(get, path = "/api/v1/applications", tag = "joining", params(ApplicationQuery),
    responses((status = 200, body = ApplicationPage), (status = 401, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Query(q): Query<ApplicationQuery>,
) -> AppResult<Json<ApplicationPage>> {
    let (page, per_page) = paging(q.page, q.per_page);
    if !actor.is_staff() || q.mine == "1" {
        let mine = query::mine(&state.db, &actor).await?;
        let total = i64::try_from(mine.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
        let items = mine
            .into_iter()
            .skip(skip)
            .take(usize::try_from(per_page).unwrap_or(20))
            .map(|a| ApplicationSummary {
                id: a.id.0,
                kind: a.kind,
                status: a.status,
                name: a.name,
                category: a.category,
                city: None,
                submitted_at: a.submitted_at,
                updated_at: a.updated_at,
            })
            .collect();
        return Ok(Json(ApplicationPage { items, total, page, per_page, counts: serde_json::Map::new() }));
    }
    let filters = QueueFilters { status: q.status, kind: q.kind, city: q.city, q: q.q, batch: q.batch, sort: q.sort };
    let mut conn = state.db.pool().acquire().await?;
    let queue = query::queue(&mut conn, &actor, &filters, (page - 1) * per_page, per_page).await?;
    let items = queue
        .rows
        .into_iter()
        .map(|r| ApplicationSummary {
            id: r.id.0,
            kind: r.kind,
            status: r.status,
            name: r.name,
            category: r.category,
            city: r.org_name,
            submitted_at: r.submitted_at,
            updated_at: r.updated_at,
        })
        .collect();
    let counts = queue.counts.into_iter().map(|(s, n)| (s, Value::from(n))).collect();
    Ok(Json(ApplicationPage { items, total: queue.total, page, per_page, counts }))
}

/// One step of an application's history.
#[derive(Serialize, ToSchema)]
pub struct EventOut {
    /// UTC milliseconds.
    pub at: i64,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    /// The acting body (never the staff member).
    pub acting_org: Option<String>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    /// What it is, one of the settings' kinds of attachment.
    pub purpose: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// An application as its applicant or a reviewer reads it.
#[derive(Serialize, ToSchema)]
pub struct ApplicationOut {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub name: String,
    pub category: String,
    pub city_id: Option<i64>,
    /// The reviewing city association (none: the province's own).
    pub city: Option<String>,
    /// Each save counts one up.
    pub version: i64,
    pub submitted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Approved: the member number it became.
    pub member_number: Option<String>,
    /// The batch it was forwarded in (or sits in).
    pub batch_id: Option<i64>,
    /// Returned: what the reviewer asked to mend.
    pub returned_note: Option<String>,
    /// The form's fields (the same names as POST takes). ID numbers are masked for anyone
    /// but the applicant.
    #[schema(value_type = Object)]
    pub form: Value,
    /// While the applicant can still change it: what stops it from being handed in, by
    /// field (empty when it can be submitted).
    #[schema(value_type = Option<Object>)]
    pub to_fix: Option<Value>,
    /// For a reviewer: the items the city's review ticks (keys of `checklist` in a review,
    /// by text or by position).
    pub review_checklist: Option<Vec<String>>,
    /// For the secretariat: the items its dossier ticks (keys of `checklist` in a dossier).
    pub dossier_checklist: Option<Vec<String>>,
    pub events: Vec<EventOut>,
    pub attachments: Vec<AttachmentOut>,
}

fn attachment_out(a: attachments::Attachment) -> AttachmentOut {
    AttachmentOut {
        id: a.file.id.0,
        purpose: a.purpose,
        name: a.file.original_name,
        content_type: a.file.content_type,
        size_bytes: a.file.size_bytes,
    }
}

/// The form as stored, with ID numbers masked for anyone but its applicant.
fn form_value(app: &Application, own: bool) -> Value {
    let mut form: Value = serde_json::from_str(&app.data).unwrap_or_else(|_| Value::Object(Default::default()));
    if !own {
        let mask = |v: &mut Value| {
            if let Some(n) = v.as_str() {
                *v = Value::from(crate::domain::mask_document(n));
            }
        };
        if let Some(n) = form.get_mut("id_number") {
            mask(n);
        }
        if let Some(people) = form.get_mut("people").and_then(Value::as_array_mut) {
            people.iter_mut().filter_map(|p| p.get_mut("id_number")).for_each(mask);
        }
    }
    form
}

/// What still stops the applicant's form from being handed in.
fn problems(state: &AppState, app: &Application, cities: &[OrgId], lang: Lang) -> Value {
    let checked = match app.kind() {
        Kind::Individual => app.individual_form().normalized().check(&state.settings, cities).map(|_| ()),
        Kind::Group => app.group_form().normalized().check(&state.settings, cities).map(|_| ()),
    };
    Value::Object(match checked {
        Ok(()) => serde_json::Map::new(),
        Err(errors) => errors.iter().map(|(f, m)| (f.to_string(), Value::from(lang.render(m)))).collect(),
    })
}

pub(super) async fn application_out(
    state: &AppState,
    actor: &Actor,
    r: Readable,
    lang: Lang,
) -> AppResult<ApplicationOut> {
    let app = r.app;
    let own = actor.owns_application(&app);
    let d = query::detail(&state.db, &app).await?;
    let to_fix = if own && app.status().is_editable() {
        let cities: Vec<OrgId> = query::cities(&state.db).await?.into_iter().map(|(id, _)| id).collect();
        Some(problems(state, &app, &cities, lang))
    } else {
        None
    };
    let review_checklist = (!own && actor.can_review_application(r.org_path.as_deref()))
        .then(|| service::city_checklist(&state.settings, &app).to_vec());
    let dossier_checklist =
        (!own && actor.can_keep_dossier()).then(|| crate::applications::dossiers::checklist(&state.settings, &app));
    Ok(ApplicationOut {
        id: app.id.0,
        form: form_value(&app, own),
        returned_note: query::returned_note(&app, &d.events),
        kind: app.kind,
        status: app.status,
        name: app.name,
        category: app.category,
        city_id: app.org_id.map(|o| o.0),
        city: d.reviewer,
        version: app.version,
        submitted_at: app.submitted_at,
        created_at: app.created_at,
        updated_at: app.updated_at,
        member_number: d.member_number,
        batch_id: d.batch.map(|(id, _)| id.0),
        to_fix,
        review_checklist,
        dossier_checklist,
        events: d
            .events
            .into_iter()
            .map(|e| EventOut {
                at: e.at,
                action: e.action,
                from_status: e.from_status,
                to_status: e.to_status,
                acting_org: e.acting_org,
                note: e.note,
            })
            .collect(),
        attachments: d.attachments.into_iter().map(attachment_out).collect(),
    })
}

async fn read_out(state: &AppState, actor: &Actor, ctx: &RequestCtx, id: ApplicationId) -> AppResult<ApplicationOut> {
    let r = query::readable(&state.db, actor, id).await?;
    application_out(state, actor, r, ctx.lang).await
}

/// One application: its applicant's (drafts too) or a reviewer's in scope.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Json<ApplicationOut>> {
    Ok(Json(read_out(&state, &actor, &ctx, id).await?))
}

/// A new application.
#[derive(Deserialize, ToSchema)]
pub struct ApplicationCreate {
    /// individual or group.
    pub kind: String,
    /// The form's fields (GET shows every name); any may be left out of a draft.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub form: Value,
}

/// `value` as a form of `F`: an unknown field is refused and named.
fn form_of<F: DeserializeOwned>(value: Value) -> AppResult<F> {
    let value = if value.is_null() { Value::Object(Default::default()) } else { value };
    from_value(value, "form")
}

/// Save `form` (as a draft) through the pages' own function; field errors as 422.
async fn save<F: ApplicationForm>(
    state: &AppState,
    actor: &Actor,
    ctx: &RequestCtx,
    existing: Option<&Application>,
    form: F,
    submit: bool,
) -> AppResult<ApplicationId> {
    match service::save_form(state, actor, &ctx.who(), existing, form, submit).await? {
        Ok(Saved::Draft(id) | Saved::Submitted(id)) => Ok(id),
        Ok(Saved::Invalid(_, errors)) | Err(errors) => Err(AppError::Validation(errors)),
    }
}

/// Start an application as a draft (201). The same checks as the form: one open application
/// per person (422 on `id_number`) or institution (on `code`); `to_fix` in the answer says
/// what submitting still needs.
#[utoipa::path(post, path = "/api/v1/applications", tag = "joining", request_body = ApplicationCreate,
    responses((status = 201, body = ApplicationOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    ApiJson(body): ApiJson<ApplicationCreate>,
) -> AppResult<Response> {
    let id = match Kind::parse(&body.kind) {
        Some(Kind::Individual) => {
            save::<IndividualForm>(&state, &actor, &ctx, None, form_of(body.form)?, false).await?
        }
        Some(Kind::Group) => save::<GroupForm>(&state, &actor, &ctx, None, form_of(body.form)?, false).await?,
        None => return Err(AppError::Validation(FieldErrors::single("kind", Msg::new("err.choice")))),
    };
    Ok((StatusCode::CREATED, Json(read_out(&state, &actor, &ctx, id).await?)).into_response())
}

/// Change the fields given (the rest stay as saved) of one's own draft or returned
/// application; 409 (`current_status`) once it is handed in.
#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "joining", params(("id" = i64, Path)), request_body(content = Object, description = "Some of the form's fields."),
    responses((status = 200, body = ApplicationOut), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn change(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
    ApiJson(patch): ApiJson<serde_json::Map<String, Value>>,
) -> AppResult<Json<ApplicationOut>> {
    let app = query::own(&state.db, &actor, id).await?;
    if !app.status().is_editable() {
        return Err(service::not_in_status(app.status()));
    }
    let mut form: serde_json::Map<String, Value> = serde_json::from_str(&app.data).unwrap_or_default();
    form.extend(patch);
    let form = Value::Object(form);
    match app.kind() {
        Kind::Individual => save::<IndividualForm>(&state, &actor, &ctx, Some(&app), form_of(form)?, false).await?,
        Kind::Group => save::<GroupForm>(&state, &actor, &ctx, Some(&app), form_of(form)?, false).await?,
    };
    Ok(Json(read_out(&state, &actor, &ctx, id).await?))
}

/// Hand in one's own draft or returned application: 422 with every field that stops it (the
/// application stays as it was), 409 (`current_status`) when it is no longer the
/// applicant's to hand in.
#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Json<ApplicationOut>> {
    let app = query::own(&state.db, &actor, id).await?;
    if !app.status().is_editable() {
        return Err(service::not_in_status(app.status()));
    }
    match app.kind() {
        Kind::Individual => save(&state, &actor, &ctx, Some(&app), app.individual_form(), true).await?,
        Kind::Group => save(&state, &actor, &ctx, Some(&app), app.group_form(), true).await?,
    };
    Ok(Json(read_out(&state, &actor, &ctx, id).await?))
}

/// Take one's own application back (409 with `current_status` once the council has it).
#[utoipa::path(post, path = "/api/v1/applications/{id}/withdraw", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Json<ApplicationOut>> {
    let app = query::own(&state.db, &actor, id).await?;
    service::withdraw(&state, &actor, &ctx.who(), &app).await?;
    Ok(Json(read_out(&state, &actor, &ctx, id).await?))
}

/// The application's attachments (its applicant and reviewers in scope).
#[utoipa::path(get, path = "/api/v1/applications/{id}/attachments", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn files(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path(id): Path<ApplicationId>,
) -> AppResult<Json<Vec<AttachmentOut>>> {
    let mut conn = state.db.pool().acquire().await?;
    let r = query::load_readable(&mut conn, &actor, id).await?;
    Ok(Json(attachments::list(&mut conn, r.app.id).await?.into_iter().map(attachment_out).collect()))
}

/// Attach a scan (multipart: `purpose`, one of the settings' kinds of attachment, and
/// `file`, PDF/JPEG/PNG by content): 201; 422 naming what is wrong with it.
#[utoipa::path(post, path = "/api/v1/applications/{id}/attachments", tag = "joining", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = Object, description = "purpose and file"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ApplicationId>,
    multipart: Multipart,
) -> AppResult<Response> {
    let app = query::own(&state.db, &actor, id).await?;
    let max = i64::try_from(state.settings.joining.attachments.max_bytes).unwrap_or(i64::MAX);
    let too_large = || AppError::TooLarge(Msg::new("err.file_too_large").arg("max", crate::files::human_size(max)));
    let upload = crate::web::upload::read(multipart, too_large).await?;
    let purpose = upload.field("purpose");
    let Some((name, bytes)) = upload.file().filter(|(name, _)| !name.is_empty()) else {
        return Err(AppError::Validation(FieldErrors::single("file", Msg::new("err.file_missing"))));
    };
    let stored = attachments::add(&state, &actor, &ctx.who(), &app, &purpose, name, bytes).await?.map_err(|msg| {
        let field = if msg.key == "err.attachment_purpose" { "purpose" } else { "file" };
        AppError::Validation(FieldErrors::single(field, msg))
    })?;
    let out = AttachmentOut {
        id: stored.id.0,
        purpose,
        name: stored.original_name,
        content_type: stored.content_type,
        size_bytes: stored.size_bytes,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// An attachment's bytes.
#[utoipa::path(get, path = "/api/v1/applications/{id}/attachments/{file_id}", tag = "joining", params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn download(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path((id, file)): Path<(ApplicationId, FileId)>,
) -> AppResult<Response> {
    let (found, bytes) = documents::attachment(&state, &actor, id, file).await?;
    Ok(crate::web::download(bytes, &found.content_type, "attachment", &found.original_name, "private, no-store"))
}
