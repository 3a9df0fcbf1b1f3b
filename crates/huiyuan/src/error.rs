//! One error type for the whole application, `?` everywhere.
//!
//! `AppError` turns into a response carrying an [`ErrorInfo`] extension; the request-context
//! middleware (`web::context`) then renders it for the audience: a Chinese (or English) page
//! with the request id for browsers, a structured JSON error under `/api/`, a redirect to the
//! sign-in page for anonymous visitors. Internal details are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Msg;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 401 — the route needs a signed-in user. Pages redirect to the sign-in page.
    #[error("authentication required")]
    Unauthorized,
    /// 401 — a sign-in with a wrong login or password (never says which).
    #[error("bad credentials")]
    BadCredentials,
    /// 403 — signed in, but the policy does not allow this (or the object is outside the
    /// user's scope).
    #[error("forbidden")]
    Forbidden,
    /// 404 — no such thing (or not published).
    #[error("not found")]
    NotFound,
    /// 400 — the request itself is unusable (a missing CSRF token, a malformed body).
    #[error("bad request: {0}")]
    BadRequest(Msg),
    /// 422 — input did not pass validation; one message per field.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// 409 — the action conflicts with the current state (e.g. deleting a node in use).
    #[error("conflict: {0}")]
    Conflict(Msg),
    /// 409 — a transition that does not apply to the object's current status, which the
    /// API names (`current_status`) so a client need not read it again.
    #[error("conflict in status {1}: {0}")]
    StatusConflict(Msg, String),
    /// 413 — the body or upload is larger than allowed.
    #[error("too large: {0}")]
    TooLarge(Msg),
    /// 429 — throttled (sign-in attempts, certificate look-ups).
    #[error("too many requests: {0}")]
    TooManyRequests(Msg),
    /// 503 — a dependency (the database) is not answering.
    #[error("unavailable")]
    Unavailable,
    /// 503 — a part of the installation is missing (a font for PDFs), with what to do.
    #[error("unavailable: {0}")]
    Missing(Msg),
    /// 500 — a database error nobody expected.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// 500 — anything else unexpected.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Field-level validation messages, in the order the form shows the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, Msg)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a message for `field` (the first message per field wins).
    pub fn add(&mut self, field: &'static str, msg: Msg) {
        if self.get(field).is_none() {
            self.0.push((field, msg));
        }
    }

    /// Add another set's messages (a field already named keeps its first).
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, msg) in other.0 {
            self.add(field, msg);
        }
    }

    pub fn single(field: &'static str, msg: Msg) -> Self {
        let mut e = Self::new();
        e.add(field, msg);
        e
    }

    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(&'static str, Msg)> {
        self.0.iter()
    }

    /// `Ok(())` when empty, otherwise `AppError::Validation`.
    pub fn into_result(self) -> AppResult<()> {
        if self.is_empty() { Ok(()) } else { Err(AppError::Validation(self)) }
    }
}

/// What the error renderer needs, carried in the response extensions.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: Msg,
    pub fields: Option<FieldErrors>,
    /// A refused transition: the status the object is in.
    pub current_status: Option<String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::StatusConflict(..) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable | AppError::Missing(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn info(self) -> ErrorInfo {
        if let AppError::StatusConflict(message, status) = self {
            return ErrorInfo { code: "conflict", message, fields: None, current_status: Some(status) };
        }
        let (code, message, fields) = match self {
            AppError::Unauthorized => ("unauthorized", Msg::new("error.unauthorized"), None),
            AppError::BadCredentials => ("bad_credentials", Msg::new("auth.sign_in_failed"), None),
            AppError::Forbidden => ("forbidden", Msg::new("error.forbidden"), None),
            AppError::NotFound => ("not_found", Msg::new("error.not_found"), None),
            AppError::BadRequest(m) => ("bad_request", m, None),
            AppError::Validation(f) => ("validation_failed", Msg::new("error.validation"), Some(f)),
            AppError::Conflict(m) | AppError::StatusConflict(m, _) => ("conflict", m, None),
            AppError::TooLarge(m) => ("too_large", m, None),
            AppError::TooManyRequests(m) => ("too_many_requests", m, None),
            AppError::Unavailable => ("unavailable", Msg::new("error.unavailable"), None),
            AppError::Missing(m) => ("unavailable", m, None),
            AppError::Database(_) | AppError::Internal(_) => ("internal", Msg::new("error.internal"), None),
        };
        ErrorInfo { code, message, fields, current_status: None }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // Inside the request span, so the log line carries the request id.
            tracing::error!(error = ?self, "request failed");
        }
        let info = self.info();
        let mut response = (status, info.code).into_response();
        response.extensions_mut().insert(info);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_per_field_wins() {
        let mut e = FieldErrors::new();
        e.add("email", Msg::new("err.required"));
        e.add("email", Msg::new("err.email"));
        assert_eq!(e.len(), 1);
        assert_eq!(e.get("email").map(|m| m.key), Some("err.required"));
        assert!(e.into_result().is_err());
        assert!(FieldErrors::new().into_result().is_ok());
    }
}
