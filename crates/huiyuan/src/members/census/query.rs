//! Reads of census campaigns: the campaigns, a member's open task, and a campaign's
//! progress by city and by member within the reader's scope.

use time::Date;

use super::{Census, CityCounts, Progress};
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult};
use crate::storage::{Conn, MemberId, Sql};

const COLUMNS: &str = "id, title, opens_on, closes_on, orgs_json, categories_json, remind_days, status,
    created_by_name, created_at, lapsed_at";

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<Census>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM census WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Census>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM census ORDER BY id DESC")).fetch_all(&mut *conn).await
}

/// Every campaign, newest first, for staff.
pub async fn campaigns(conn: &mut Conn, actor: &Actor) -> AppResult<Vec<Census>> {
    if !actor.can_view_members() {
        return Err(AppError::Forbidden);
    }
    Ok(list(conn).await?)
}

/// A campaign, for staff (who follow it within their scope).
pub async fn visible(conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<Census> {
    if !actor.can_view_members() {
        return Err(AppError::Forbidden);
    }
    find(conn, id).await?.ok_or(AppError::NotFound)
}

/// A member's open task in a campaign, if any.
pub async fn open_task(conn: &mut Conn, member: MemberId, today: Date) -> Result<Option<Census>, sqlx::Error> {
    let rows: Vec<Census> = sqlx::query_as(&format!(
        "SELECT {} FROM census c JOIN census_member x ON x.census_id = c.id
         WHERE x.member_id = $1 AND x.status = 'pending' AND c.status = 'open' ORDER BY c.id DESC",
        COLUMNS.split(", ").map(|c| format!("c.{}", c.trim())).collect::<Vec<_>>().join(", ")
    ))
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().find(|c| c.answerable(today)))
}

pub async fn report(conn: &mut Conn, census: i64, scope: &OrgScope) -> Result<Vec<CityCounts>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT org_id,
            SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = 'corrected' THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END)
         FROM census_member WHERE census_id = ",
    );
    sql.bind(census);
    scope.push_org_id_filter(&mut sql, "org_id");
    sql.push(" GROUP BY org_id ORDER BY org_id");
    sql.fetch_all(conn).await
}

/// One member's line in a campaign.
pub async fn line(conn: &mut Conn, census: i64, member: MemberId) -> Result<Option<Progress>, sqlx::Error> {
    let mut sql = Sql::new(PROGRESS_SELECT);
    sql.bind(census).push(" AND x.member_id = ").bind(member);
    Ok(sql.fetch_all(conn).await?.into_iter().next())
}

const PROGRESS_SELECT: &str =
    "SELECT x.member_id, m.number, m.name, x.org_id, x.status, x.responded_at, x.responded_by, x.on_behalf, x.note
     FROM census_member x JOIN member m ON m.id = x.member_id WHERE x.census_id = ";

pub async fn progress(
    conn: &mut Conn,
    census: i64,
    scope: &OrgScope,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Progress>, sqlx::Error> {
    let mut sql = Sql::new(PROGRESS_SELECT);
    sql.bind(census);
    scope.push_org_id_filter(&mut sql, "x.org_id");
    if let Some(s) = status {
        sql.push(" AND x.status = ").bind(s.to_string());
    }
    sql.push(" ORDER BY m.number").page(limit, offset);
    sql.fetch_all(conn).await
}
