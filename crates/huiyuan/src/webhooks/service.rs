//! Subscriptions: register one (the secret is shown once), remove one, read them with their
//! deliveries, and send a delivery again — for the secretariat (any org) and a city's
//! administrators (their city).

use std::net::IpAddr;

use serde_json::json;

use super::store::{self, Delivery, NewWebhook, Webhook};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::auth::secrets::random_token;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{DeliveryId, OrgId, WebhookId};

/// What the form (or the API) sends.
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    /// The org it listens for (None: the caller's own — their city, or the province).
    pub org: Option<OrgId>,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

/// The org a new subscription belongs to: the one asked for, else the administrator's city
/// or (for the province's roles) the province.
async fn org_for(state: &AppState, actor: &Actor, asked: Option<OrgId>) -> AppResult<crate::orgs::Org> {
    let mut conn = state.db.pool().acquire().await?;
    let org = match (asked, actor.administered_city()) {
        (Some(id), _) => crate::orgs::store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?,
        (None, Some(city)) if !actor.sees_everything() => {
            crate::orgs::store::find(&mut conn, city.org_id).await?.ok_or(AppError::NotFound)?
        }
        (None, _) => crate::orgs::store::root(&mut conn).await?,
    };
    if !actor.can_manage_webhooks(&org.path) {
        return Err(AppError::Forbidden);
    }
    Ok(org)
}

/// Is `url` one a webhook may be sent to: http(s), with a host, and not this server itself
/// (its public address, or the address it listens on).
fn check_url(state: &AppState, url: &str) -> Result<(), Msg> {
    let parsed = reqwest::Url::parse(url).map_err(|_| Msg::new("err.webhook_url"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(Msg::new("err.webhook_url"));
    }
    let host = parsed.host_str().unwrap_or("").trim_matches(['[', ']']).to_ascii_lowercase();
    let port = parsed.port_or_known_default();
    if let Ok(base) = reqwest::Url::parse(&state.settings.server.base_url)
        && base.host_str().is_some_and(|h| h.eq_ignore_ascii_case(&host))
        && base.port_or_known_default() == port
    {
        return Err(Msg::new("err.webhook_self"));
    }
    if let Some(bound) = state.listening.get() {
        let local = host == "localhost"
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified() || ip == bound.ip());
        if local && port == Some(bound.port()) {
            return Err(Msg::new("err.webhook_self"));
        }
    }
    Ok(())
}

/// Register a subscription; answers it with its secret, shown this once.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    input: &WebhookInput,
) -> AppResult<Result<(Webhook, String), FieldErrors>> {
    let org = org_for(state, actor, input.org).await?;
    let url = input.url.trim();
    let description = crate::text::normalize_line(&input.description);
    let mut errors = FieldErrors::new();
    if url.is_empty() {
        errors.add("url", Msg::new("err.required"));
    } else if url.chars().count() > 500 {
        errors.add("url", Msg::new("err.too_long").arg("max", 500));
    } else if let Err(msg) = check_url(state, url) {
        errors.add("url", msg);
    }
    if description.chars().count() > 100 {
        errors.add("description", Msg::new("err.too_long").arg("max", 100));
    }
    let mut events: Vec<String> = Vec::new();
    for e in &input.events {
        if !super::EVENTS.contains(&e.as_str()) {
            errors.add("events", Msg::new("err.webhook_event").arg("event", e));
        } else if !events.contains(e) {
            events.push(e.clone());
        }
    }
    if events.is_empty() {
        errors.add("events", Msg::new("err.webhook_events"));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let secret = format!("whsec_{}", random_token());
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        &mut tx,
        &NewWebhook {
            org: org.id,
            url,
            description: &description,
            events: &events,
            secret: &secret,
            by: actor.user_id,
        },
    )
    .await?;
    // The secret is never in the audit record.
    audit::record(
        &mut tx,
        who,
        Entry::new("webhook.create", "webhook", id, url).org(org.id).after(json!({ "url": url, "events": events })),
    )
    .await?;
    let hook = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Ok((hook, secret)))
}

/// A subscription the actor may manage (403 outside their scope).
pub async fn visible(state: &AppState, actor: &Actor, id: WebhookId) -> AppResult<Webhook> {
    let mut conn = state.db.pool().acquire().await?;
    let hook = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let path = crate::orgs::store::find(&mut conn, hook.org_id).await?.map(|o| o.path).unwrap_or_default();
    if !actor.can_manage_webhooks(&path) {
        return Err(AppError::Forbidden);
    }
    Ok(hook)
}

/// The subscriptions the actor manages, with (pending, delivered, failed) counts.
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<(Webhook, [i64; 3])>> {
    if !actor.can_use_webhooks() {
        return Err(AppError::Forbidden);
    }
    let mut conn = state.db.pool().acquire().await?;
    let hooks = store::list(&mut conn, &actor.org_scope()).await?;
    let ids: Vec<WebhookId> = hooks.iter().map(|h| h.id).collect();
    let counts = store::counts(&mut conn, &ids).await?;
    Ok(hooks
        .into_iter()
        .map(|h| {
            let n = |s: &str| counts.iter().filter(|(id, st, _)| *id == h.id && st == s).map(|c| c.2).sum();
            let c = [n("pending"), n("delivered"), n("failed")];
            (h, c)
        })
        .collect())
}

/// A page of a subscription's deliveries.
pub async fn deliveries(
    state: &AppState,
    actor: &Actor,
    id: WebhookId,
    (offset, limit): (i64, i64),
) -> AppResult<(Webhook, Vec<Delivery>, i64)> {
    let hook = visible(state, actor, id).await?;
    let (rows, total) = store::deliveries(&mut *state.db.pool().acquire().await?, id, offset, limit).await?;
    Ok((hook, rows, total))
}

/// Stop a subscription (409 when it is already stopped).
pub async fn remove(state: &AppState, actor: &Actor, who: &Who, id: WebhookId) -> AppResult<Webhook> {
    let hook = visible(state, actor, id).await?;
    let mut tx = state.db.begin().await?;
    if !store::deactivate(&mut tx, id).await? {
        return Err(AppError::Conflict(Msg::new("err.webhook_removed")));
    }
    audit::record(&mut tx, who, Entry::new("webhook.remove", "webhook", id, &hook.url).org(hook.org_id)).await?;
    tx.commit().await?;
    Ok(hook)
}

/// Send a failed delivery again (409 for one that is delivered or still being tried, or
/// whose subscription was removed).
pub async fn resend(state: &AppState, actor: &Actor, who: &Who, id: DeliveryId) -> AppResult<Delivery> {
    let d = store::delivery(&mut *state.db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)?;
    let hook = visible(state, actor, d.webhook_id).await?;
    if d.status != "failed" || !hook.is_active() {
        return Err(AppError::Conflict(Msg::new("err.webhook_not_failed")));
    }
    let mut tx = state.db.begin().await?;
    store::requeue(&mut tx, id).await?;
    crate::jobs::enqueue(&mut tx, super::JOB, json!({ "delivery_id": id }), store::MAX_ATTEMPTS).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("webhook.resend", "webhook", hook.id, &hook.url).org(hook.org_id).after(json!({ "delivery": id })),
    )
    .await?;
    let d = store::delivery(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(d)
}
