//! Webhooks (outbound): other systems — the province's science-education platform, a
//! city's school database — subscribe a URL to events and hear of each change as it commits.
//!
//! A subscription belongs to an org: the province's hears everything, a city's only what
//! happens in its city (and carries nothing more than that city's administrator may read; no
//! ID numbers at all). [`emit`] is called inside the transaction of the change and writes one
//! delivery per matching subscription with a `webhook.deliver` job, so a delivery exists
//! exactly when the change committed; the job queue sends it ([`delivery`]), signed with the
//! subscription's secret, retried with back-off, and every attempt's outcome is kept. A
//! receiver that is down never makes the person's action fail.

pub mod delivery;
pub mod demo;
pub mod routes;
pub mod service;
pub mod store;
mod views;

use serde_json::{Value, json};

use crate::storage::{Conn, OrgId, now_ms};

/// The `webhook.deliver` job: one delivery to its URL.
pub const JOB: &str = "webhook.deliver";

/// The events a subscription may choose, in the order the form lists them.
pub const EVENTS: [&str; 7] = [
    "application.status_changed",
    "member.created",
    "member.status_changed",
    "member.category_changed",
    "certificate.issued",
    "report.submitted",
    "booking.status_changed",
];

/// The headers a receiver reads (documented in the README and on the page).
pub const SIGNATURE_HEADER: &str = "X-Huiyuan-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Huiyuan-Timestamp";
pub const EVENT_HEADER: &str = "X-Huiyuan-Event";
pub const DELIVERY_HEADER: &str = "X-Huiyuan-Delivery";

/// Queue `event` (with `data`, already limited to what a subscriber of `org`'s city may
/// read) for every active subscription that chose it and whose org covers `org` (None: the
/// province's own, heard by the province's subscriptions only). On the change's transaction.
pub async fn emit(conn: &mut Conn, event: &str, org: Option<OrgId>, data: Value) -> Result<usize, sqlx::Error> {
    let subscribers = store::listening(conn, event).await?;
    emit_to(conn, &subscribers, event, org, data).await
}

/// [`emit`] to subscribers already read (a caller that first checks anyone listens before
/// it gathers the data).
pub async fn emit_to(
    conn: &mut Conn,
    subscribers: &[store::Listener],
    event: &str,
    org: Option<OrgId>,
    data: Value,
) -> Result<usize, sqlx::Error> {
    if subscribers.is_empty() {
        return Ok(0);
    }
    let path = match org {
        Some(org) => crate::orgs::store::find(conn, org).await?.map(|o| o.path),
        None => None,
    };
    let payload = json!({ "event": event, "occurred_at": now_ms(), "data": data }).to_string();
    let mut queued = 0;
    for (id, sub_path, province) in subscribers {
        let hears = match &path {
            Some(p) => p.starts_with(sub_path.as_str()),
            None => *province,
        };
        if hears {
            let delivery = store::insert_delivery(conn, *id, event, &payload).await?;
            crate::jobs::enqueue(conn, JOB, json!({ "delivery_id": delivery }), store::MAX_ATTEMPTS).await?;
            queued += 1;
        }
    }
    Ok(queued)
}
