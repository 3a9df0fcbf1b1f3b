//! Per-address rate limits kept in memory (per process): fixed one-minute windows. Used where
//! a database-backed limit would cost a write per request: public certificate verification,
//! and every public route that reads the database or renders something (`public`), so one
//! address cannot keep the server busy for everyone else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::request::RequestCtx;
use crate::error::AppError;
use crate::i18n::Msg;

#[derive(Default)]
pub struct Throttle {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Throttle {
    /// Count a request from `key`; false when it is over `per_minute` in the current window.
    pub fn allow(&self, key: &str, per_minute: u32) -> bool {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else { return true };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= per_minute
    }
}

/// The public limit of this server, put in each request's extensions by the context
/// middleware for [`public`].
#[derive(Clone)]
pub struct PublicLimit {
    pub throttle: Arc<Throttle>,
    pub per_minute: u32,
}

/// The route layer of public routes: a request from an address over its limit this minute is
/// answered 429 (the usual error page, or JSON for the API) with `Retry-After`; signed-in
/// staff are never counted.
pub async fn public(req: Request, next: Next) -> Response {
    let ctx = req.extensions().get::<Arc<RequestCtx>>();
    let limit = req.extensions().get::<PublicLimit>();
    if let (Some(ctx), Some(limit)) = (ctx, limit) {
        let staff = ctx.actor.as_ref().is_some_and(|a| a.is_staff());
        if !staff && !limit.throttle.allow(&format!("public:{}", ctx.client_addr), limit.per_minute) {
            let mut resp = AppError::TooManyRequests(Msg::new("err.public_throttled")).into_response();
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            return resp;
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_is_per_address() {
        let t = super::Throttle::default();
        assert!((0..3).all(|_| t.allow("10.0.0.1", 3)));
        assert!(!t.allow("10.0.0.1", 3));
        assert!(t.allow("10.0.0.2", 3));
    }
}
