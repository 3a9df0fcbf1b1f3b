//! The operations routes: `/healthz` (the process is up), `/readyz` (the database answers),
//! `/metrics` (Prometheus: requests by route and status, latencies, the database pool).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::web::assets;

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::HEALTHZ, healthz)
        .get(paths::READYZ, readyz)
        .get(paths::METRICS, metrics)
        .get(paths::STATIC, assets::serve)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &state.settings.server.metrics_token {
        let given =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let ok = given.is_some_and(|g| crate::auth::secrets::constant_time_eq(g, token.expose()));
        if !ok {
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    let pool = state.db.pool();
    metrics::gauge!("db_pool_connections", "backend" => state.db.backend().name()).set(f64::from(pool.size()));
    metrics::gauge!("db_pool_idle_connections", "backend" => state.db.backend().name()).set(pool.num_idle() as f64);
    metrics::gauge!("process_uptime_seconds").set(state.started_at.elapsed().as_secs_f64());
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    resp
}
