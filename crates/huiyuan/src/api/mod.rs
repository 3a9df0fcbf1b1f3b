//! The JSON API under `/api/v1`: the same sessions, roles and scopes as the pages (cookie
//! sign-in at `POST /api/v1/session`), plus personal API tokens (`Authorization: Bearer`).
//! Errors are structured: `{"error": {"code", "message", "fields"?, "request_id"}}`.
//! `GET /api/v1/openapi.json` describes every route; a test checks none is missing.
//!
//! Handlers here are thin: they parse JSON into the same inputs the pages use and call the
//! same domain services, so a rule holds whichever way a request arrives.

mod audit;
mod dto;
mod members;
mod notices;
mod openapi;
mod orgs;
mod session;
mod studio;
mod targets;
mod users;

use axum::Json;
use axum::extract::{FromRequest, Request};
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
        .merge(openapi::routes())
}

/// A JSON body; a malformed one is a structured 400, not axum's plain-text rejection.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                tracing::debug!("rejected JSON body: {rejection}");
                Err(AppError::BadRequest(Msg::new("error.json")))
            }
        }
    }
}
