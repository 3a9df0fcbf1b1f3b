//! SQL for accounts, role grants and sign-in attempts.

use sqlx::FromRow;

use super::actor::{Actor, Grant, Role};
use super::model::User;
use crate::storage::{Conn, Flag, GrantId, OrgId, Sql, UserId, now_ms};

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
    user_id: UserId,
    id: GrantId,
    role: String,
    org_id: OrgId,
    path: String,
    short_name: String,
}

impl GrantRow {
    fn into_grant(self) -> Option<Grant> {
        Some(Grant {
            id: self.id,
            role: Role::parse(&self.role)?,
            org_id: self.org_id,
            org_path: self.path,
            org_name: self.short_name,
        })
    }
}

/// The grants of several users at once (list pages), by user.
pub async fn grants_of_many(
    conn: &mut Conn,
    users: &[UserId],
) -> Result<std::collections::HashMap<UserId, Vec<Grant>>, sqlx::Error> {
    let mut out: std::collections::HashMap<UserId, Vec<Grant>> = std::collections::HashMap::new();
    if users.is_empty() {
        return Ok(out);
    }
    let mut sql = crate::storage::Sql::new(
        "SELECT g.user_id, g.id, g.role, g.org_id, o.path, o.short_name
         FROM role_grant g JOIN org o ON o.id = g.org_id WHERE g.user_id IN (",
    );
    for (i, id) in users.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(") ORDER BY g.id");
    let rows: Vec<GrantRow> = sql.fetch_all(conn).await?;
    for row in rows {
        let user = row.user_id;
        if let Some(g) = row.into_grant() {
            out.entry(user).or_default().push(g);
        }
    }
    Ok(out)
}

/// Every role the user holds (for managing them).
pub async fn grants_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<Grant>, sqlx::Error> {
    grants_where(conn, user_id, "").await
}

/// The roles that count: those held over active nodes. A deactivated city's
/// administrator keeps the account but loses the city.
pub async fn active_grants_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<Grant>, sqlx::Error> {
    grants_where(conn, user_id, " AND o.is_active = 1").await
}

async fn grants_where(conn: &mut Conn, user_id: UserId, extra: &str) -> Result<Vec<Grant>, sqlx::Error> {
    let rows: Vec<GrantRow> = sqlx::query_as(&format!(
        "SELECT g.user_id, g.id, g.role, g.org_id, o.path, o.short_name
         FROM role_grant g JOIN org o ON o.id = g.org_id
         WHERE g.user_id = $1{extra} ORDER BY g.id"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(GrantRow::into_grant).collect())
}

/// The actor for an active account; `None` when the account is gone or deactivated.
pub async fn load_actor(conn: &mut Conn, user_id: UserId) -> Result<Option<Actor>, sqlx::Error> {
    let Some(user) = find_user(conn, user_id).await? else {
        return Ok(None);
    };
    if !user.active() {
        return Ok(None);
    }
    let grants = active_grants_of(conn, user_id).await?;
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

/// Write a sign-in attempt as failed, before the password is checked; returns its id.
pub async fn begin_attempt(conn: &mut Conn, key: &str, user: Option<UserId>, addr: &str) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO login_attempt (login_key, user_id, client_addr, succeeded, at) VALUES ($1, $2, $3, 0, $4) RETURNING id",
    )
    .bind(key)
    .bind(user)
    .bind(addr)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn attempt_succeeded(conn: &mut Conn, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_attempt SET succeeded = 1 WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Failed attempts since `since` against this account (by any of its logins, or by the
/// typed key when it names none) and from this address.
pub async fn recent_failures(
    conn: &mut Conn,
    key: &str,
    user: Option<UserId>,
    addr: &str,
    since: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let (by_key,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM login_attempt WHERE (login_key = $1 OR user_id = $2) AND at > $3 AND succeeded = 0",
    )
    .bind(key)
    .bind(user.unwrap_or(UserId(-1)))
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

/// The accounts holding `role` (on `org`, or on any node when None): who to tell.
pub async fn holders(conn: &mut Conn, role: Role, org: Option<OrgId>) -> Result<Vec<UserId>, sqlx::Error> {
    let mut sql = Sql::new("SELECT DISTINCT user_id FROM role_grant WHERE role = ");
    sql.bind(role.as_str().to_string());
    if let Some(org) = org {
        sql.push(" AND org_id = ").bind(org);
    }
    sql.push(" ORDER BY user_id");
    let rows: Vec<(UserId,)> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}
