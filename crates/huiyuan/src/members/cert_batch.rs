//! Certificates in bulk (批量生成会员证): the active members of a filtered list (a city, a
//! category, a search) as one .zip of PDFs, made by the jobs worker while the page shows
//! the progress. Members without a valid certificate get one issued on the way.

use std::io::Write as _;

use serde_json::{Value, json};

use super::query::{self, MemberFilters};
use super::store;
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::print::certificate::Layout;
use crate::state::AppState;
use crate::storage::{Conn, MemberId, UserId, now_ms};

pub const JOB: &str = "certificates.zip";
/// At most this many certificates in one .zip (narrow the list for more).
pub const MAX_BATCH: i64 = 2_000;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Batch {
    pub id: i64,
    pub requested_by: Option<UserId>,
    pub requested_by_name: String,
    pub filters: String,
    pub member_ids_json: String,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub file_id: Option<i64>,
    pub error: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

async fn find(conn: &mut Conn, id: i64) -> AppResult<Batch> {
    sqlx::query_as(
        "SELECT id, requested_by, requested_by_name, filters, member_ids_json, status, total, done, file_id, error,
            created_at, finished_at FROM certificate_batch WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// Ask for the certificates of the active members of the actor's list (filtered as the
/// list page is); the worker makes the .zip. Answers the batch's id.
pub async fn request(state: &AppState, actor: &Actor, who: &Who, filters: &MemberFilters) -> AppResult<i64> {
    let mut filter = query::filter_for(&state.settings, actor, filters)?;
    filter.status = Some("active".into());
    let mut conn = state.db.pool().acquire().await?;
    let rows = store::page(&mut conn, &filter, 0, MAX_BATCH + 1).await?;
    drop(conn);
    if rows.is_empty() {
        return Err(AppError::Conflict(Msg::new("certs.err_none")));
    }
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) > MAX_BATCH {
        return Err(AppError::Conflict(Msg::new("certs.err_too_many").arg("max", MAX_BATCH)));
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO certificate_batch (requested_by, requested_by_name, filters, member_ids_json, status, total, created_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, $6) RETURNING id",
    )
    .bind(actor.user_id)
    .bind(&who.name)
    .bind(filters.encoded())
    .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
    .bind(i64::try_from(ids.len()).unwrap_or(0))
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    crate::jobs::enqueue(&mut tx, JOB, json!({ "batch": id }), 3).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.certificates", "member", "list", "会员证")
            .after(json!({ "batch": id, "members": ids.len(), "filters": filters.encoded() })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(id)
}

/// The job: issue where needed, render, zip, store; progress written as it goes.
pub async fn run(state: &AppState, payload: &Value) -> anyhow::Result<()> {
    let id = payload.get("batch").and_then(Value::as_i64).ok_or_else(|| anyhow::anyhow!("no batch"))?;
    let batch = find(&mut *state.db.pool().acquire().await?, id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if batch.status == "done" {
        return Ok(());
    }
    let set = |status: &'static str, done: i64, error: String| {
        let state = state.clone();
        async move {
            sqlx::query("UPDATE certificate_batch SET status = $1, done = $2, error = $3 WHERE id = $4")
                .bind(status)
                .bind(done)
                .bind(error)
                .bind(id)
                .execute(state.db.pool())
                .await
        }
    };
    set("running", 0, String::new()).await?;
    let result = make_zip(state, &batch, |done| set("running", done, String::new())).await;
    match result {
        Ok((bytes, issued)) => {
            let mut tx = state.db.begin().await?;
            let name = format!("会员证-{}.zip", state.settings.locale.today());
            let file = crate::files::save(
                &mut tx,
                state.files.as_ref(),
                &name,
                crate::files::Kind::Zip,
                &bytes,
                batch.requested_by,
            )
            .await?;
            sqlx::query(
                "UPDATE certificate_batch SET status = 'done', done = total, file_id = $1, finished_at = $2 WHERE id = $3",
            )
            .bind(file.id)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tracing::info!(batch = id, issued, bytes = bytes.len(), "certificates zipped");
            tx.commit().await?;
            Ok(())
        }
        Err(e) => {
            set("failed", batch.done, format!("{e:#}")).await?;
            Err(e)
        }
    }
}

async fn make_zip<F, Fut>(state: &AppState, batch: &Batch, progress: F) -> anyhow::Result<(Vec<u8>, usize)>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<sqlx::any::AnyQueryResult, sqlx::Error>>,
{
    let font = state.printer.font().ok_or_else(|| anyhow::anyhow!("no Chinese font for PDFs"))?;
    let ids: Vec<i64> = serde_json::from_str(&batch.member_ids_json)?;
    let who = Who::system("certificates");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut issued = 0;
    for (i, id) in ids.iter().enumerate() {
        let mut conn = state.db.pool().acquire().await?;
        let Some(m) = store::find(&mut conn, MemberId(*id)).await? else { continue };
        drop(conn);
        if m.status != "active" {
            continue; // lapsed or expelled since the request: no certificate
        }
        let cert = super::certificates::current_certificate(state, batch.requested_by, &who, &m)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let layout = Layout::Card;
        let text = super::certificates::text(&state.settings, &m, &cert, layout);
        let name = format!("{}-{}.pdf", m.number, crate::files::clean_name(&m.name));
        let font = font.0.clone();
        zip = crate::cpu::run(move |off| -> anyhow::Result<_> {
            let pdf = crate::print::certificate::render(&text, layout, &font, off)?;
            zip.start_file(name, options)?;
            zip.write_all(&pdf)?;
            Ok(zip)
        })
        .await??;
        issued += 1;
        if (i + 1) % 50 == 0 {
            progress(i64::try_from(i + 1).unwrap_or(0)).await?;
        }
    }
    let bytes = crate::cpu::run(move |_| zip.finish().map(std::io::Cursor::into_inner)).await??;
    Ok((bytes, issued))
}

/// A batch, for whoever asked for it and the secretariat.
pub async fn visible(state: &AppState, actor: &Actor, id: i64) -> AppResult<Batch> {
    let b = find(&mut *state.db.pool().acquire().await?, id).await?;
    if !actor.can_read_certificate_batch(b.requested_by) {
        return Err(AppError::Forbidden);
    }
    Ok(b)
}

/// A finished batch's .zip: (bytes, file name).
pub async fn zip_file(state: &AppState, actor: &Actor, id: i64) -> AppResult<(Vec<u8>, String)> {
    let b = visible(state, actor, id).await?;
    let file_id = b.file_id.ok_or(AppError::NotFound)?;
    let mut conn = state.db.pool().acquire().await?;
    let (key, name): (String, String) =
        sqlx::query_as("SELECT storage_key, original_name FROM stored_file WHERE id = $1")
            .bind(file_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    drop(conn);
    let bytes = state.files.get(&key).await.map_err(|e| AppError::Internal(anyhow::anyhow!("reading {key}: {e}")))?;
    Ok((bytes, name))
}
