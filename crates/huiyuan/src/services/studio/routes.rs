//! The studio's pages: its resources and each one's week (anyone), booking (signed in), a
//! person's bookings under 我的 → 我的服务, the managers' page, and the calendar feeds.

use axum::Form;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Duration;

use super::resources::{self, ResourceForm};
use super::service::{self, BookingInput, Decision};
use super::slot::parse_day;
use super::views::*;
use super::{calendar, query, store};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{BookingId, ResourceId};
use crate::web::{Ctx, CurrentUser, PageCtx, download, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::STUDIO, list)
        .get(paths::STUDIO_RESOURCE, show)
        .get(paths::STUDIO_RESOURCE_ICS, resource_feed)
        .public()
        .get(paths::STUDIO_BOOK, book_form)
        .post(paths::STUDIO_BOOKINGS, book)
        .post(paths::STUDIO_BOOKING_CANCEL, cancel)
        .get(paths::ME_SERVICES, mine)
        .get(paths::ME_BOOKINGS_ICS, my_feed)
        .get(paths::ADMIN_STUDIO, admin)
        .post(paths::ADMIN_STUDIO_DECIDE, decide)
        .post(paths::ADMIN_STUDIO_CLOSED, close_day)
        .get(paths::ADMIN_STUDIO_RESOURCE_NEW, new_resource)
        .post(paths::ADMIN_STUDIO_RESOURCE_NEW, create_resource)
        .get(paths::ADMIN_STUDIO_RESOURCE, edit_resource)
        .post(paths::ADMIN_STUDIO_RESOURCE, update_resource)
}

async fn list(State(state): State<AppState>, Ctx(ctx): Ctx, page: PageCtx) -> AppResult<Response> {
    let list = query::resources(&state, ctx.actor.as_ref()).await?;
    let st = &state.settings.studio;
    let intro = page
        .lang
        .render(&Msg::new("studio.intro").arg("member", st.member_days_ahead).arg("others", st.others_days_ahead));
    let resources = list.into_iter().map(|r| resource_view(&state.settings, &page, r)).collect();
    Ok(render(&ListPage { ctx: page.title("studio.title"), intro, resources })?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WeekQuery {
    week: String,
}

async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Path(id): Path<ResourceId>,
    Query(q): Query<WeekQuery>,
) -> AppResult<Response> {
    let actor = ctx.actor.as_ref();
    let r = query::resource(&state, actor, id).await?;
    let day = parse_day(&q.week).unwrap_or_else(|| state.settings.locale.today());
    let monday = day - Duration::days(i64::from(day.weekday().number_days_from_monday()));
    let closed = store::closed_days(&mut *state.db.pool().acquire().await?, id, &monday.to_string()).await?;
    let bookings = query::days(&state, id, monday, 7).await?;
    let res = resource_view(&state.settings, &page, r);
    Ok(render(&show_page(&state, page, actor, res, (monday, &closed), bookings))?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DayQuery {
    day: String,
}

async fn book_view(
    state: &AppState,
    actor: &crate::auth::Actor,
    page: PageCtx,
    id: ResourceId,
    attempt: (BookingInput, FieldErrors, Option<String>),
) -> AppResult<BookPage> {
    let r = query::resource(state, Some(actor), id).await?;
    let member = service::membership(&mut *state.db.pool().acquire().await?, actor).await?.is_some();
    let res = resource_view(&state.settings, &page, r);
    Ok(book_page(&state.settings, page, res, member, attempt))
}

async fn book_form(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
    Path(id): Path<ResourceId>,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    let form = BookingInput {
        resource: id.to_string(),
        slot: super::slot::SlotInput { day: q.day, ..Default::default() },
        participants: String::new(),
        ..Default::default()
    };
    Ok(render(&book_view(&state, &actor, page, id, (form, FieldErrors::new(), None)).await?)?.into_response())
}

async fn book(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Form(form): Form<BookingInput>,
) -> AppResult<Response> {
    let id = form.resource.trim().parse::<i64>().map(ResourceId).map_err(|_| AppError::NotFound)?;
    match service::book(&state, &actor, &ctx.who(), &form).await {
        Ok(Ok(_)) => Ok(redirect_flash(&state, paths::ME_SERVICES, &Msg::new("flash.studio_booked"))),
        Ok(Err(errors)) => render_refused(&book_view(&state, &actor, page, id, (form, errors, None)).await?),
        // The slot was taken meanwhile: say so above the form, keeping what was typed.
        Err(AppError::Conflict(msg)) => {
            let alert = Some(page.msg(&msg));
            let view = book_view(&state, &actor, page, id, (form, FieldErrors::new(), alert)).await?;
            Ok((axum::http::StatusCode::CONFLICT, render(&view)?).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn cancel(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<BookingId>,
) -> AppResult<Response> {
    let b = service::cancel(&state, &actor, &ctx.who(), id).await?;
    let back = if actor.is_user(b.user_id) { paths::ME_SERVICES } else { paths::ADMIN_STUDIO };
    Ok(redirect_flash(&state, back, &Msg::new("flash.studio_cancelled")))
}

async fn mine(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser, page: PageCtx) -> AppResult<Response> {
    let lines = query::mine(&state, &actor).await?;
    let bookings = lines.into_iter().map(|l| line_view(&state, &page, l)).collect();
    let ctx = page.title("services.title").crumb("me.title", paths::ME);
    Ok(render(&MinePage { ctx, bookings })?.into_response())
}

fn host(state: &AppState) -> String {
    let base = &state.settings.server.base_url;
    base.split("://").nth(1).unwrap_or(base).trim_end_matches('/').to_string()
}

async fn resource_feed(State(state): State<AppState>, Path(id): Path<ResourceId>) -> AppResult<Response> {
    let r = query::resource(&state, None, id).await?;
    let from = state.settings.locale.today() - Duration::days(30);
    let rows = query::days(&state, id, from, 30 + state.settings.studio.member_days_ahead + 1).await?;
    // What and when, never who.
    let events: Vec<_> = rows
        .into_iter()
        .filter(|b| b.status == "approved")
        .map(|b| {
            let summary = format!("{} · {}", r.name, b.purpose);
            (b, summary)
        })
        .collect();
    let body = calendar::feed(&r.name, &host(&state), &events);
    Ok(download(body, "text/calendar; charset=utf-8", "inline", &format!("{}.ics", r.name), "public, max-age=300"))
}

async fn my_feed(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser) -> AppResult<Response> {
    let lines = query::mine(&state, &actor).await?;
    let events: Vec<_> = lines
        .into_iter()
        .filter(|l| l.booking.status().holds_slot())
        .map(|l| {
            let summary = format!("{} · {}", l.resource, l.booking.purpose);
            (l.booking, summary)
        })
        .collect();
    let body = calendar::feed(&actor.display_name, &host(&state), &events);
    Ok(download(body, "text/calendar; charset=utf-8", "attachment", "studio-bookings.ics", "private, no-store"))
}

async fn admin_view(
    state: &AppState,
    actor: &crate::auth::Actor,
    page: PageCtx,
    closed: ((String, String, String), FieldErrors),
    refused: Option<(i64, String, FieldErrors)>,
) -> AppResult<AdminPage> {
    let pending = query::pending(state, actor).await?.into_iter().map(|l| line_view(state, &page, l)).collect();
    let resources = query::resources(state, Some(actor))
        .await?
        .into_iter()
        .map(|r| resource_view(&state.settings, &page, r))
        .collect();
    let (closed_form, errors) = closed;
    Ok(AdminPage { ctx: page.title("studio.manage"), pending, resources, closed_form, errors, refused })
}

async fn admin(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
) -> AppResult<Response> {
    let blank = ((String::new(), String::new(), String::new()), FieldErrors::new());
    Ok(render(&admin_view(&state, &actor, page, blank, None).await?)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<BookingId>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let decision = if form.decision == "approve" { Decision::Approve } else { Decision::Decline };
    match service::decide(&state, &actor, &ctx.who(), id, decision, &form.note).await? {
        Ok(_) => Ok(redirect_flash(&state, paths::ADMIN_STUDIO, &Msg::new("flash.studio_decided"))),
        Err(errors) => {
            let blank = ((String::new(), String::new(), String::new()), FieldErrors::new());
            render_refused(&admin_view(&state, &actor, page, blank, Some((id.0, form.note, errors))).await?)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClosedForm {
    resource: String,
    day: String,
    reason: String,
}

async fn close_day(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Form(form): Form<ClosedForm>,
) -> AppResult<Response> {
    let resource = form.resource.trim().parse::<i64>().ok().map(ResourceId);
    match resources::close_day(&state, &actor, &ctx.who(), resource, (&form.day, &form.reason)).await? {
        Ok(()) => Ok(redirect_flash(&state, paths::ADMIN_STUDIO, &Msg::new("flash.studio_closed_day"))),
        Err(errors) => {
            let typed = ((form.resource, form.day, form.reason), errors);
            render_refused(&admin_view(&state, &actor, page, typed, None).await?)
        }
    }
}

/// The resource form's fields (the closed weekdays are ticked boxes: read them all).
fn resource_form(raw: &[u8]) -> ResourceForm {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    ResourceForm {
        name: get("name"),
        kind: get("kind"),
        description: get("description"),
        capacity: get("capacity"),
        purposes: get("purposes"),
        opens_at: get("opens_at"),
        closes_at: get("closes_at"),
        closed_weekdays: pairs.iter().filter(|(k, _)| k == "closed_weekdays").map(|(_, v)| v.clone()).collect(),
        active: get("active"),
    }
}

fn resource_page(page: PageCtx, id: Option<ResourceId>, form: ResourceForm, errors: FieldErrors) -> ResourcePage {
    let title = if id.is_some() { "studio.resource_edit" } else { "studio.resource_new" };
    ResourcePage {
        ctx: page.title(title).crumb("studio.manage", paths::ADMIN_STUDIO),
        id: id.map(|i| i.0),
        form,
        errors,
    }
}

async fn new_resource(CurrentUser(actor, _): CurrentUser, page: PageCtx) -> AppResult<Response> {
    if !actor.can_manage_studio() {
        return Err(AppError::Forbidden);
    }
    let form = ResourceForm {
        kind: "room".into(),
        opens_at: "09:00".into(),
        closes_at: "17:00".into(),
        active: "1".into(),
        ..Default::default()
    };
    Ok(render(&resource_page(page, None, form, FieldErrors::new()))?.into_response())
}

async fn create_resource(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    RawForm(raw): RawForm,
) -> AppResult<Response> {
    let form = resource_form(&raw);
    match resources::save(&state, &actor, &ctx.who(), None, &form).await? {
        Ok(_) => Ok(redirect_flash(&state, paths::ADMIN_STUDIO, &Msg::new("flash.studio_saved"))),
        Err(errors) => render_refused(&resource_page(page, None, form, errors)),
    }
}

async fn edit_resource(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    page: PageCtx,
    Path(id): Path<ResourceId>,
) -> AppResult<Response> {
    if !actor.can_manage_studio() {
        return Err(AppError::Forbidden);
    }
    let r = query::resource(&state, Some(&actor), id).await?;
    let form = ResourceForm {
        name: r.name,
        kind: r.kind,
        description: r.description,
        capacity: r.capacity.to_string(),
        purposes: r.purposes,
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        closed_weekdays: r.closed_weekdays.split_whitespace().map(str::to_string).collect(),
        active: if r.active.0 { "1".into() } else { String::new() },
    };
    Ok(render(&resource_page(page, Some(id), form, FieldErrors::new()))?.into_response())
}

async fn update_resource(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<ResourceId>,
    RawForm(raw): RawForm,
) -> AppResult<Response> {
    let form = resource_form(&raw);
    match resources::save(&state, &actor, &ctx.who(), Some(id), &form).await? {
        Ok(_) => Ok(redirect_flash(&state, paths::ADMIN_STUDIO, &Msg::new("flash.studio_saved"))),
        Err(errors) => render_refused(&resource_page(page, Some(id), form, errors)),
    }
}
