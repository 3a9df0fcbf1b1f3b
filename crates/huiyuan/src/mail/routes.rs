//! The outbox (发件箱): every message huiyuan has written, its status and last error; failed
//! messages can be sent again. For the system administrator.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::store::{self, MailStatus, OutboxFilter};
use super::views::*;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::MailId;
use crate::web::pagination::{PageQuery, Pager, encode_filters};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_OUTBOX, list)
        .get(paths::ADMIN_OUTBOX_MESSAGE, show)
        .post(paths::ADMIN_OUTBOX_RETRY, retry)
}

fn label(s: MailStatus) -> (&'static str, &'static str) {
    match s {
        MailStatus::Queued => ("mail.status_queued", "tag-orange"),
        MailStatus::Sent => ("mail.status_sent", "tag-green"),
        MailStatus::Kept => ("mail.status_kept", "tag-blue"),
        MailStatus::Failed => ("mail.status_failed", "tag-red"),
    }
}

fn item(page: &PageCtx, row: super::MailRow) -> MailItem {
    let (key, tag) = label(row.status());
    MailItem {
        status_label: page.t(key),
        status_tag: tag,
        href: paths::with_id(paths::ADMIN_OUTBOX_MESSAGE, row.id),
        row,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    to: String,
    #[serde(flatten)]
    page: PageQuery,
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    allow(actor.can_read_outbox())?;
    let filter = OutboxFilter { status: MailStatus::parse(&q.status), to: crate::text::normalize(&q.to) };
    let pager = Pager::new(&q.page, paths::ADMIN_OUTBOX, encode_filters(&[("status", &q.status), ("to", &filter.to)]));
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = store::list(&mut conn, &filter, pager.offset(), pager.limit()).await?;
    let items = rows.into_iter().map(|r| item(&page, r)).collect();
    let view = OutboxPage {
        ctx: page.title("mail.outbox_title").crumb("menu.system", paths::ADMIN),
        items,
        pager: pager.with_total(total),
        status: q.status,
        to: filter.to,
        smtp_configured: state.mailer.is_some(),
    };
    Ok(render(&view)?.into_response())
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<MailId>,
) -> AppResult<Response> {
    allow(actor.can_read_outbox())?;
    let mut conn = state.db.pool().acquire().await?;
    let row = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let can_retry = row.status() == MailStatus::Failed || (row.status() == MailStatus::Queued && row.attempts > 0);
    let view = MessagePage {
        item: item(&page, row),
        ctx: page.title("mail.message_title").crumb("mail.outbox_title", paths::ADMIN_OUTBOX),
        can_retry,
    };
    Ok(render(&view)?.into_response())
}

/// Queue a failed message again (after the mail server is fixed).
async fn retry(State(state): State<AppState>, Staff(actor, ctx): Staff, Path(id): Path<MailId>) -> AppResult<Response> {
    allow(actor.can_read_outbox())?;
    let mut tx = state.db.begin().await?;
    let row = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    match row.status() {
        // Gave up: queue it again with a fresh job.
        MailStatus::Failed => {
            store::requeue(&mut tx, id).await?;
            crate::jobs::enqueue(&mut tx, super::JOB_SEND, json!({ "mail_id": id }), 10).await?;
        }
        // Waiting for a retry: bring the waiting job forward (never a second job).
        MailStatus::Queued => {
            crate::jobs::run_now(&mut tx, super::JOB_SEND, &json!({ "mail_id": id })).await?;
        }
        MailStatus::Sent | MailStatus::Kept => return Err(AppError::Conflict(Msg::new("err.mail_not_failed"))),
    }
    audit::record(
        &mut tx,
        &ctx.who(),
        Entry::new("mail.retry", "mail", id, &row.subject)
            .before(json!({ "status": row.status, "attempts": row.attempts, "last_error": row.last_error })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_OUTBOX_MESSAGE, id), &Msg::new("flash.mail_requeued")))
}
