//! SQL for the account list.

use serde::Serialize;
use sqlx::FromRow;

use crate::auth::OrgScope;
use crate::storage::{Conn, Flag, OrgId, Sql, UserId, push_contains};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct UserListRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    #[serde(skip)]
    pub is_active: Flag,
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: String,
    pub role: Option<String>,
    pub org: Option<OrgId>,
    /// Some(true) active only, Some(false) deactivated only.
    pub active: Option<bool>,
}

fn push_where(sql: &mut Sql, scope: &OrgScope, f: &UserFilter) {
    sql.push(" WHERE 1 = 1");
    if *scope != OrgScope::All {
        // Staff with a narrower scope see the accounts that hold a role inside it.
        sql.push(" AND EXISTS (SELECT 1 FROM role_grant sg JOIN org so ON so.id = sg.org_id WHERE sg.user_id = u.id");
        scope.push_filter(sql, "so.path");
        sql.push(")");
    }
    if !f.q.is_empty() {
        sql.push(" AND (");
        push_contains(sql, "u.display_name", &f.q);
        sql.push(" OR ");
        push_contains(sql, "u.username", &f.q.to_lowercase());
        sql.push(" OR ");
        push_contains(sql, "u.email", &f.q.to_lowercase());
        sql.push(" OR ");
        push_contains(sql, "u.mobile", &f.q);
        sql.push(")");
    }
    if f.role.is_some() || f.org.is_some() {
        // The role must be held within the viewer's scope too, so a filter cannot probe
        // roles elsewhere in the tree.
        sql.push(" AND EXISTS (SELECT 1 FROM role_grant fg JOIN org fo ON fo.id = fg.org_id WHERE fg.user_id = u.id");
        scope.push_filter(sql, "fo.path");
        if let Some(role) = &f.role {
            sql.push(" AND fg.role = ").bind(role.clone());
        }
        if let Some(org) = f.org {
            sql.push(" AND fg.org_id = ").bind(org);
        }
        sql.push(")");
    }
    if let Some(active) = f.active {
        sql.push(" AND u.is_active = ").bind(Flag(active));
    }
}

pub async fn list(
    conn: &mut Conn,
    scope: &OrgScope,
    f: &UserFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<UserListRow>, i64), sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM app_user u");
    push_where(&mut count, scope, f);
    let (total,): (i64,) = count.fetch_one(conn).await?;
    let mut sql = Sql::new(
        "SELECT u.id, u.username, u.display_name, u.email, u.mobile, u.is_active, u.last_sign_in_at, u.created_at
         FROM app_user u",
    );
    push_where(&mut sql, scope, f);
    sql.push(" ORDER BY u.id DESC").page(limit, offset);
    Ok((sql.fetch_all(conn).await?, total))
}

/// Active holders of a role (to keep the last system administrator).
pub async fn count_active_with_role(conn: &mut Conn, role: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT u.id) FROM app_user u JOIN role_grant g ON g.user_id = u.id WHERE g.role = $1 AND u.is_active = 1",
    )
    .bind(role)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}
