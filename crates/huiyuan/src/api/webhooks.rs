//! Webhooks through the API: the caller's subscriptions, registering one (its secret in the
//! answer, once), stopping one, its deliveries and sending a failed one again — the pages'
//! service functions and scope.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::dto::{ErrorBody, PageQuery, paging};
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{DeliveryId, OrgId, WebhookId};
use crate::web::Staff;
use crate::webhooks::service::{self, WebhookInput};
use crate::webhooks::store::{Delivery, Webhook};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_WEBHOOKS, list)
        .post(paths::API_WEBHOOKS, create)
        .delete(paths::API_WEBHOOK, remove)
        .get(paths::API_WEBHOOK_DELIVERIES, deliveries)
        .post(paths::API_WEBHOOK_RESEND, resend)
}

#[derive(Serialize, ToSchema)]
pub struct WebhookOut {
    pub id: i64,
    /// The org whose events it hears (the province's: all).
    pub org_id: i64,
    pub org: String,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: i64,
    /// Deliveries by status: pending, delivered, failed (in lists).
    pub counts: Option<[i64; 3]>,
}

fn out(h: Webhook, counts: Option<[i64; 3]>) -> WebhookOut {
    WebhookOut {
        events: h.event_list(),
        active: h.is_active(),
        id: h.id.0,
        org_id: h.org_id.0,
        org: h.org_name,
        url: h.url,
        description: h.description,
        created_at: h.created_at,
        counts,
    }
}

/// The subscriptions of the orgs the caller manages (a city's administrator: their city's).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookOut>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(State(state): State<AppState>, Staff(actor, _): Staff) -> AppResult<Json<Vec<WebhookOut>>> {
    let hooks = service::list(&state, &actor).await?;
    Ok(Json(hooks.into_iter().map(|(h, c)| out(h, Some(c))).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct WebhookCreate {
    /// http(s), not this server itself.
    pub url: String,
    /// application.status_changed, member.created, member.status_changed,
    /// member.category_changed, certificate.issued, report.submitted, booking.status_changed.
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// The org to hear (the secretariat); default: the caller's city, or the province.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// A new subscription and its signing secret — shown in this answer only.
#[derive(Serialize, ToSchema)]
pub struct WebhookCreated {
    pub webhook: WebhookOut,
    /// HMAC-SHA256 key: X-Huiyuan-Signature is sha256=hex(HMAC(secret, "<X-Huiyuan-Timestamp>.<body>")).
    pub secret: String,
}

/// Register a subscription (201 with its secret, once); 422 naming `url` (not http(s), or
/// this server itself) or `events`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookCreate,
    responses((status = 201, body = WebhookCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    ApiJson(body): ApiJson<WebhookCreate>,
) -> AppResult<Response> {
    let input =
        WebhookInput { org: body.org_id.map(OrgId), url: body.url, description: body.description, events: body.events };
    let (hook, secret) = service::create(&state, &actor, &ctx.who(), &input).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(WebhookCreated { webhook: out(hook, None), secret })).into_response())
}

/// Stop a subscription (its deliveries stay); 409 when already stopped.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<WebhookId>,
) -> AppResult<Json<WebhookOut>> {
    service::remove(&state, &actor, &ctx.who(), id).await?;
    Ok(Json(out(service::visible(&state, &actor, id).await?, None)))
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: i64,
    pub event: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub response_code: Option<i64>,
    /// The last failure in the caller's language (empty when none) …
    pub last_error: String,
    /// … and its code: webhook.e_connect, webhook.e_timeout, webhook.e_status, webhook.e_send
    /// or webhook.e_removed.
    pub last_error_code: String,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    /// The JSON that was (or will be) sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

fn delivery_out(d: Delivery, lang: crate::i18n::Lang) -> DeliveryOut {
    DeliveryOut {
        last_error: if d.last_error.is_empty() { String::new() } else { lang.t(&d.last_error).to_string() },
        payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
        id: d.id.0,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        response_code: d.response_code,
        last_error_code: d.last_error,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A subscription's deliveries, the newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = DeliveryPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<WebhookId>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<DeliveryPage>> {
    let (page, per_page) = paging(q.page, q.per_page);
    let (_, rows, total) = service::deliveries(&state, &actor, id, ((page - 1) * per_page, per_page)).await?;
    Ok(Json(DeliveryPage {
        items: rows.into_iter().map(|d| delivery_out(d, ctx.lang)).collect(),
        total,
        page,
        per_page,
    }))
}

/// Send a failed delivery again (409 for one that is not failed).
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/resend", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = DeliveryOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<DeliveryId>,
) -> AppResult<Json<DeliveryOut>> {
    Ok(Json(delivery_out(service::resend(&state, &actor, &ctx.who(), id).await?, ctx.lang)))
}
