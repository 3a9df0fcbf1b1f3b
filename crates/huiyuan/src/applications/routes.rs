//! Joining pages: the applicant's form, status and notifications; the reviewers' queue,
//! review page and decision.

use axum::Form;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::group::{CODE_TYPES, CONDITION_FIELDS, GroupForm, PERSON_FIELDS};
use super::model::{Application, ETHNICITIES, ID_TYPES, IndividualForm, Kind};
use super::service::{self, Decision, Saved, next_step_key};
use super::state::{Action, Status};
use super::store::{self, QueueFilter};
use super::views::*;
use crate::auth::Actor;
use crate::config::CategoryKind;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::ApplicationId;
use crate::web::pagination::{PageQuery, Pager, encode_filters};
use crate::web::{CurrentUser, PageCtx, Staff, allow, redirect, redirect_flash, render, render_refused};

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
        .get(paths::ME_NOTIFICATIONS, notifications)
        .post(paths::ME_NOTIFICATIONS_READ, mark_read)
        .get(paths::ADMIN_APPLICATIONS, queue)
        .get(paths::ADMIN_APPLICATION, review)
        .post(paths::ADMIN_APPLICATION_DECISION, decide)
        .post(paths::ADMIN_APPLICATION_DOSSIER, dossier)
        .merge(super::chain_routes::routes())
        .merge(super::print_routes::routes())
}

fn options<S: AsRef<str>>(list: &[S]) -> Options {
    list.iter().map(|s| (s.as_ref().to_string(), s.as_ref().to_string())).collect()
}

/// The city associations to choose from, and province-direct.
async fn city_options(state: &AppState, page: &PageCtx) -> AppResult<Options> {
    let mut conn = state.db.pool().acquire().await?;
    let mut cities: Options =
        store::cities(&mut conn).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    cities.push(("direct".into(), page.t("app.direct_option").to_string()));
    Ok(cities)
}

/// The categories an applicant of this kind may ask for, in the page's language.
fn category_options(state: &AppState, page: &PageCtx, kind: Kind) -> Options {
    let excluded = match kind {
        Kind::Individual => CategoryKind::Group,
        Kind::Group => CategoryKind::Individual,
    };
    state
        .settings
        .categories
        .iter()
        .filter(|c| c.requestable && c.kind != excluded)
        .map(|c| {
            let english = page.lang == crate::i18n::Lang::En && !c.english_name.is_empty();
            (c.code.clone(), if english { c.english_name.clone() } else { c.name.clone() })
        })
        .collect()
}

async fn choices(state: &AppState, page: &PageCtx) -> AppResult<FormChoices> {
    let cities = city_options(state, page).await?;
    let j = &state.settings.joining;
    Ok(FormChoices {
        genders: vec![("male".into(), page.t("form.male").into()), ("female".into(), page.t("form.female").into())],
        ethnicities: options(&ETHNICITIES),
        political: options(&j.political_statuses),
        id_types: ID_TYPES.iter().map(|(v, k)| (v.to_string(), page.t(k).to_string())).collect(),
        education: options(&j.education_levels),
        degrees: options(&j.degrees),
        service: vec![
            ("in_service".into(), page.t("app.in_service").into()),
            ("retired".into(), page.t("app.retired").into()),
        ],
        cities,
        categories: category_options(state, page, Kind::Individual),
    })
}

async fn form_page(
    state: &AppState,
    page: PageCtx,
    form: IndividualForm,
    errors: FieldErrors,
    action: String,
    returned_note: Option<String>,
) -> AppResult<IndividualFormPage> {
    let choices = choices(state, &page).await?;
    Ok(IndividualFormPage {
        ctx: page.title("app.individual_title").crumb("app.apply_title", paths::APPLY),
        form,
        errors,
        choices,
        action,
        returned_note,
        attachments: None,
        min_education: state.settings.joining.min_education.clone(),
    })
}

async fn group_page(
    state: &AppState,
    page: PageCtx,
    form: GroupForm,
    errors: FieldErrors,
    action: String,
    returned_note: Option<String>,
) -> AppResult<GroupFormPage> {
    let j = &state.settings.joining;
    let choices = GroupChoices {
        institution_types: options(&j.institution_types),
        code_types: CODE_TYPES.iter().map(|(v, k)| (v.to_string(), page.t(k).to_string())).collect(),
        cities: city_options(state, &page).await?,
        categories: category_options(state, &page, Kind::Group),
        conditions: j
            .group_conditions
            .iter()
            .zip(CONDITION_FIELDS)
            .enumerate()
            .map(|(i, (c, field))| (i, field, c.clone(), form.condition(i)))
            .collect(),
        people: PERSON_FIELDS
            .iter()
            .take(j.group_individuals_max)
            .enumerate()
            .map(|(i, f)| (i, *f, form.person(i)))
            .collect(),
        people_range: format!("{}–{}", j.group_individuals_min, j.group_individuals_max),
    };
    Ok(GroupFormPage {
        ctx: page.title("app.group_title").crumb("app.apply_title", paths::APPLY),
        form,
        errors,
        choices,
        action,
        returned_note,
        attachments: None,
    })
}

async fn new_group(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let user = crate::auth::store::find_user(&mut conn, actor.user_id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let form = GroupForm {
        contact_name: user.display_name,
        contact_email: user.email.unwrap_or_default(),
        contact_mobile: user.mobile.unwrap_or_default(),
        code_type: "credit_code".into(),
        ..GroupForm::default()
    };
    let view = group_page(&state, page, form, FieldErrors::new(), paths::APPLY_GROUP.to_string(), None).await?;
    Ok(render(&view)?.into_response())
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

async fn apply(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let mine = store::for_applicant(&mut conn, actor.user_id)
        .await?
        .into_iter()
        .map(|a| MyApplication {
            id: a.id.to_string(),
            kind: page.t(a.kind().label_key()),
            status: page.t(a.status().label_key()),
            tag: a.status().tag(),
            updated_at: a.updated_at,
            name: a.name,
        })
        .collect();
    Ok(render(&ApplyPage { ctx: page.title("app.apply_title"), mine })?.into_response())
}

async fn new_individual(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let user = crate::auth::store::find_user(&mut conn, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let form = IndividualForm {
        name: user.display_name,
        email: user.email.unwrap_or_default(),
        mobile: user.mobile.unwrap_or_default(),
        ..IndividualForm::default()
    };
    let view = form_page(&state, page, form, FieldErrors::new(), paths::APPLY_INDIVIDUAL.to_string(), None).await?;
    Ok(render(&view)?.into_response())
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

async fn save(
    state: &AppState,
    actor: &Actor,
    ctx: &crate::web::request::RequestCtx,
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
            return Ok(redirect_flash(
                state,
                &paths::with_id(paths::APPLICATION, id),
                &Msg::new("flash.app_submitted"),
            ));
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
        let mut conn = state.db.pool().acquire().await?;
        let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        drop(conn);
        return edit_response(state, page, &app, errors, Some(posted), None).await;
    }
    match posted {
        Posted::Individual(f) => {
            render_refused(&form_page(state, page, f, errors, paths::APPLY_INDIVIDUAL.to_string(), None).await?)
        }
        Posted::Group(f) => {
            render_refused(&group_page(state, page, f, errors, paths::APPLY_GROUP.to_string(), None).await?)
        }
    }
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

/// The applicant's own application (403 for anyone else).
async fn own(state: &AppState, actor: &Actor, id: ApplicationId) -> AppResult<Application> {
    let mut conn = state.db.pool().acquire().await?;
    let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    allow(app.applicant_id == actor.user_id)?;
    Ok(app)
}

/// What the reviewer asked to fix, when the application is back with the applicant.
async fn returned_note(state: &AppState, app: &Application) -> AppResult<Option<String>> {
    if app.status() != Status::Returned {
        return Ok(None);
    }
    let mut conn = state.db.pool().acquire().await?;
    let events = store::events(&mut conn, app.id).await?;
    Ok(events.into_iter().rev().find(|e| e.to_status == Status::Returned.as_str()).map(|e| e.note))
}

async fn edit(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let app = own(&state, &actor, id).await?;
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
    let note = returned_note(state, app).await?;
    let action = paths::with_id(paths::APPLICATION_EDIT, app.id);
    let refused = !errors.is_empty() || file_error.is_some();
    let attachments = Some(attachments_view(state, &page, app, true, file_error).await?);
    let posted = posted.unwrap_or_else(|| match app.kind() {
        Kind::Individual => Posted::Individual(app.individual_form()),
        Kind::Group => Posted::Group(app.group_form()),
    });
    let html = match posted {
        Posted::Individual(f) => {
            render(&IndividualFormPage { attachments, ..form_page(state, page, f, errors, action, note).await? })?
        }
        Posted::Group(f) => {
            render(&GroupFormPage { attachments, ..group_page(state, page, f, errors, action, note).await? })?
        }
    };
    Ok(if refused {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
    } else {
        html.into_response()
    })
}

/// The attachments panel of `app`; `mine`: the viewer is the applicant.
pub(super) async fn attachments_view(
    state: &AppState,
    page: &PageCtx,
    app: &Application,
    mine: bool,
    file_error: Option<(String, String)>,
) -> AppResult<AttachmentsView> {
    let mut conn = state.db.pool().acquire().await?;
    let items = super::attachments::list(&mut conn, app.id)
        .await?
        .into_iter()
        .map(|a| AttachmentItem {
            id: a.file.id.to_string(),
            size: a.file.size_label(),
            name: a.file.original_name,
            purpose: a.purpose,
        })
        .collect();
    let limits = &state.settings.joining.attachments;
    let max = crate::files::human_size(i64::try_from(limits.max_bytes).unwrap_or(i64::MAX));
    let (error, chosen) = file_error.map(|(e, c)| (Some(e), c)).unwrap_or_default();
    Ok(AttachmentsView {
        app_id: app.id.to_string(),
        items,
        purposes: super::attachments::purposes(state, app.kind()).to_vec(),
        can_change: mine && app.status().is_editable(),
        error,
        chosen,
        accept: super::attachments::ACCEPTED,
        rule: page.lang.render(&Msg::new("app.attachment_rule").arg("max", max).arg("count", limits.max_count)),
    })
}

async fn upload(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    mut multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let app = own(&state, &actor, id).await?;
    let max = state.settings.joining.attachments.max_bytes;
    let too_large = || {
        AppError::TooLarge(
            Msg::new("err.file_too_large").arg("max", crate::files::human_size(i64::try_from(max).unwrap_or(i64::MAX))),
        )
    };
    let (mut purpose, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        match field.name() {
            Some("purpose") => purpose = field.text().await.map_err(|_| too_large())?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                file = Some((name, field.bytes().await.map_err(|_| too_large())?));
            }
            _ => {}
        }
    }
    let outcome = match file {
        Some((name, bytes)) if !name.is_empty() => {
            super::attachments::add(&state, &actor, &ctx.who(), &app, &purpose, &name, &bytes).await?.map(|_| ())
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
    Path((id, file)): Path<(ApplicationId, crate::storage::FileId)>,
) -> AppResult<Response> {
    let app = own(&state, &actor, id).await?;
    super::attachments::remove(&state, &actor, &ctx.who(), &app, file).await?;
    Ok(redirect_flash(&state, &format!("{}#attachments", page_of(&app)), &Msg::new("flash.file_removed")))
}

/// An attachment, for the applicant and for staff who may see the application.
async fn download_file(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path((id, file)): Path<(ApplicationId, crate::storage::FileId)>,
) -> AppResult<Response> {
    let (app, _) = readable(&state, &actor, id).await?;
    let mut conn = state.db.pool().acquire().await?;
    let found = super::attachments::list(&mut conn, app.id)
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
    Ok(crate::web::download(bytes, &found.file.content_type, "inline", &found.file.original_name, "private, no-store"))
}

async fn update(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = own(&state, &actor, id).await?;
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
    let app = own(&state, &actor, id).await?;
    service::withdraw(&state, &actor, &ctx.who(), &app).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::APPLICATION, id), &Msg::new("flash.app_withdrawn")))
}

/// The steps of joining with where this application stands: (label, state, date).
fn steps(app: &Application, events: &[store::EventRow]) -> Vec<Step> {
    let direct = app.is_direct();
    // Each step is done once the application reached one of these statuses.
    let mut plan: Vec<(&'static str, &'static [&'static str])> = vec![("app.step_submit", &["submitted"])];
    if direct {
        plan.push(("app.step_secretariat_review", &["ready"]));
    } else {
        plan.push(("app.step_city_review", &["recommended"]));
        plan.push(("app.step_forward", &["forwarded"]));
        plan.push(("app.step_dossier", &["ready"]));
    }
    plan.push(("app.step_council", &["approved", "not_approved"]));
    plan.push(("app.step_member", &["approved"]));
    let reached =
        |targets: &[&str]| events.iter().rev().find(|e| targets.contains(&e.to_status.as_str())).map(|e| e.at);
    let status = app.status();
    let stopped = matches!(status, Status::Rejected | Status::Withdrawn | Status::NotApproved);
    let mut out = Vec::new();
    let mut current_marked = false;
    for (label, targets) in plan {
        // A return sends the application back to the applicant: later steps start again.
        let at = reached(targets).filter(|t| {
            events.iter().filter(|e| e.to_status == "returned" || e.to_status == "sent_back").all(|r| r.at <= *t)
        });
        let done = at.is_some() && !(label == "app.step_member" && status != Status::Approved);
        let state = if done {
            "done"
        } else if !current_marked {
            current_marked = true;
            if stopped { "stopped" } else { "current" }
        } else {
            "todo"
        };
        out.push(Step { label, state, at: if done { at } else { None } });
    }
    out
}

fn event_views(page: &PageCtx, events: Vec<store::EventRow>) -> Vec<EventView> {
    events
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            action: Action::parse(&e.action).map(|a| page.t(a.label_key())).unwrap_or(""),
            body: e.acting_org.unwrap_or_else(|| page.t("app.by_applicant").to_string()),
            note: e.note,
        })
        .collect()
}

async fn reviewer_name(state: &AppState, page: &PageCtx, app: &Application) -> AppResult<String> {
    Ok(match app.org_id {
        Some(org) => {
            let mut conn = state.db.pool().acquire().await?;
            crate::orgs::store::find(&mut conn, org).await?.map(|o| o.name).unwrap_or_default()
        }
        None => page.t("app.direct").to_string(),
    })
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if app.applicant_id != actor.user_id {
        // Staff who scan a paper form land on their own view.
        let path = org_path(&state, &app).await?;
        allow(actor.can_view_application(path.as_deref()))?;
        return Ok(redirect(&paths::with_id(paths::ADMIN_APPLICATION, id)));
    }
    let events = store::events(&mut conn, id).await?;
    drop(conn);
    let status = app.status();
    let view = StatusPage {
        id: app.id.to_string(),
        kind: page.t(app.kind().label_key()),
        status: page.t(status.label_key()),
        tag: status.tag(),
        next: page.t(next_step_key(status)),
        steps: steps(&app, &events),
        editable: status.is_editable(),
        withdrawable: super::state::transition(status, Action::Withdraw).is_ok(),
        reviewer: if app.version > 0 { reviewer_name(&state, &page, &app).await? } else { String::new() },
        member_number: member_number(&state, &app).await?,
        attachments: Some(attachments_view(&state, &page, &app, true, None).await?),
        events: event_views(&page, events),
        name: app.name.clone(),
        ctx: page.title("app.status_title").crumb("app.apply_title", paths::APPLY),
    };
    Ok(render(&view)?.into_response())
}

async fn member_number(state: &AppState, app: &Application) -> AppResult<Option<String>> {
    if app.status() != Status::Approved {
        return Ok(None);
    }
    let mut conn = state.db.pool().acquire().await?;
    Ok(crate::members::store::for_application(&mut conn, app.id).await?.map(|m| m.number))
}

pub(super) async fn org_path(state: &AppState, app: &Application) -> AppResult<Option<String>> {
    match app.org_id {
        Some(org) => {
            let mut conn = state.db.pool().acquire().await?;
            Ok(crate::orgs::store::find(&mut conn, org).await?.map(|o| o.path))
        }
        None => Ok(None),
    }
}

async fn notifications(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let items = crate::notifications::recent(&mut conn, actor.user_id, 100).await?;
    let unread = crate::notifications::unread(&mut conn, actor.user_id).await?;
    Ok(render(&NotificationsPage { ctx: page.title("me.notifications").crumb("me.title", paths::ME), items, unread })?
        .into_response())
}

async fn mark_read(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    crate::notifications::mark_all_read(&mut conn, actor.user_id).await?;
    Ok(redirect(paths::ME_NOTIFICATIONS))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct QueueQuery {
    /// A status, or a stage of several separated by commas (`returned,sent_back`).
    pub status: String,
    pub kind: String,
    /// A city's id, or `direct` for the province's own applications.
    pub city: String,
    pub q: String,
    pub sort: String,
    #[serde(flatten)]
    pub page: PageQuery,
}

/// The tabs of the queue, in the order applications move.
const TABS: [Status; 11] = [
    Status::Submitted,
    Status::Returned,
    Status::Recommended,
    Status::Forwarded,
    Status::SentBack,
    Status::Ready,
    Status::OnAgenda,
    Status::Approved,
    Status::Rejected,
    Status::NotApproved,
    Status::Withdrawn,
];

async fn queue(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    Ok(render(&queue_view(&state, &actor, page, q, None).await?)?.into_response())
}

/// What the batch form sent, shown again when it was refused: (name, picked, errors).
pub(super) type BatchAttempt = (String, Vec<ApplicationId>, FieldErrors);

/// The queue page; `attempt` re-shows a refused batch form on the recommended tab.
pub(super) async fn queue_view(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    q: QueueQuery,
    attempt: Option<BatchAttempt>,
) -> AppResult<QueuePage> {
    let scope = actor.org_scope();
    let filter = QueueFilter {
        statuses: q.status.split(',').filter_map(|s| Status::parse(s.trim())).collect(),
        kind: Kind::parse(&q.kind),
        org: q.city.parse::<i64>().ok().map(crate::storage::OrgId),
        direct: q.city == "direct",
        q: crate::text::normalize_line(&q.q),
        newest_first: q.sort == "newest",
    };
    let filters = encode_filters(&[
        ("status", &q.status),
        ("kind", &q.kind),
        ("city", &q.city),
        ("q", &filter.q),
        ("sort", &q.sort),
    ]);
    let pager = Pager::new(&q.page, paths::ADMIN_APPLICATIONS, filters);
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = store::queue(&mut conn, &scope, &filter, pager.offset(), pager.limit()).await?;
    let counts = store::counts(&mut conn, &scope, &filter).await?;
    let count = |s: &str| counts.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
    let mut tabs =
        vec![(String::new(), page.t("list.all"), counts.iter().map(|(_, n)| n).sum(), filter.statuses.is_empty())];
    for s in TABS {
        tabs.push((s.as_str().to_string(), page.t(s.label_key()), count(s.as_str()), filter.statuses == [s]));
    }
    // Province staff narrow the queue to a city; a city's own staff see only theirs anyway.
    let mut cities = Vec::new();
    if scope == crate::auth::OrgScope::All {
        cities = store::cities(&mut conn).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
        cities.push(("direct".into(), page.t("app.direct").to_string()));
    }
    let picked = |id: ApplicationId| attempt.as_ref().is_none_or(|(_, picked, _)| picked.contains(&id));
    let rows = rows
        .into_iter()
        .map(|r| {
            let kind = Kind::parse(&r.kind).map(|k| page.t(k.label_key())).unwrap_or("");
            let status = Status::parse(&r.status).unwrap_or(Status::Submitted);
            let checked = picked(r.id);
            (r, kind, page.t(status.label_key()), status.tag(), checked)
        })
        .collect();
    let city = actor.grants.iter().find(|g| g.role == crate::auth::Role::CityAdmin);
    let batching = filter.statuses == [Status::Recommended] && city.is_some() && total > 0;
    let (batch_name, batch_errors) = match (attempt, city) {
        (Some((name, _, errors)), _) => (name, errors),
        (None, Some(g)) if batching => {
            let n = super::batches::count_for_org(&mut conn, g.org_id).await? + 1;
            let year = state.settings.locale.today().year();
            (super::batches::default_name(&g.org_name, year, n), FieldErrors::new())
        }
        _ => (String::new(), FieldErrors::new()),
    };
    Ok(QueuePage {
        ctx: page.title("app.queue_title").crumb("menu.joining", paths::ADMIN_APPLICATIONS),
        batching,
        batch_name,
        batch_errors,
        rows,
        pager: pager.with_total(total),
        tabs,
        q: filter.q,
        kind: q.kind,
        sort: q.sort,
        status: q.status,
        city: q.city,
        cities,
    })
}

/// The application, for its applicant (drafts too) or for staff who may see it (not drafts),
/// with the path of its reviewing city.
pub(super) async fn readable(
    state: &AppState,
    actor: &Actor,
    id: ApplicationId,
) -> AppResult<(Application, Option<String>)> {
    let mut conn = state.db.pool().acquire().await?;
    let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let path = org_path(state, &app).await?;
    if app.applicant_id != actor.user_id {
        if app.status() == Status::Draft {
            return Err(AppError::NotFound);
        }
        allow(actor.can_view_application(path.as_deref()))?;
    }
    Ok((app, path))
}

/// The application, if the staff member may see it.
async fn visible(state: &AppState, actor: &Actor, id: ApplicationId) -> AppResult<(Application, Option<String>)> {
    let mut conn = state.db.pool().acquire().await?;
    let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    if app.status() == Status::Draft {
        return Err(AppError::NotFound);
    }
    let path = org_path(state, &app).await?;
    allow(actor.can_view_application(path.as_deref()))?;
    Ok((app, path))
}

/// The decisions this viewer can take on this application now.
fn open_actions(actor: &Actor, app: &Application, path: Option<&str>) -> Vec<(&'static str, &'static str)> {
    let (allowed, candidates): (bool, &[Action]) = match path {
        Some(p) => (actor.can_review_city_application(p), &[Action::Recommend, Action::Return, Action::Reject]),
        None => (actor.can_process_direct_application(), &[Action::Return, Action::Reject]),
    };
    if !allowed {
        return Vec::new();
    }
    candidates
        .iter()
        .filter(|a| super::state::transition(app.status(), **a).is_ok())
        .map(|a| (a.as_str(), a.label_key()))
        .collect()
}

/// A group application as the reviewers read it, in the order of the paper form.
fn group_sections(state: &AppState, page: &PageCtx, app: &Application, reveal: bool) -> Vec<DetailSection> {
    let f = app.group_form();
    let d = |label: &'static str, value: String| Detail { label, value };
    let code_type = CODE_TYPES.iter().find(|(v, _)| *v == f.code_type).map(|(_, k)| page.t(k)).unwrap_or("");
    let conditions = state
        .settings
        .joining
        .group_conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let declared = f.condition(i);
            let mark = if declared.met { page.t("app.declared") } else { page.t("app.not_declared") };
            Detail { label: "", value: format!("{}. {c}（{mark}）\n{}", i + 1, declared.text) }
        })
        .collect();
    let people = f
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let number = if reveal { p.id_number.clone() } else { crate::domain::mask_document(&p.id_number) };
            Detail { label: "", value: format!("{}. {} {number}", i + 1, p.name) }
        })
        .collect();
    vec![
        DetailSection {
            title: "app.section_institution",
            rows: vec![
                d("app.g_name", f.name.clone()),
                d("app.g_type", f.institution_type.clone()),
                d("app.g_code_type", code_type.to_string()),
                d("app.g_code", f.code.clone()),
                d("app.g_legal_rep", f.legal_rep.clone()),
                d("app.g_science_head", f.science_head.clone()),
            ],
        },
        DetailSection {
            title: "app.section_contact",
            rows: vec![
                d("app.g_contact_name", f.contact_name.clone()),
                d("app.g_contact_post", f.contact_post.clone()),
                d("app.f_mobile", f.contact_mobile.clone()),
                d("app.f_email", f.contact_email.clone()),
                d("app.f_address", f.address.clone()),
                d("app.f_postcode", f.postcode.clone()),
            ],
        },
        DetailSection {
            title: "app.section_size",
            rows: vec![
                d("app.g_students", f.students.clone()),
                d("app.g_staff", f.staff.clone()),
                d("app.g_counsellors_full", f.counsellors_full.clone()),
                d("app.g_counsellors_part", f.counsellors_part.clone()),
            ],
        },
        DetailSection { title: "app.section_conditions", rows: conditions },
        DetailSection { title: "app.section_people", rows: people },
        DetailSection {
            title: "app.section_record",
            rows: vec![
                d("app.f_category", app.category.clone()),
                d("app.g_activities", f.activities.clone()),
                d("app.f_awards", f.awards.clone()),
            ],
        },
    ]
}

fn detail_sections(page: &PageCtx, app: &Application, reveal: bool) -> Vec<DetailSection> {
    let f = app.individual_form();
    let d = |label: &'static str, value: String| Detail { label, value };
    let id_number = if reveal { f.id_number.clone() } else { crate::domain::mask_document(&f.id_number) };
    let id_type = ID_TYPES.iter().find(|(v, _)| *v == f.id_type).map(|(_, k)| page.t(k)).unwrap_or("");
    let gender = crate::domain::Gender::parse(&f.gender).map(|g| page.t(g.label_key())).unwrap_or("");
    let service = match f.in_service.as_str() {
        "in_service" => page.t("app.in_service"),
        "retired" => page.t("app.retired"),
        _ => "",
    };
    vec![
        DetailSection {
            title: "app.section_basic",
            rows: vec![
                d("app.f_name", f.name.clone()),
                d("app.f_gender", gender.to_string()),
                d("app.f_birth_date", f.birth_date.clone()),
                d("app.f_ethnicity", f.ethnicity.clone()),
                d("app.f_political", f.political_status.clone()),
                d("app.f_id_type", id_type.to_string()),
                d("app.f_id_number", id_number),
            ],
        },
        DetailSection {
            title: "app.section_work",
            rows: vec![
                d("app.f_education", f.education.clone()),
                d("app.f_degree", f.degree.clone()),
                d("app.f_title", f.title.clone()),
                d("app.f_post", f.post.clone()),
                d("app.f_employer", f.employer.clone()),
                d("app.f_in_service", service.to_string()),
                d("app.f_subject", f.subject.clone()),
                d("app.f_years", f.years.clone()),
            ],
        },
        DetailSection {
            title: "app.section_contact",
            rows: vec![
                d("app.f_mobile", f.mobile.clone()),
                d("app.f_email", f.email.clone()),
                d("app.f_address", f.address.clone()),
                d("app.f_postcode", f.postcode.clone()),
            ],
        },
        DetailSection {
            title: "app.section_record",
            rows: vec![
                d("app.f_category", app.category.clone()),
                d("app.f_achievements", f.achievements.clone()),
                d("app.f_awards", f.awards.clone()),
            ],
        },
    ]
}

/// The dossier form, when it is the viewer's to fill in now.
async fn dossier_form(
    state: &AppState,
    actor: &Actor,
    app: &Application,
    input: Option<(&super::dossiers::DossierInput, FieldErrors)>,
) -> AppResult<Option<DossierForm>> {
    if !actor.can_process_direct_application() || !super::dossiers::open_for_dossier(app) {
        return Ok(None);
    }
    let list = super::dossiers::checklist(state, app);
    let expected = state.settings.joining.dossier.paper_copies;
    let form = match input {
        Some((i, errors)) => DossierForm {
            checklist: list.into_iter().enumerate().map(|(n, c)| (n, c, i.ticks.contains(&n))).collect(),
            copies: i.copies.clone(),
            expected,
            note: i.note.clone(),
            can_send_back: !app.is_direct(),
            errors,
        },
        None => {
            let mut conn = state.db.pool().acquire().await?;
            let saved = super::dossiers::find(&mut conn, app.id).await?;
            let ticked = saved.as_ref().map(|d| d.ticked()).unwrap_or_default();
            DossierForm {
                checklist: list.into_iter().enumerate().map(|(n, c)| (n, c, ticked.contains(&n))).collect(),
                copies: saved.as_ref().map(|d| d.copies_received.to_string()).unwrap_or_else(|| "0".into()),
                expected,
                note: saved.map(|d| d.note).unwrap_or_default(),
                can_send_back: !app.is_direct(),
                errors: FieldErrors::new(),
            }
        }
    };
    Ok(Some(form))
}

async fn review_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    app: &Application,
    path: Option<&str>,
    decision: (&Decision, FieldErrors),
) -> AppResult<ReviewPage> {
    let mut conn = state.db.pool().acquire().await?;
    let events = store::events(&mut conn, app.id).await?;
    drop(conn);
    let checklist = match app.kind() {
        Kind::Individual => &state.settings.joining.city_checklist.individual,
        Kind::Group => &state.settings.joining.city_checklist.group,
    };
    let (decided, errors) = decision;
    let category = state.settings.category(&app.category).map(|c| c.name.clone()).unwrap_or_default();
    // The reviewers need the numbers themselves; anyone else reads them masked.
    let reveal = actor.can_read_id_numbers(path);
    let mut sections = match app.kind() {
        Kind::Individual => detail_sections(&page, app, reveal),
        Kind::Group => group_sections(state, &page, app, reveal),
    };
    if let Some(s) = sections.last_mut()
        && let Some(first) = s.rows.first_mut()
    {
        first.value = category;
    }
    Ok(ReviewPage {
        id: app.id.to_string(),
        name: app.name.clone(),
        kind: page.t(app.kind().label_key()),
        status: page.t(app.status().label_key()),
        tag: app.status().tag(),
        reviewer: reviewer_name(state, &page, app).await?,
        sections,
        events: event_views(&page, events),
        actions: open_actions(actor, app, path),
        checklist: checklist.iter().enumerate().map(|(i, c)| (i, c.clone(), decided.ticks.contains(&i))).collect(),
        note: decided.note.clone(),
        chosen: decided.action.map(|a| a.as_str().to_string()).unwrap_or_default(),
        errors,
        versions: app.version,
        dossier: dossier_form(state, actor, app, None).await?,
        batch: {
            let mut conn = state.db.pool().acquire().await?;
            super::batches::of_application(&mut conn, app.id).await?.map(|b| (b.id.to_string(), b.name))
        },
        member_number: member_number(state, app).await?,
        attachments: Some(attachments_view(state, &page, app, false, None).await?),
        ctx: page.title_text(app.name.clone()).crumb("app.queue_title", paths::ADMIN_APPLICATIONS),
    })
}

async fn review(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let (app, path) = visible(&state, &actor, id).await?;
    let view =
        review_page(&state, &actor, page, &app, path.as_deref(), (&Decision::default(), FieldErrors::new())).await?;
    Ok(render(&view)?.into_response())
}

async fn decide(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (app, path) = visible(&state, &actor, id).await?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let decision = Decision {
        action: Action::parse(&get("action")),
        ticks: pairs.iter().filter(|(n, _)| n == "tick").filter_map(|(_, v)| v.parse().ok()).collect(),
        note: get("note"),
    };
    match service::decide(&state, &actor, &ctx.who(), &app, path.as_deref(), &decision).await? {
        Ok(()) => {
            let key = match decision.action {
                Some(Action::Recommend) => "flash.app_recommended",
                Some(Action::Return) => "flash.app_returned",
                Some(Action::Reject) => "flash.app_rejected",
                _ => "flash.saved",
            };
            Ok(redirect_flash(
                &state,
                &paths::with_id(paths::ADMIN_APPLICATION, id),
                &Msg::new(key).arg("name", &app.name),
            ))
        }
        Err(errors) => {
            let view = review_page(&state, &actor, page, &app, path.as_deref(), (&decision, errors)).await?;
            render_refused(&view)
        }
    }
}

async fn dossier(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (app, path) = visible(&state, &actor, id).await?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = super::dossiers::DossierInput {
        ticks: pairs.iter().filter(|(n, _)| n == "tick").filter_map(|(_, v)| v.parse().ok()).collect(),
        copies: get("copies"),
        note: get("note"),
        action: match get("action").as_str() {
            "" => None,
            a => Some(Action::parse(a).ok_or_else(|| AppError::BadRequest(Msg::new("error.bad_request")))?),
        },
    };
    match super::dossiers::record(&state, &actor, &ctx.who(), &app, &input).await? {
        Ok(()) => {
            let key = match input.action {
                Some(Action::File) => "flash.app_filed",
                Some(Action::SendBack) => "flash.app_sent_back",
                _ => "flash.saved",
            };
            Ok(redirect_flash(
                &state,
                &paths::with_id(paths::ADMIN_APPLICATION, id),
                &Msg::new(key).arg("name", &app.name),
            ))
        }
        Err(errors) => {
            let mut view =
                review_page(&state, &actor, page, &app, path.as_deref(), (&Decision::default(), FieldErrors::new()))
                    .await?;
            view.dossier = dossier_form(&state, &actor, &app, Some((&input, errors))).await?;
            render_refused(&view)
        }
    }
}
