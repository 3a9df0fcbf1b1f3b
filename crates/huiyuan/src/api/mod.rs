//! The JSON API under `/api/v1`: the same sessions, roles and scopes as the pages (cookie
//! sign-in at `POST /api/v1/session`), plus personal API tokens (`Authorization: Bearer`).
//! Errors are structured: `{"error": {"code", "message", "fields"?, "request_id"}}`.
//! `GET /api/v1/openapi.json` describes every route; a test checks none is missing.
//!
//! Handlers here are thin: they parse JSON into the same inputs the pages use and call the
//! same domain services, so a rule holds whichever way a request arrives.

mod applications;
mod audit;
mod chain;
mod council;
mod dto;
mod forms;
mod members;
mod notices;
mod openapi;
mod orgs;
mod roster;
mod session;
mod studio;
mod targets;
mod users;
mod webhooks;

use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::Msg;
use crate::state::Routes;

pub use openapi::document;

pub fn routes() -> Routes {
    session::routes()
        .merge(audit::routes())
        .merge(orgs::routes())
        .merge(users::routes())
        .merge(notices::routes())
        .merge(members::routes())
        .merge(studio::routes())
        .merge(targets::routes())
        .merge(applications::routes())
        .merge(forms::routes())
        .merge(chain::routes())
        .merge(council::routes())
        .merge(roster::routes())
        .merge(webhooks::routes())
        .merge(openapi::routes())
}

/// A JSON body; a malformed one is a structured 400, not axum's plain-text rejection. A field
/// the shape does not know is refused and named (a typo must not be silently ignored), and a
/// value of the wrong type names its field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().ends_with("json")));
        if !is_json {
            return Err(AppError::BadRequest(Msg::new("error.json_content_type")));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::TooLarge(Msg::new("error.too_large")))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Read `bytes` as `T`: unknown fields and type mistakes are refused with their path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let value = typed(&mut json, "")?;
    json.end().map_err(|_| AppError::BadRequest(Msg::new("error.json")))?;
    Ok(value)
}

/// `value` as `T`, refused like a body (`prefix`: where the value sits in the body).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value, prefix: &str) -> Result<T, AppError> {
    typed(value, prefix)
}

fn typed<'de, T, D>(de: D, prefix: &str) -> Result<T, AppError>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    let within = |path: String| match (prefix.is_empty(), path.is_empty() || path == ".") {
        (true, _) => path,
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}.{path}"),
    };
    let mut unknown = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let parsed = {
        let de = serde_path_to_error::Deserializer::new(de, &mut track);
        let mut note = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
        let de = serde_ignored::Deserializer::new(de, &mut note);
        T::deserialize(de)
    };
    match parsed {
        Ok(_) if !unknown.is_empty() => {
            let names: Vec<String> = unknown.into_iter().map(within).collect();
            Err(AppError::BadRequest(Msg::new("error.json_unknown_field").arg("field", names.join(", "))))
        }
        Ok(v) => Ok(v),
        Err(e) if e.is_syntax() || e.is_eof() => {
            tracing::debug!("rejected JSON body: {e}");
            Err(AppError::BadRequest(Msg::new("error.json")))
        }
        Err(e) => {
            tracing::debug!("rejected JSON body: {e}");
            let path = track.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let detail = e.to_string();
            let missing = detail.starts_with("missing field");
            let field = match (missing, detail.split('`').nth(1)) {
                (true, Some(name)) if path.is_empty() => name.to_string(),
                (true, Some(name)) => format!("{path}.{name}"),
                _ => path,
            };
            let key = if missing { "error.json_missing_field" } else { "error.json_field_type" };
            Err(AppError::BadRequest(Msg::new(key).arg("field", within(field))))
        }
    }
}
