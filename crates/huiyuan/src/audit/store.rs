//! Reading the audit log (writing is `audit::record`).

use serde::Serialize;
use sqlx::FromRow;

use crate::storage::{AuditId, Conn, OrgId, Sql, UserId, push_contains};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AuditRow {
    pub id: AuditId,
    pub at: i64,
    pub actor_user_id: Option<UserId>,
    pub actor_name: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub target_label: String,
    pub org_id: Option<OrgId>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub client_addr: String,
    pub request_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor's name or user name.
    pub actor: String,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Part of the target's label.
    pub target: String,
    /// Inclusive bounds, milliseconds.
    pub from: Option<i64>,
    pub until: Option<i64>,
}

const COLUMNS: &str = "id, at, actor_user_id, actor_name, action, target_type, target_id, target_label, org_id, \
                       before_json, after_json, client_addr, request_id";

fn push_where(sql: &mut Sql, f: &AuditFilter) {
    sql.push(" WHERE 1 = 1");
    if !f.actor.is_empty() {
        sql.push(" AND ");
        push_contains(sql, "actor_name", &f.actor);
    }
    if let Some(a) = &f.action {
        sql.push(" AND action = ").bind(a.clone());
    }
    if let Some(t) = &f.target_type {
        sql.push(" AND target_type = ").bind(t.clone());
    }
    if let Some(t) = &f.target_id {
        sql.push(" AND target_id = ").bind(t.clone());
    }
    if !f.target.is_empty() {
        sql.push(" AND ");
        push_contains(sql, "target_label", &f.target);
    }
    if let Some(from) = f.from {
        sql.push(" AND at >= ").bind(from);
    }
    if let Some(until) = f.until {
        sql.push(" AND at <= ").bind(until);
    }
}

pub async fn list(
    conn: &mut Conn,
    f: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditRow>, i64), sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM audit_log");
    push_where(&mut count, f);
    let (total,): (i64,) = count.fetch_one(conn).await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM audit_log"));
    push_where(&mut sql, f);
    sql.push(" ORDER BY id DESC").page(limit, offset);
    Ok((sql.fetch_all(conn).await?, total))
}

pub async fn find(conn: &mut Conn, id: AuditId) -> Result<Option<AuditRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_log WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await
}
