//! CSRF protection for every state-changing request, in one place.
//!
//! 1. Cross-site requests are refused outright: `Sec-Fetch-Site: cross-site`, or an `Origin`
//!    that is not this host.
//! 2. A request riding on a session cookie must carry the session's synchronizer token: the
//!    `csrf_token` form field (url-encoded forms), the `X-CSRF-Token` header (htmx, API), or
//!    the `csrf_token` query parameter (multipart uploads, whose body is not buffered here).
//! 3. API requests authenticated by a bearer token carry no ambient authority and pass; so do
//!    JSON API calls without a session cookie (a browser cannot send cross-site JSON without
//!    a CORS preflight, which huiyuan never grants).
//!
//! Every HTML form renders the token with `{{ ctx.csrf }}`.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::request::RequestCtx;
use crate::auth::secrets::constant_time_eq;
use crate::config::Settings;
use crate::error::AppError;
use crate::i18n::Msg;

pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

pub async fn csrf(State(settings): State<Arc<Settings>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    match check(&settings, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn check(settings: &Settings, req: Request) -> Result<Request, AppError> {
    let refused = || AppError::BadRequest(Msg::new("error.csrf"));
    let headers = req.headers();
    if headers.get("sec-fetch-site").is_some_and(|v| v == "cross-site") {
        return Err(refused());
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin == "null" || origin_host != host {
            return Err(refused());
        }
    }
    let ctx = req.extensions().get::<Arc<RequestCtx>>().cloned().ok_or_else(refused)?;
    if ctx.via_token {
        return Ok(req);
    }
    let Some(session) = &ctx.session else {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        return if ctx.is_api && is_json { Ok(req) } else { Err(AppError::BadRequest(Msg::new("error.csrf_expired"))) };
    };
    let expected = session.csrf_token.as_str();
    if let Some(token) = headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(token, expected) { Ok(req) } else { Err(refused()) };
    }
    if let Some(token) = query_token(&req) {
        return if constant_time_eq(&token, expected) { Ok(req) } else { Err(refused()) };
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused());
    }
    // Buffer the form (bounded), find the token, and hand the same bytes on.
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, settings.server.max_form_bytes)
        .await
        .map_err(|_| AppError::TooLarge(Msg::new("error.too_large")))?;
    let token = form_urlencoded_get(&bytes, FIELD);
    match token {
        Some(t) if constant_time_eq(&t, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(refused()),
    }
}

fn query_token(req: &Request) -> Option<String> {
    req.uri().query().and_then(|q| form_urlencoded_get(q.as_bytes(), FIELD))
}

fn form_urlencoded_get(bytes: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}
