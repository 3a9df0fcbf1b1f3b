//! Reads of roster imports, for those who may import into the batch's org: a batch, its
//! rows, the recent batches in scope, and the orgs the actor may import into.

use super::{Batch, RowView};
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult};
use crate::orgs::names::OrgNames;
use crate::storage::{Conn, OrgId, Sql};

pub(super) const BATCH_COLUMNS: &str =
    "id, org_id, created_by_name, file_name, file_sha256, heading_json, mapping_json, status,
    total_rows, blank_rows, new_rows, duplicate_rows, probable_rows, invalid_rows, flagged_rows, findings_json,
    imported_rows, created_at, committed_at";

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<Batch>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {BATCH_COLUMNS} FROM import_batch WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The batch, for someone who may import into its org (404 when there is none, 403 else).
pub async fn visible(conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<Batch> {
    let batch = find(conn, id).await?.ok_or(AppError::NotFound)?;
    let path = crate::members::query::org_path(conn, batch.org_id).await?;
    if !actor.can_import_members(path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    Ok(batch)
}

/// The orgs the actor may import into: the cities (id, short name) in the settings' order,
/// then None for province-direct members when they may import those. 403 for anyone who
/// may import nowhere.
pub async fn targets(conn: &mut Conn, kept: &OrgNames, actor: &Actor) -> AppResult<Vec<(Option<OrgId>, String)>> {
    let orgs = crate::members::query::OrgLabels::read(conn, kept, "").await?;
    let mut out: Vec<(Option<OrgId>, String)> = orgs
        .cities
        .into_iter()
        .filter(|(_, _, path)| actor.can_import_members(Some(path)))
        .map(|(id, name, _)| (Some(id), name))
        .collect();
    if actor.can_import_members(None) {
        out.push((None, String::new()));
    }
    if out.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(out)
}

/// Recent batches within the scope.
pub async fn recent(conn: &mut Conn, scope: &OrgScope) -> Result<Vec<Batch>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {BATCH_COLUMNS} FROM import_batch WHERE 1 = 1"));
    scope.push_org_id_filter(&mut sql, "org_id");
    sql.push(" ORDER BY id DESC LIMIT 20");
    sql.fetch_all(conn).await
}

/// A page of a batch's rows, optionally of one verdict.
pub async fn rows(
    conn: &mut Conn,
    batch: i64,
    verdict: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<RowView>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT row_no, cells_json, verdict, message, match_member_id, can_import FROM import_row WHERE batch_id = ",
    );
    sql.bind(batch);
    if let Some(v) = verdict {
        sql.push(" AND verdict = ").bind(v.to_string());
    }
    sql.push(" ORDER BY row_no").page(limit, offset);
    sql.fetch_all(conn).await
}

/// Whether a committed import's members are searchable yet: their search terms are still
/// being written, or the job gave up (with the command that does its work).
pub struct Terms {
    pub indexing: bool,
    pub reindex: Option<String>,
}

pub async fn terms(conn: &mut Conn, batch: i64) -> AppResult<Terms> {
    let jobs: Vec<(String, String)> =
        sqlx::query_as("SELECT status, payload FROM job WHERE kind = $1 AND status <> 'done' AND payload LIKE $2")
            .bind(crate::members::bulk::JOB_TERMS)
            .bind(format!("{{\"batch\":{batch},%"))
            .fetch_all(&mut *conn)
            .await?;
    let indexing = jobs.iter().any(|(status, _)| status == "queued");
    // A job that gave up: what the administrator runs to make the members searchable.
    let reindex = jobs.iter().find(|(status, _)| status == "failed").and_then(|(_, payload)| {
        let p: serde_json::Value = serde_json::from_str(payload).ok()?;
        Some(format!("huiyuan reindex --from {} --to {}", p["from"].as_i64()?, p["to"].as_i64()?))
    });
    Ok(Terms { indexing, reindex })
}
