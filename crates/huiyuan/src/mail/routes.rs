//! The outbox (发件箱): every message huiyuan has written, its status and last error; failed
//! messages can be sent again. For the system administrator.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::outbox;
use super::store::{MailStatus, OutboxFilter};
use super::views::*;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::paths;
use crate::paths::encode_filters;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::MailId;
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, redirect_flash, render};

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
    let filter = OutboxFilter { status: MailStatus::parse(&q.status), to: crate::text::normalize(&q.to) };
    let pager = Pager::new(&q.page, paths::ADMIN_OUTBOX, encode_filters(&[("status", &q.status), ("to", &filter.to)]));
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = outbox::list(&mut conn, &actor, &filter, (pager.offset(), pager.limit())).await?;
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
    let row = outbox::message(&mut *state.db.pool().acquire().await?, &actor, id).await?;
    let can_retry = outbox::retryable(&row);
    let view = MessagePage {
        item: item(&page, row),
        ctx: page.title("mail.message_title").crumb("mail.outbox_title", paths::ADMIN_OUTBOX),
        can_retry,
    };
    Ok(render(&view)?.into_response())
}

/// Queue a failed message again (after the mail server is fixed).
async fn retry(State(state): State<AppState>, Staff(actor, ctx): Staff, Path(id): Path<MailId>) -> AppResult<Response> {
    outbox::retry(&state, &actor, &ctx.who(), id).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_OUTBOX_MESSAGE, id), &Msg::new("flash.mail_requeued")))
}
