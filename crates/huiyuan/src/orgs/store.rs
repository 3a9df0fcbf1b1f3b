//! SQL for the organisation tree.

use super::model::{Level, Org, OrgFields};
use crate::auth::OrgScope;
use crate::storage::{Conn, Flag, OrgId, Sql, now_ms, push_contains};

const COLUMNS: &str =
    "id, parent_id, code, name, short_name, level, path, sort_order, is_active, created_at, updated_at";

pub async fn root(conn: &mut Conn) -> Result<Org, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1"))
        .fetch_one(&mut *conn)
        .await
}

pub async fn find(conn: &mut Conn, id: OrgId) -> Result<Option<Org>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM org WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await
}

pub async fn find_by_code(conn: &mut Conn, code: &str) -> Result<Option<Org>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM org WHERE code = $1")).bind(code).fetch_optional(&mut *conn).await
}

pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM org").fetch_one(&mut *conn).await?;
    Ok(n)
}

/// The nodes within `scope`, in tree order (each node followed by its children); `q` filters
/// by name, short name or code.
pub async fn list(conn: &mut Conn, scope: &OrgScope, q: &str, include_inactive: bool) -> Result<Vec<Org>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM org o WHERE 1 = 1"));
    scope.push_filter(&mut sql, "o.path");
    if !include_inactive {
        sql.push(" AND o.is_active = 1");
    }
    if !q.is_empty() {
        sql.push(" AND (");
        push_contains(&mut sql, "o.name", q);
        sql.push(" OR ");
        push_contains(&mut sql, "o.short_name", q);
        sql.push(" OR ");
        push_contains(&mut sql, "o.code", q);
        sql.push(")");
    }
    let mut rows: Vec<Org> = sql.fetch_all(conn).await?;
    sort_tree(&mut rows);
    Ok(rows)
}

/// Tree order: siblings by (sort_order, code), each followed by its subtree.
fn sort_tree(rows: &mut [Org]) {
    let keys: std::collections::HashMap<OrgId, (i64, String)> =
        rows.iter().map(|o| (o.id, (o.sort_order, o.code.clone()))).collect();
    let key_of = |o: &Org| -> Vec<(i64, String)> {
        o.path
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse::<i64>().ok())
            .map(|id| keys.get(&OrgId(id)).cloned().unwrap_or((i64::MAX, String::new())))
            .collect()
    };
    rows.sort_by_cached_key(key_of);
}

pub async fn children(conn: &mut Conn, parent: OrgId) -> Result<Vec<Org>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM org WHERE parent_id = $1 ORDER BY sort_order, code"))
        .bind(parent)
        .fetch_all(&mut *conn)
        .await
}

/// Insert a node under `parent` (or the root when `parent` is None) and set its path.
pub async fn insert(conn: &mut Conn, parent: Option<&Org>, level: Level, f: &OrgFields) -> Result<OrgId, sqlx::Error> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO org (parent_id, code, name, short_name, level, path, sort_order, is_active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, '', $6, 1, $7, $7) RETURNING id",
    )
    .bind(parent.map(|p| p.id))
    .bind(&f.code)
    .bind(&f.name)
    .bind(&f.short_name)
    .bind(level.as_str())
    .bind(f.sort_order)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let path = format!("{}{id}/", parent.map(|p| p.path.as_str()).unwrap_or("/"));
    sqlx::query("UPDATE org SET path = $1 WHERE id = $2").bind(path).bind(id).execute(&mut *conn).await?;
    Ok(OrgId(id))
}

pub async fn update(conn: &mut Conn, id: OrgId, f: &OrgFields) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE org SET code = $1, name = $2, short_name = $3, sort_order = $4, updated_at = $5 WHERE id = $6")
        .bind(&f.code)
        .bind(&f.name)
        .bind(&f.short_name)
        .bind(f.sort_order)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Activate or deactivate a node and everything under it.
pub async fn set_active_subtree(conn: &mut Conn, org: &Org, active: bool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE org SET is_active = $1, updated_at = $2 WHERE path LIKE $3")
        .bind(Flag(active))
        .bind(now_ms())
        .bind(format!("{}%", org.path))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete(conn: &mut Conn, id: OrgId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM org WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// People holding roles on this node, for its page.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OrgPerson {
    pub user_id: crate::storage::UserId,
    pub display_name: String,
    pub username: String,
    pub role: String,
}

pub async fn people(conn: &mut Conn, org: OrgId) -> Result<Vec<OrgPerson>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, u.username, g.role
         FROM role_grant g JOIN app_user u ON u.id = g.user_id
         WHERE g.org_id = $1 AND g.role <> 'member' ORDER BY g.role, u.display_name",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await
}

/// How many active accounts hold a role in each node (for the list's 管理员 column).
pub async fn staff_counts(conn: &mut Conn) -> Result<std::collections::HashMap<OrgId, i64>, sqlx::Error> {
    let rows: Vec<(OrgId, i64)> = sqlx::query_as(
        "SELECT g.org_id, COUNT(DISTINCT g.user_id) FROM role_grant g JOIN app_user u ON u.id = g.user_id
         WHERE g.role <> 'member' AND u.is_active = 1 GROUP BY g.org_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The ids of the nodes within `scope` (deactivated ones too); None for the whole tree.
pub async fn ids_within(conn: &mut Conn, scope: &OrgScope) -> Result<Option<Vec<OrgId>>, sqlx::Error> {
    if *scope == OrgScope::All {
        return Ok(None);
    }
    let mut sql = Sql::new("SELECT o.id FROM org o WHERE 1 = 1");
    scope.push_filter(&mut sql, "o.path");
    let rows: Vec<(OrgId,)> = sql.fetch_all(conn).await?;
    Ok(Some(rows.into_iter().map(|(id,)| id).collect()))
}
