//! SQL for accounts, role grants and sign-in attempts.

use sqlx::FromRow;

use super::actor::{Actor, Grant, Role};
use super::model::User;
use crate::storage::{Conn, Flag, GrantId, OrgId, UserId, now_ms};

const USER_COLUMNS: &str = "id, username, email, mobile, display_name, password_hash, locale, \
                            is_active, created_at, last_sign_in_at";

pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub locale: &'a str,
}

pub async fn insert_user(conn: &mut Conn, u: &NewUser<'_>) -> Result<UserId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO app_user (username, email, mobile, display_name, password_hash, locale,
            is_active, created_at, updated_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $7) RETURNING id",
    )
    .bind(u.username)
    .bind(u.email)
    .bind(u.mobile)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(u.locale)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(UserId(id))
}

pub async fn find_user(conn: &mut Conn, id: UserId) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM app_user WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The account a login (already normalised by `login_key`) names: user name, e-mail or
/// mobile number.
pub async fn find_by_login(conn: &mut Conn, key: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM app_user WHERE username = $1 OR email = $1 OR mobile = $1 \
         ORDER BY id LIMIT 1"
    ))
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn count_users(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM app_user").fetch_one(&mut *conn).await?;
    Ok(n)
}

pub async fn set_password(conn: &mut Conn, id: UserId, hash: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("UPDATE app_user SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_locale(conn: &mut Conn, id: UserId, locale: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE app_user SET locale = $1, updated_at = $2 WHERE id = $3")
        .bind(locale)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_active(conn: &mut Conn, id: UserId, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE app_user SET is_active = $1, updated_at = $2 WHERE id = $3")
        .bind(Flag(active))
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn mark_signed_in(conn: &mut Conn, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE app_user SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct GrantRow {
    id: GrantId,
    role: String,
    org_id: OrgId,
    path: String,
    short_name: String,
}

pub async fn grants_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<Grant>, sqlx::Error> {
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT g.id, g.role, g.org_id, o.path, o.short_name
         FROM role_grant g JOIN org o ON o.id = g.org_id
         WHERE g.user_id = $1 ORDER BY g.id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                id: r.id,
                role: Role::parse(&r.role)?,
                org_id: r.org_id,
                org_path: r.path,
                org_name: r.short_name,
            })
        })
        .collect())
}

/// The actor for an active account; `None` when the account is gone or deactivated.
pub async fn load_actor(conn: &mut Conn, user_id: UserId) -> Result<Option<Actor>, sqlx::Error> {
    let Some(user) = find_user(conn, user_id).await? else {
        return Ok(None);
    };
    if !user.active() {
        return Ok(None);
    }
    let grants = grants_of(conn, user_id).await?;
    Ok(Some(Actor { user_id, username: user.username, display_name: user.display_name, locale: user.locale, grants }))
}

/// Give `user_id` `role` over `org_id`; `None` when they hold it already.
pub async fn insert_grant(
    conn: &mut Conn,
    user_id: UserId,
    role: Role,
    org_id: OrgId,
    granted_by: Option<UserId>,
) -> Result<Option<GrantId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO role_grant (user_id, role, org_id, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, role, org_id) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(org_id)
    .bind(granted_by)
    .bind(now_ms())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| GrantId(r.0)))
}

pub async fn delete_grant(conn: &mut Conn, user_id: UserId, grant_id: GrantId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM role_grant WHERE id = $1 AND user_id = $2")
        .bind(grant_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_attempt(conn: &mut Conn, key: &str, addr: &str, ok: bool) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_attempt (login_key, client_addr, succeeded, at) VALUES ($1, $2, $3, $4)")
        .bind(key)
        .bind(addr)
        .bind(Flag(ok))
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Failed attempts since `since` for this login key and for this address.
pub async fn recent_failures(conn: &mut Conn, key: &str, addr: &str, since: i64) -> Result<(i64, i64), sqlx::Error> {
    let (by_key,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM login_attempt WHERE login_key = $1 AND at > $2 AND succeeded = 0")
            .bind(key)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    let (by_addr,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM login_attempt WHERE client_addr = $1 AND at > $2 AND succeeded = 0")
            .bind(addr)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    Ok((by_key, by_addr))
}

/// Forget attempts older than `before` (a periodic job).
pub async fn purge_attempts(conn: &mut Conn, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM login_attempt WHERE at < $1").bind(before).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}
