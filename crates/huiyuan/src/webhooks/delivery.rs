//! The `webhook.deliver` job: one delivery POSTed to its subscription's URL, signed.
//!
//! The receiver checks `X-Huiyuan-Signature: sha256=<hex>`, the HMAC-SHA256 with the
//! subscription's secret over `<X-Huiyuan-Timestamp>.<body>` (the timestamp in Unix seconds;
//! refuse old ones to stop replays). A 2xx answer is delivered; anything else, or no answer
//! within the settings' timeout, is tried again with the job queue's back-off until the
//! settings' `webhooks.max_attempts`, then the delivery is failed (and can be sent again).

use anyhow::Context;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::store;
use crate::state::AppState;
use crate::storage::DeliveryId;

/// `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>").
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

pub async fn deliver(state: &AppState, payload: &Value) -> anyhow::Result<()> {
    let id = payload.get("delivery_id").and_then(Value::as_i64).map(DeliveryId).context("delivery job without id")?;
    let mut conn = state.db.pool().acquire().await?;
    let Some(d) = store::delivery(&mut conn, id).await? else { anyhow::bail!("delivery {id} does not exist") };
    if d.status != "pending" {
        return Ok(());
    }
    let hook = store::find(&mut conn, d.webhook_id).await?.context("the delivery's webhook")?;
    drop(conn);
    let give_up = d.attempts + 1 >= state.settings.webhooks.max_attempts;
    if !hook.is_active() {
        let mut conn = state.db.pool().acquire().await?;
        store::record_attempt(&mut conn, id, None, Some("webhook.e_removed"), true).await?;
        return Ok(());
    }
    let timestamp = crate::storage::now_ms() / 1000;
    let sent = state
        .http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header(super::EVENT_HEADER, &d.event)
        .header(super::DELIVERY_HEADER, id.to_string())
        .header(super::TIMESTAMP_HEADER, timestamp.to_string())
        .header(super::SIGNATURE_HEADER, signature(&hook.secret, timestamp, &d.payload))
        .body(d.payload.clone())
        .send()
        .await;
    let (code, error) = match sent {
        Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
        Ok(r) => (Some(i64::from(r.status().as_u16())), Some("webhook.e_status")),
        Err(e) => {
            tracing::info!(delivery = %id, "webhook delivery failed: {e}");
            (None, Some(describe(&e)))
        }
    };
    let mut conn = state.db.pool().acquire().await?;
    store::record_attempt(&mut conn, id, code, error, give_up).await?;
    metrics::counter!("huiyuan_webhook_attempts_total", "outcome" => if error.is_none() { "delivered" } else { "failed" })
        .increment(1);
    match error {
        // Not yet: the job queue tries again after its back-off.
        Some(e) if !give_up => anyhow::bail!("webhook delivery {id}: {e} (answer {code:?})"),
        _ => Ok(()),
    }
}

/// What went wrong, as the catalog key the pages word it with (the detail is logged).
fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "webhook.e_timeout"
    } else if e.is_connect() {
        "webhook.e_connect"
    } else {
        "webhook.e_send"
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed apart: printf '1700000000.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            signature("key", 1_700_000_000, "{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }
}
