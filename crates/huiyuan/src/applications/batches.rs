//! Batches (汇总报送): a city gathers its recommended applications and forwards them to the
//! province together. Once forwarded, neither the city nor the applicant can change what is
//! in it (the applications are `forwarded`, which only the secretariat moves on).

use serde::Serialize;
use serde_json::json;
use sqlx::FromRow;

use super::model::Application;
use super::service::apply;
use super::state::{Action, Status};
use super::store as app_store;
use crate::audit::{self, Entry, Who};
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::orgs::Org;
use crate::state::AppState;
use crate::storage::{ApplicationId, BatchId, Conn, OrgId, Sql, is_unique_violation, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Batch {
    pub id: BatchId,
    pub org_id: OrgId,
    pub name: String,
    pub status: String,
    pub created_at: i64,
    pub forwarded_at: Option<i64>,
}

impl Batch {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// A batch with its city's name and size, for lists.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct BatchRow {
    pub id: BatchId,
    pub name: String,
    pub status: String,
    pub org_name: String,
    pub created_at: i64,
    pub forwarded_at: Option<i64>,
    pub items: i64,
}

/// "太原市2026年第1批": the city's short name, the year, the next number.
pub fn default_name(city: &str, year: i32, n: i64) -> String {
    format!("{city}{year}年第{n}批")
}

pub async fn find(conn: &mut Conn, id: BatchId) -> Result<Option<Batch>, sqlx::Error> {
    sqlx::query_as("SELECT id, org_id, name, status, created_at, forwarded_at FROM batch WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn count_for_org(conn: &mut Conn, org: OrgId) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM batch WHERE org_id = $1").bind(org).fetch_one(&mut *conn).await?;
    Ok(n)
}

/// Batches the viewer may see: a city's own; for the province, every forwarded one (and
/// open ones too, so it can follow what is coming).
pub async fn list(conn: &mut Conn, scope: &OrgScope) -> Result<Vec<BatchRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT b.id, b.name, b.status, o.short_name AS org_name, b.created_at, b.forwarded_at,
                (SELECT COUNT(*) FROM batch_item i WHERE i.batch_id = b.id) AS items
         FROM batch b JOIN org o ON o.id = b.org_id WHERE 1 = 1",
    );
    scope.push_filter(&mut sql, "o.path");
    sql.push(" ORDER BY b.id DESC");
    sql.fetch_all(conn).await
}

pub async fn items(conn: &mut Conn, batch: BatchId) -> Result<Vec<Application>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.kind, a.applicant_id, a.org_id, a.status, a.name, a.identity_key, a.category, a.data,
                a.version, a.submitted_at, a.created_at, a.updated_at
         FROM batch_item i JOIN application a ON a.id = i.application_id
         WHERE i.batch_id = $1 ORDER BY a.id",
    )
    .bind(batch)
    .fetch_all(&mut *conn)
    .await
}

/// The batch an application was forwarded in (or sits in, while open).
pub async fn of_application(conn: &mut Conn, app: ApplicationId) -> Result<Option<Batch>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.id, b.org_id, b.name, b.status, b.created_at, b.forwarded_at
         FROM batch_item i JOIN batch b ON b.id = i.batch_id WHERE i.application_id = $1 ORDER BY b.id DESC LIMIT 1",
    )
    .bind(app)
    .fetch_optional(&mut *conn)
    .await
}

/// A city's administrator gathers recommended applications of their city into a new open
/// batch. The batch belongs to the city of the applications in it (with none picked, the
/// administrator's own city, for the message).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    name: &str,
    apps: &[ApplicationId],
) -> AppResult<Result<BatchId, FieldErrors>> {
    let Some(own) = actor.administered_city() else {
        return Err(AppError::Forbidden);
    };
    let mut conn = state.db.pool().acquire().await?;
    let org_id = match apps.first() {
        Some(id) => app_store::find(&mut conn, *id).await?.ok_or(AppError::NotFound)?.org_id,
        None => Some(own.org_id),
    };
    let org = match org_id {
        Some(id) => crate::orgs::store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?,
        None => return Err(AppError::Forbidden),
    };
    drop(conn);
    if !actor.can_batch_for(&org.path) {
        return Err(AppError::Forbidden);
    }
    let org = &org;
    let name = crate::text::normalize_line(name);
    let mut errors = FieldErrors::new();
    if name.is_empty() {
        errors.add("name", Msg::new("err.required"));
    } else if name.chars().count() > 60 {
        errors.add("name", Msg::new("err.too_long").arg("max", 60));
    }
    if apps.is_empty() {
        errors.add("apps", Msg::new("err.batch_empty"));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = state.db.begin().await?;
    for id in apps {
        let app = app_store::find(&mut tx, *id).await?.ok_or(AppError::NotFound)?;
        if app.org_id != Some(org.id) {
            return Err(AppError::Forbidden);
        }
        if app.status() != Status::Recommended || in_open_batch(&mut tx, *id).await? {
            return Ok(Err(FieldErrors::single("apps", Msg::new("err.batch_item_not_ready").arg("name", &app.name))));
        }
    }
    let inserted = sqlx::query_as::<_, (i64,)>(
        "INSERT INTO batch (org_id, name, status, created_by, created_at) VALUES ($1, $2, 'open', $3, $4) RETURNING id",
    )
    .bind(org.id)
    .bind(&name)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok((id,)) => BatchId(id),
        Err(e) if is_unique_violation(&e, "batch", &["org_id", "name"]) => {
            return Ok(Err(FieldErrors::single("name", Msg::new("err.batch_name_taken"))));
        }
        Err(e) => return Err(e.into()),
    };
    for app in apps {
        sqlx::query("INSERT INTO batch_item (batch_id, application_id) VALUES ($1, $2)")
            .bind(id)
            .bind(app)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("batch.create", "batch", id, &name).org(org.id).after(json!({ "applications": apps })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

async fn in_open_batch(conn: &mut Conn, app: ApplicationId) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT i.batch_id FROM batch_item i JOIN batch b ON b.id = i.batch_id WHERE i.application_id = $1 AND b.status = 'open'",
    )
    .bind(app)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Take an application out of an open batch.
pub async fn remove_item(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    batch: &Batch,
    org: &Org,
    app: ApplicationId,
) -> AppResult<()> {
    if !actor.can_batch_for(&org.path) {
        return Err(AppError::Forbidden);
    }
    if !batch.is_open() {
        return Err(AppError::Conflict(Msg::new("err.batch_forwarded")));
    }
    let mut tx = state.db.begin().await?;
    // Lock the batch while it is still open: a forward running now waits for this, or this
    // sees that it was forwarded.
    let open = sqlx::query("UPDATE batch SET status = status WHERE id = $1 AND status = 'open'")
        .bind(batch.id)
        .execute(&mut *tx)
        .await?;
    if open.rows_affected() != 1 {
        return Err(AppError::Conflict(Msg::new("err.batch_forwarded")));
    }
    let done = sqlx::query("DELETE FROM batch_item WHERE batch_id = $1 AND application_id = $2")
        .bind(batch.id)
        .bind(app)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("batch.remove", "batch", batch.id, &batch.name).org(org.id).before(json!({ "application": app })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forward the batch: every application in it moves to `forwarded` in one transaction.
pub async fn forward(state: &AppState, actor: &Actor, who: &Who, batch: &Batch, org: &Org) -> AppResult<()> {
    if !actor.can_batch_for(&org.path) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let moved =
        sqlx::query("UPDATE batch SET status = 'forwarded', forwarded_at = $1 WHERE id = $2 AND status = 'open'")
            .bind(now_ms())
            .bind(batch.id)
            .execute(&mut *tx)
            .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(Msg::new("err.batch_forwarded")));
    }
    let apps = items(&mut tx, batch.id).await?;
    if apps.is_empty() {
        return Err(AppError::Conflict(Msg::new("err.batch_empty")));
    }
    for app in &apps {
        if app.org_id != Some(org.id) {
            return Err(AppError::Forbidden);
        }
        if app.status() != Status::Recommended {
            return Err(AppError::Conflict(Msg::new("err.batch_item_not_ready").arg("name", &app.name)));
        }
        apply(
            &mut tx,
            state,
            actor,
            who,
            app,
            Action::Forward,
            Some(org.id),
            &batch.name,
            json!({ "batch": batch.id }),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("batch.forward", "batch", batch.id, &batch.name)
            .org(org.id)
            .after(json!({ "applications": apps.len() })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn batch_names_follow_the_citys_habit() {
        assert_eq!(super::default_name("太原市", 2026, 1), "太原市2026年第1批");
    }
}
