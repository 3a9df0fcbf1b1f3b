//! A city's batches (汇总报送): the list, making one from the 已推荐 tab of the queue, a
//! batch's page, taking an application out, forwarding it to the province.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::review::{QueueQuery, queue_view};
use super::{Pairs, field, ids};
use crate::applications::batches;
use crate::applications::query::{self, QueueFilters};
use crate::applications::state::Status;
use crate::applications::views::BatchListPage;
use crate::applications::views::chain::{batch_page, batch_status};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, BatchId};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_BATCHES, list)
        .post(paths::ADMIN_BATCHES, create)
        .get(paths::ADMIN_BATCH, show)
        .post(paths::ADMIN_BATCH_FORWARD, forward)
        .post(paths::ADMIN_BATCH_REMOVE, remove)
}

async fn list(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    let rows = query::batches(&state.db, &actor)
        .await?
        .into_iter()
        .map(|b| {
            let (label, tag) = batch_status(&page, &b.status);
            (b, label, tag)
        })
        .collect();
    let view =
        BatchListPage { ctx: page.title("batch.list_title").crumb("menu.joining", paths::ADMIN_APPLICATIONS), rows };
    Ok(render(&view)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    query::batch_maker(&actor)?;
    let apps: Vec<ApplicationId> = ids(&pairs, "app")?;
    let name = field(&pairs, "name");
    match batches::create(&state, &actor, &ctx.who(), &name, &apps).await? {
        Ok(id) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_BATCH, id),
            &Msg::new("flash.batch_created").arg("name", crate::text::normalize_line(&name)),
        )),
        Err(errors) => {
            let filters = QueueFilters { status: Status::Recommended.as_str().to_string(), ..QueueFilters::default() };
            let q = QueueQuery { filters, ..QueueQuery::default() };
            render_refused(&queue_view(&state, &actor, page, q, Some((name, apps, errors))).await?)
        }
    }
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<BatchId>,
) -> AppResult<Response> {
    let (batch, org) = query::batch(&state.db, &actor, id).await?;
    let apps = batches::items(&mut *state.db.pool().acquire().await?, batch.id).await?;
    Ok(render(&batch_page(&state.settings, &actor, page, batch, org, apps))?.into_response())
}

async fn forward(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<BatchId>,
) -> AppResult<Response> {
    let (batch, org) = query::batch(&state.db, &actor, id).await?;
    batches::forward(&state, &actor, &ctx.who(), &batch, &org).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_BATCH, id),
        &Msg::new("flash.batch_forwarded").arg("name", &batch.name),
    ))
}

async fn remove(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, app)): Path<(BatchId, ApplicationId)>,
) -> AppResult<Response> {
    let (batch, org) = query::batch(&state.db, &actor, id).await?;
    batches::remove_item(&state, &actor, &ctx.who(), &batch, &org, app).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_BATCH, id), &Msg::new("flash.batch_item_removed")))
}
