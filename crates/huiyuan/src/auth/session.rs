//! Server-side sessions in the database, so several huiyuan processes share them.
//!
//! The browser holds a random token in an HttpOnly, SameSite=Lax cookie (Secure and
//! `__Host-` prefixed when huiyuan is reached over HTTPS); the table holds only its SHA-256.
//! Anonymous sessions exist only to carry the CSRF token of a sign-in or sign-up form.
//! Sessions end after `session_idle_minutes` without a request or `session_max_hours`
//! after sign-in, and on sign-out, password change or reset.

use axum::http::HeaderValue;
use sqlx::FromRow;

use super::actor::{Actor, Grant, Role};
use crate::config::SecuritySettings;
use crate::storage::{Conn, GrantId, OrgId, UserId, now_ms};

use super::secrets::{random_token, sha256_hex};

/// How often `last_seen_at` is written (not on every request).
const TOUCH_EVERY_MS: i64 = 60_000;
/// Anonymous sessions (form tokens only) live this long.
const ANONYMOUS_TTL_MS: i64 = 2 * 3600 * 1000;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRecord {
    /// SHA-256 of the cookie token.
    pub id: String,
    pub user_id: Option<UserId>,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-hy_session" } else { "hy_session" }
}

/// Start a session; returns the cookie token (shown to nobody else) and the record.
pub async fn create(
    conn: &mut Conn,
    user_id: Option<UserId>,
    client_addr: &str,
    user_agent: &str,
    security: &SecuritySettings,
) -> Result<(String, SessionRecord), sqlx::Error> {
    let token = random_token();
    let now = now_ms();
    let expires_at = match user_id {
        Some(_) => now + security.session_max_hours * 3600 * 1000,
        None => now + ANONYMOUS_TTL_MS,
    };
    let record =
        SessionRecord { id: sha256_hex(&token), user_id, csrf_token: random_token(), last_seen_at: now, expires_at };
    sqlx::query(
        "INSERT INTO session (id, user_id, csrf_token, created_at, last_seen_at, expires_at, client_addr, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(&record.id)
    .bind(record.user_id)
    .bind(&record.csrf_token)
    .bind(now)
    .bind(expires_at)
    .bind(client_addr)
    .bind(truncate(user_agent, 300))
    .execute(&mut *conn)
    .await?;
    Ok((token, record))
}

/// A session row with its account and that account's grants over active orgs, one row per
/// grant (a single row with empty grant columns when there is none).
#[derive(FromRow)]
struct SessionActorRow {
    id: String,
    user_id: Option<UserId>,
    csrf_token: String,
    last_seen_at: i64,
    expires_at: i64,
    username: Option<String>,
    display_name: Option<String>,
    locale: Option<String>,
    is_active: Option<i64>,
    grant_id: Option<GrantId>,
    role: Option<String>,
    org_id: Option<OrgId>,
    org_path: Option<String>,
    org_name: Option<String>,
}

/// The live session for a cookie token and the account signed in with it (`None` when the
/// account is gone or deactivated), read in one query — every request of a signed-in user
/// starts here; touches the session at most once a minute.
pub async fn load_with_actor(
    conn: &mut Conn,
    token: &str,
    security: &SecuritySettings,
) -> Result<Option<(SessionRecord, Option<Actor>)>, sqlx::Error> {
    let now = now_ms();
    let idle_limit = now - security.session_idle_minutes * 60 * 1000;
    let rows: Vec<SessionActorRow> = sqlx::query_as(
        "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at,
                u.username, u.display_name, u.locale, u.is_active,
                g.id AS grant_id, g.role, o.id AS org_id, o.path AS org_path, o.short_name AS org_name
         FROM session s
         LEFT JOIN app_user u ON u.id = s.user_id
         LEFT JOIN role_grant g ON g.user_id = u.id
         LEFT JOIN org o ON o.id = g.org_id AND o.is_active = 1
         WHERE s.id = $1 AND s.expires_at > $2 AND (s.user_id IS NULL OR s.last_seen_at > $3)
         ORDER BY g.id",
    )
    .bind(sha256_hex(token))
    .bind(now)
    .bind(idle_limit)
    .fetch_all(&mut *conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let record = SessionRecord {
        id: first.id.clone(),
        user_id: first.user_id,
        csrf_token: first.csrf_token.clone(),
        last_seen_at: first.last_seen_at,
        expires_at: first.expires_at,
    };
    let actor = match (first.user_id, &first.username, first.is_active) {
        (Some(user_id), Some(username), Some(1)) => Some(Actor {
            user_id,
            username: username.clone(),
            display_name: first.display_name.clone().unwrap_or_default(),
            locale: first.locale.clone().unwrap_or_default(),
            grants: rows
                .iter()
                .filter_map(|r| {
                    // A grant over a deactivated org has no org columns: it does not count.
                    Some(Grant {
                        id: r.grant_id?,
                        role: Role::parse(r.role.as_deref()?)?,
                        org_id: r.org_id?,
                        org_path: r.org_path.clone()?,
                        org_name: r.org_name.clone()?,
                    })
                })
                .collect(),
        }),
        _ => None,
    };
    if now - record.last_seen_at > TOUCH_EVERY_MS {
        sqlx::query("UPDATE session SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&record.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some((record, actor)))
}

pub async fn delete(conn: &mut Conn, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM session WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// End every session of a user, except `keep` (the one changing their password).
pub async fn delete_for_user(conn: &mut Conn, user_id: UserId, keep: Option<&str>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM session WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Remove expired sessions (a periodic job).
pub async fn purge_expired(conn: &mut Conn) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM session WHERE expires_at < $1").bind(now_ms()).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    header(format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure_attr}", cookie_name(secure)))
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    header(format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}", cookie_name(secure)))
}

fn header(value: String) -> HeaderValue {
    // Tokens are URL-safe base64, so the value is always a valid header.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
