//! Personal API tokens for integrations: `Authorization: Bearer hy_…`. A token acts with its
//! owner's current roles and scopes (so revoking a role narrows the token too), is stored
//! only as a SHA-256, is shown once at creation, and can be revoked by its owner.

use serde::Serialize;
use sqlx::FromRow;

use serde_json::json;

use super::Actor;
use super::secrets::{random_token, sha256_hex};
use crate::audit::{self, Entry, Who};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{Conn, TokenId, UserId, now_ms};

pub const PREFIX: &str = "hy_";

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct TokenRow {
    pub id: TokenId,
    pub name: String,
    /// The first characters, to tell tokens apart in lists.
    pub token_prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Create a token; returns the secret (to show once) and its id.
pub async fn create(conn: &mut Conn, user_id: UserId, name: &str) -> Result<(String, TokenId), sqlx::Error> {
    let secret = format!("{PREFIX}{}", random_token());
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_token (user_id, name, token_hash, token_prefix, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(sha256_hex(&secret))
    .bind(secret.chars().take(10).collect::<String>())
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok((secret, TokenId(id)))
}

/// The owner of a live token.
pub async fn authenticate(conn: &mut Conn, secret: &str) -> Result<Option<UserId>, sqlx::Error> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = sha256_hex(secret);
    let row: Option<(UserId, Option<i64>)> =
        sqlx::query_as("SELECT user_id, last_used_at FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(&hash)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((user_id, last_used)) = row else {
        return Ok(None);
    };
    let now = now_ms();
    if last_used.is_none_or(|t| now - t > 60_000) {
        sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(user_id))
}

pub async fn list_for_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, token_prefix, created_at, last_used_at, revoked_at
         FROM api_token WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await
}

/// Revoke every live token of a user (password change or reset, deactivation).
pub async fn revoke_all(conn: &mut Conn, user_id: UserId) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Revoke one of `user_id`'s tokens; returns its name when it was live.
pub async fn revoke(conn: &mut Conn, user_id: UserId, id: TokenId) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL
         RETURNING name",
    )
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Parse a token's name: 1–60 characters on one line.
fn name_of(raw: &str) -> Result<String, FieldErrors> {
    let name = crate::text::normalize_line(raw);
    if name.is_empty() {
        return Err(FieldErrors::single("name", Msg::new("err.required")));
    }
    if name.chars().count() > 60 {
        return Err(FieldErrors::single("name", Msg::new("err.too_long").arg("max", 60)));
    }
    Ok(name)
}

/// The actor makes a token for themselves, audited: (the secret, to show once; its id; its
/// name). A request made with a token cannot mint more (that needs a signed-in person).
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    via_token: bool,
    name: &str,
) -> AppResult<Result<(String, TokenId, String), FieldErrors>> {
    if via_token {
        return Err(AppError::Forbidden);
    }
    let name = match name_of(name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = state.db.begin().await?;
    let (secret, id) = create(&mut tx, actor.user_id, &name).await?;
    audit::record(&mut tx, who, Entry::new("token.create", "api_token", id, &name)).await?;
    tx.commit().await?;
    Ok(Ok((secret, id, name)))
}

/// The actor revokes one of their own tokens, audited; 404 when it is not theirs or not live.
pub async fn withdraw(state: &AppState, actor: &Actor, who: &Who, id: TokenId) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let name = revoke(&mut tx, actor.user_id, id).await?.ok_or(AppError::NotFound)?;
    audit::record(&mut tx, who, Entry::new("token.revoke", "api_token", id, &name).after(json!({ "revoked": true })))
        .await?;
    tx.commit().await?;
    Ok(())
}
