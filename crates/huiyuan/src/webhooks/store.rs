//! Subscriptions and deliveries in the database.

use serde::Serialize;
use sqlx::FromRow;

use crate::auth::OrgScope;
use crate::storage::{Conn, DeliveryId, OrgId, Sql, UserId, WebhookId, now_ms};

/// The job queue's own cap on a delivery's job; the settings' `webhooks.max_attempts` (lower)
/// decides when a delivery gives up.
pub const MAX_ATTEMPTS: i64 = 100;

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub org_id: OrgId,
    pub org_name: String,
    pub url: String,
    pub description: String,
    /// JSON array of event names.
    pub events: String,
    #[serde(skip)]
    pub secret: String,
    pub active: i64,
    pub created_at: i64,
}

impl Webhook {
    pub fn event_list(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    pub fn is_active(&self) -> bool {
        self.active != 0
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event: String,
    pub payload: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub response_code: Option<i64>,
    /// The catalog key of the last failure (`webhook.e_connect`, …), or empty.
    pub last_error: String,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
}

const WEBHOOK_COLUMNS: &str =
    "w.id, w.org_id, o.short_name AS org_name, w.url, w.description, w.events, w.secret, w.active, w.created_at";

const DELIVERY_COLUMNS: &str =
    "id, webhook_id, event, payload, status, attempts, response_code, last_error, created_at,
    delivered_at, last_attempt_at";

/// A subscription that listens: (id, its org's path, is it the province's).
pub type Listener = (WebhookId, String, bool);

/// The active subscriptions that chose `event`.
pub async fn listening(conn: &mut Conn, event: &str) -> Result<Vec<Listener>, sqlx::Error> {
    let rows: Vec<(WebhookId, String, String, String)> = sqlx::query_as(
        "SELECT w.id, w.events, o.path, o.level FROM webhook w JOIN org o ON o.id = w.org_id WHERE w.active = 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, events, _, _)| {
            serde_json::from_str::<Vec<String>>(events).is_ok_and(|e| e.iter().any(|x| x == event))
        })
        .map(|(id, _, path, level)| (id, path, level == "province"))
        .collect())
}

pub struct NewWebhook<'a> {
    pub org: OrgId,
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a [String],
    pub secret: &'a str,
    pub by: UserId,
}

pub async fn insert(conn: &mut Conn, w: &NewWebhook<'_>) -> Result<WebhookId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO webhook (org_id, url, description, events, secret, active, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING id",
    )
    .bind(w.org)
    .bind(w.url)
    .bind(w.description)
    .bind(serde_json::to_string(w.events).unwrap_or_else(|_| "[]".into()))
    .bind(w.secret)
    .bind(w.by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(WebhookId(id))
}

pub async fn find(conn: &mut Conn, id: WebhookId) -> Result<Option<Webhook>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhook w JOIN org o ON o.id = w.org_id WHERE w.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The subscriptions of the orgs in `scope`, the newest first (removed ones too).
pub async fn list(conn: &mut Conn, scope: &OrgScope) -> Result<Vec<Webhook>, sqlx::Error> {
    let mut sql =
        Sql::new(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhook w JOIN org o ON o.id = w.org_id WHERE 1 = 1"));
    scope.push_filter(&mut sql, "o.path");
    sql.push(" ORDER BY w.active DESC, w.id DESC");
    sql.fetch_all(conn).await
}

/// Stop a subscription (its deliveries stay, for the record).
pub async fn deactivate(conn: &mut Conn, id: WebhookId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE webhook SET active = 0, updated_at = $1 WHERE id = $2 AND active = 1")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_delivery(
    conn: &mut Conn,
    webhook: WebhookId,
    event: &str,
    payload: &str,
) -> Result<DeliveryId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO webhook_delivery (webhook_id, event, payload, status, attempts, created_at)
         VALUES ($1, $2, $3, 'pending', 0, $4) RETURNING id",
    )
    .bind(webhook)
    .bind(event)
    .bind(payload)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(DeliveryId(id))
}

pub async fn delivery(conn: &mut Conn, id: DeliveryId) -> Result<Option<Delivery>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {DELIVERY_COLUMNS} FROM webhook_delivery WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A page of a subscription's deliveries, the newest first, and how many there are.
pub async fn deliveries(
    conn: &mut Conn,
    webhook: WebhookId,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Delivery>, i64), sqlx::Error> {
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_delivery WHERE webhook_id = $1")
        .bind(webhook)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_delivery WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(webhook)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows, total))
}

/// How many of each subscription's deliveries are in each status: (webhook, status, n).
pub async fn counts(conn: &mut Conn, ids: &[WebhookId]) -> Result<Vec<(WebhookId, String, i64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT webhook_id, status, COUNT(*) FROM webhook_delivery WHERE webhook_id IN ");
    sql.list(ids.iter().map(|i| i.0));
    sql.push(" GROUP BY webhook_id, status");
    sql.fetch_all(conn).await
}

/// Record an attempt: delivered (with the answer's code), or its error; `give_up` marks the
/// delivery failed.
pub async fn record_attempt(
    conn: &mut Conn,
    id: DeliveryId,
    code: Option<i64>,
    error: Option<&str>,
    give_up: bool,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let status = match (error, give_up) {
        (None, _) => "delivered",
        (Some(_), true) => "failed",
        (Some(_), false) => "pending",
    };
    sqlx::query(
        "UPDATE webhook_delivery SET status = $1, attempts = attempts + 1, response_code = $2, last_error = $3,
            last_attempt_at = $4, delivered_at = CASE WHEN $1 = 'delivered' THEN $4 ELSE delivered_at END
         WHERE id = $5",
    )
    .bind(status)
    .bind(code)
    .bind(error.unwrap_or(""))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Send a delivery again: back to pending with its attempts counted afresh.
pub async fn requeue(conn: &mut Conn, id: DeliveryId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webhook_delivery SET status = 'pending', attempts = 0 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
