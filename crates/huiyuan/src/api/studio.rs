//! The studio through the API: its resources and when they are taken (anyone), bookings
//! (anyone signed in; members within their longer window), a manager's decisions — the same
//! service functions as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::services::studio::resources::{self, ResourceForm};
use crate::services::studio::service::{self, BookingInput, Decision};
use crate::services::studio::slot::{SlotInput, parse_day};
use crate::services::studio::{Booking, Resource, query};
use crate::state::{AppState, Routes};
use crate::storage::{BookingId, ResourceId};
use crate::web::{Ctx, CurrentUser};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_STUDIO_RESOURCES, resources)
        .get(paths::API_STUDIO_RESOURCE_BOOKINGS, taken)
        .public()
        .get(paths::API_STUDIO_BOOKINGS, mine)
        .post(paths::API_STUDIO_BOOKINGS, book)
        .get(paths::API_STUDIO_BOOKING, show)
        .post(paths::API_STUDIO_BOOKING_DECISION, decide)
        .post(paths::API_STUDIO_BOOKING_CANCEL, cancel)
        .post(paths::API_STUDIO_RESOURCES, create_resource)
        .put(paths::API_STUDIO_RESOURCE, update_resource)
        .post(paths::API_STUDIO_CLOSED_DAYS, close_day)
}

#[derive(Serialize, ToSchema)]
pub struct ResourceOut {
    pub id: i64,
    pub name: String,
    /// room, space or equipment.
    pub kind: String,
    pub description: String,
    pub capacity: i64,
    /// What it may be booked for.
    pub purposes: Vec<String>,
    /// Local opening hours, HH:MM.
    pub opens_at: String,
    pub closes_at: String,
    /// ISO weekdays it is closed (1 = Monday).
    pub closed_weekdays: Vec<u8>,
    pub active: bool,
}

impl ResourceOut {
    fn new(r: Resource, purposes: &[String]) -> ResourceOut {
        ResourceOut {
            purposes: r.purposes_from(purposes).into_iter().map(str::to_string).collect(),
            closed_weekdays: r.closed_weekdays.split_whitespace().filter_map(|d| d.parse().ok()).collect(),
            id: r.id.0,
            name: r.name,
            kind: r.kind,
            description: r.description,
            capacity: r.capacity,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            active: r.active.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingOut {
    pub id: i64,
    pub resource_id: i64,
    /// UTC milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
    /// pending, approved, declined or cancelled.
    pub status: String,
    pub purpose: String,
    pub participants: i64,
    /// The booker: shown to the booker and the studio's managers only.
    pub booker_name: Option<String>,
    pub note: Option<String>,
    pub decision_note: Option<String>,
    pub member: bool,
}

impl BookingOut {
    fn new(b: Booking, full: bool) -> BookingOut {
        BookingOut {
            id: b.id.0,
            resource_id: b.resource_id.0,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            member: b.member_id.is_some(),
            purpose: b.purpose,
            participants: b.participants,
            booker_name: full.then_some(b.booker_name),
            note: full.then_some(b.note),
            decision_note: full.then_some(b.decision_note),
            status: b.status,
        }
    }
}

/// The studio's resources (a manager also sees inactive ones).
#[utoipa::path(get, path = "/api/v1/studio/resources", tag = "studio", responses((status = 200, body = Vec<ResourceOut>)))]
pub async fn resources(State(state): State<AppState>, Ctx(ctx): Ctx) -> AppResult<Json<Vec<ResourceOut>>> {
    let list = query::resources(&state, ctx.actor.as_ref()).await?;
    let purposes = &state.settings.studio.purposes;
    Ok(Json(list.into_iter().map(|r| ResourceOut::new(r, purposes)).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First local day, YYYY-MM-DD.
    pub from: String,
    /// Last local day, YYYY-MM-DD (at most 62 days after `from`).
    pub to: String,
}

/// When a resource is taken between two days: the bookings that hold a slot (pending or
/// approved), without the bookers' names unless the caller booked it or manages the studio.
#[utoipa::path(get, path = "/api/v1/studio/resources/{id}/bookings", tag = "studio", params(("id" = i64, Path), RangeQuery),
    responses((status = 200, body = Vec<BookingOut>), (status = 404, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)))]
pub async fn taken(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<ResourceId>,
    Query(q): Query<RangeQuery>,
) -> AppResult<Json<Vec<BookingOut>>> {
    let actor = ctx.actor.as_ref();
    let resource = query::resource(&state, actor, id).await?;
    let (Some(from), Some(to)) = (parse_day(&q.from), parse_day(&q.to)) else {
        return Err(AppError::Validation(FieldErrors::single("from", Msg::new("err.date_required"))));
    };
    let days = (to - from).whole_days() + 1;
    if !(1..=62).contains(&days) {
        return Err(AppError::Validation(FieldErrors::single("to", Msg::new("err.studio_range"))));
    }
    let rows = query::days(&state, resource.id, from, days).await?;
    let full = |b: &Booking| actor.is_some_and(|a| a.can_see_booking(b.user_id));
    Ok(Json(
        rows.into_iter()
            .map(|b| {
                let f = full(&b);
                BookingOut::new(b, f)
            })
            .collect(),
    ))
}

/// The caller's own bookings, the latest first.
#[utoipa::path(get, path = "/api/v1/studio/bookings", tag = "studio", responses((status = 200, body = Vec<BookingOut>), (status = 401, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
) -> AppResult<Json<Vec<BookingOut>>> {
    let lines = query::mine(&state, &actor).await?;
    Ok(Json(lines.into_iter().map(|l| BookingOut::new(l.booking, true)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct BookingCreate {
    pub resource_id: i64,
    /// Local day, YYYY-MM-DD.
    pub day: String,
    /// Local times, HH:MM, on the settings' slot steps.
    pub starts: String,
    pub ends: String,
    /// One of the resource's purposes.
    pub purpose: String,
    pub participants: i64,
    #[serde(default)]
    pub note: String,
}

/// Book a slot: 201 with the booking (pending); 409 naming the slot it meets when another
/// booking holds part of it; 422 with field errors (outside the caller's booking window,
/// outside opening hours, on a closed day, …).
#[utoipa::path(post, path = "/api/v1/studio/bookings", tag = "studio", request_body = BookingCreate,
    responses((status = 201, body = BookingOut), (status = 401, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn book(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    ApiJson(body): ApiJson<BookingCreate>,
) -> AppResult<Response> {
    let input = BookingInput {
        resource: body.resource_id.to_string(),
        slot: SlotInput { day: body.day, starts: body.starts, ends: body.ends },
        purpose: body.purpose,
        participants: body.participants.to_string(),
        note: body.note,
    };
    let b = service::book(&state, &actor, &ctx.who(), &input).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(BookingOut::new(b, true))).into_response())
}

/// One booking: its booker's or a manager's (else 404).
#[utoipa::path(get, path = "/api/v1/studio/bookings/{id}", tag = "studio", params(("id" = i64, Path)),
    responses((status = 200, body = BookingOut), (status = 401, body = crate::api::dto::ErrorBody), (status = 404, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(actor, _): CurrentUser,
    Path(id): Path<BookingId>,
) -> AppResult<Json<BookingOut>> {
    Ok(Json(BookingOut::new(query::booking(&state, &actor, id).await?, true)))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// approve or decline.
    pub decision: String,
    /// Why (required to decline); the booker reads it.
    #[serde(default)]
    pub note: String,
}

/// A manager approves or declines a pending booking (409 when it is no longer pending).
#[utoipa::path(post, path = "/api/v1/studio/bookings/{id}/decision", tag = "studio", params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = BookingOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<BookingId>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> AppResult<Json<BookingOut>> {
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "decline" => Decision::Decline,
        _ => return Err(AppError::Validation(FieldErrors::single("decision", Msg::new("err.choice")))),
    };
    let b =
        service::decide(&state, &actor, &ctx.who(), id, decision, &body.note).await?.map_err(AppError::Validation)?;
    Ok(Json(BookingOut::new(b, true)))
}

/// Cancel a booking: its booker until the settings' hours before it starts, a manager until
/// it ends (409 after that, or when it is not pending or approved).
#[utoipa::path(post, path = "/api/v1/studio/bookings/{id}/cancel", tag = "studio", params(("id" = i64, Path)),
    responses((status = 200, body = BookingOut), (status = 404, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<BookingId>,
) -> AppResult<Json<BookingOut>> {
    Ok(Json(BookingOut::new(service::cancel(&state, &actor, &ctx.who(), id).await?, true)))
}

/// A resource as the secretariat describes it.
#[derive(Deserialize, ToSchema)]
pub struct ResourceIn {
    pub name: String,
    /// room, space or equipment.
    pub kind: String,
    #[serde(default)]
    pub description: String,
    pub capacity: i64,
    /// Purposes from the settings (empty: all of them).
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Local HH:MM.
    pub opens_at: String,
    pub closes_at: String,
    /// ISO weekdays it is closed (1 = Monday).
    #[serde(default)]
    pub closed_weekdays: Vec<u8>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl ResourceIn {
    fn form(self) -> ResourceForm {
        ResourceForm {
            name: self.name,
            kind: self.kind,
            description: self.description,
            capacity: self.capacity.to_string(),
            purposes: self.purposes.join("\n"),
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            closed_weekdays: self.closed_weekdays.iter().map(u8::to_string).collect(),
            active: if self.active { "1".into() } else { String::new() },
        }
    }
}

async fn resource_out(state: &AppState, actor: &crate::auth::Actor, id: ResourceId) -> AppResult<ResourceOut> {
    let r = query::resource(state, Some(actor), id).await?;
    Ok(ResourceOut::new(r, &state.settings.studio.purposes))
}

/// Add a resource (the studio's managers): 201 with it, 422 with field errors.
#[utoipa::path(post, path = "/api/v1/studio/resources", tag = "studio", request_body = ResourceIn,
    responses((status = 201, body = ResourceOut), (status = 401, body = crate::api::dto::ErrorBody), (status = 403, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create_resource(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    ApiJson(body): ApiJson<ResourceIn>,
) -> AppResult<Response> {
    let id = resources::save(&state, &actor, &ctx.who(), None, &body.form()).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(resource_out(&state, &actor, id).await?)).into_response())
}

/// Change a resource (the studio's managers).
#[utoipa::path(put, path = "/api/v1/studio/resources/{id}", tag = "studio", params(("id" = i64, Path)), request_body = ResourceIn,
    responses((status = 200, body = ResourceOut), (status = 401, body = crate::api::dto::ErrorBody), (status = 403, body = crate::api::dto::ErrorBody), (status = 404, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn update_resource(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<ResourceId>,
    ApiJson(body): ApiJson<ResourceIn>,
) -> AppResult<Json<ResourceOut>> {
    resources::save(&state, &actor, &ctx.who(), Some(id), &body.form()).await?.map_err(AppError::Validation)?;
    Ok(Json(resource_out(&state, &actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ClosedDayIn {
    /// The resource; none for the whole studio.
    pub resource_id: Option<i64>,
    /// YYYY-MM-DD.
    pub day: String,
    #[serde(default)]
    pub reason: String,
}

/// Close the studio, or one resource, on a day (the studio's managers): 204.
#[utoipa::path(post, path = "/api/v1/studio/closed-days", tag = "studio", request_body = ClosedDayIn,
    responses((status = 204), (status = 401, body = crate::api::dto::ErrorBody), (status = 403, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn close_day(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    ApiJson(body): ApiJson<ClosedDayIn>,
) -> AppResult<StatusCode> {
    let resource = body.resource_id.map(ResourceId);
    resources::close_day(&state, &actor, &ctx.who(), resource, (&body.day, &body.reason))
        .await?
        .map_err(AppError::Validation)?;
    Ok(StatusCode::NO_CONTENT)
}
