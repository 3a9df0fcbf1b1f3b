//! Idempotent writes through the API (`Idempotency-Key`). A `POST` under `/api/v1/` sent by a
//! signed-in caller with the header is claimed by (caller, key) before it runs: the same key
//! with the same method, path and body within 24 hours gets the first answer again (with
//! `Idempotent-Replayed: true`) and changes nothing; the same key with another request is
//! refused (422), and while the first is still being answered, 409. Only a success is kept:
//! a refused request (4xx) changed nothing, so its key is let go and a retry is asked afresh;
//! a failure (5xx) too.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::request::RequestCtx;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Msg;
use crate::storage::idempotency::KEPT_MS;
use crate::storage::{Db, UserId, now_ms};

pub const HEADER: &str = "idempotency-key";
/// A claim still unanswered after this long was abandoned.
const ABANDONED_MS: i64 = 60_000;
/// The longest key accepted.
const KEY_MAX: usize = 200;
/// The largest body read for a keyed request (JSON).
const BODY_MAX: usize = 4 * 1024 * 1024;

enum Claim {
    /// Ours now: run the request.
    Fresh,
    /// Answered before: (status, content type, body).
    Replay(u16, String, String),
    /// The first request with this key is still being answered.
    Busy,
    /// The key was used for another request.
    Mismatch,
}

async fn claim(db: &Db, user: UserId, key: &str, hash: &str) -> Result<Claim, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let now = now_ms();
    // Gone after 24 hours; a claim never answered (the server stopped mid-request) is let go
    // after a minute, so the retry is not refused for a day.
    sqlx::query(
        "DELETE FROM api_idempotency WHERE user_id = $1 AND key = $2 AND (created_at < $3 OR (status = 0 AND created_at < $4))",
    )
    .bind(user)
    .bind(key)
    .bind(now - KEPT_MS)
    .bind(now - ABANDONED_MS)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "INSERT INTO api_idempotency (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user)
    .bind(key)
    .bind(hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let row: Option<(String, i64, String, String)> = sqlx::query_as(
        "SELECT request_hash, status, content_type, body FROM api_idempotency WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        // Let go between our insert and this read: the caller may try again.
        None => Claim::Busy,
        Some((h, _, _, _)) if h != hash => Claim::Mismatch,
        Some((_, 0, _, _)) => Claim::Busy,
        Some((_, status, ctype, body)) => Claim::Replay(u16::try_from(status).unwrap_or(200), ctype, body),
    })
}

async fn keep(db: &Db, user: UserId, key: &str, (status, ctype, body): (u16, &str, &str)) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_idempotency SET status = $1, content_type = $2, body = $3 WHERE user_id = $4 AND key = $5")
        .bind(i64::from(status))
        .bind(ctype)
        .bind(body)
        .bind(user)
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

async fn let_go(db: &Db, user: UserId, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM api_idempotency WHERE user_id = $1 AND key = $2 AND status = 0")
        .bind(user)
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

fn refuse(msg: &'static str) -> Response {
    AppError::Validation(FieldErrors::single("idempotency_key", Msg::new(msg))).into_response()
}

pub async fn idempotency(State(db): State<Db>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER).map(|v| v.to_str().map(|s| s.trim().to_string())) else {
        return next.run(req).await;
    };
    let user = req.extensions().get::<Arc<RequestCtx>>().and_then(|c| c.actor.as_ref()).map(|a| a.user_id);
    let Some(user) = user else { return next.run(req).await };
    let key = match key {
        Ok(k) if !k.is_empty() && k.len() <= KEY_MAX => k,
        _ => return refuse("err.idempotency_key"),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_MAX).await else {
        return AppError::TooLarge(Msg::new("error.too_large")).into_response();
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b" ");
    h.update(parts.uri.to_string());
    h.update(b"\n");
    h.update(&bytes);
    let hash = format!("{:x}", h.finalize());
    match claim(&db, user, &key, &hash).await {
        Ok(Claim::Fresh) => {}
        Ok(Claim::Replay(status, ctype, body)) => {
            let mut resp = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            if let Ok(v) = HeaderValue::from_str(&ctype) {
                resp.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return resp;
        }
        Ok(Claim::Busy) => return AppError::Conflict(Msg::new("err.idempotency_busy")).into_response(),
        Ok(Claim::Mismatch) => return refuse("err.idempotency_reused"),
        Err(e) => return AppError::from(e).into_response(),
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if !resp.status().is_success() {
        if let Err(e) = let_go(&db, user, &key).await {
            tracing::warn!(error = %e, "letting an idempotency key go");
        }
        return resp;
    }
    let (rparts, rbody) = resp.into_parts();
    let Ok(out) = to_bytes(rbody, usize::MAX).await else {
        let _ = let_go(&db, user, &key).await;
        return AppError::Internal(anyhow::anyhow!("reading an answer to keep")).into_response();
    };
    let ctype = rparts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let text = String::from_utf8_lossy(&out).to_string();
    if let Err(e) = keep(&db, user, &key, (rparts.status.as_u16(), &ctype, &text)).await {
        tracing::warn!(error = %e, "keeping an idempotent answer");
    }
    Response::from_parts(rparts, Body::from(out))
}
