//! The reviewers' pages: the queue (with the city's batch form on its 已推荐 tab), an
//! application's review page, the review decision and the secretariat's dossier.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::applications::dossiers::{self, DossierInput};
use crate::applications::query::{self, QueueFilters};
use crate::applications::service::{self, Decision};
use crate::applications::state::Action;
use crate::applications::views::QueuePage;
use crate::applications::views::review::{BatchAttempt, QueueInput, ReviewAttempt, queue_page, review_page};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::ApplicationId;
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_APPLICATIONS, queue)
        .get(paths::ADMIN_APPLICATION, review)
        .post(paths::ADMIN_APPLICATION_DECISION, decide)
        .post(paths::ADMIN_APPLICATION_DOSSIER, dossier)
        .post(paths::ADMIN_APPLICATION_ID_NUMBER, reveal_id)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct QueueQuery {
    #[serde(flatten)]
    pub filters: QueueFilters,
    #[serde(flatten)]
    pub page: PageQuery,
}

async fn queue(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    Ok(render(&queue_view(&state, &actor, page, q, None).await?)?.into_response())
}

/// The queue page; `attempt` re-shows a refused batch form on the 已推荐 tab.
pub(super) async fn queue_view(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    q: QueueQuery,
    attempt: Option<BatchAttempt>,
) -> AppResult<QueuePage> {
    let pager = Pager::new(&q.page, paths::ADMIN_APPLICATIONS, q.filters.encoded());
    let mut conn = state.db.pool().acquire().await?;
    let queue = query::queue(&mut conn, actor, &q.filters, pager.offset(), pager.limit()).await?;
    let cities = query::queue_cities(&mut conn, actor).await?;
    let batch_name = query::next_batch_name(&mut conn, actor, state.settings.locale.today().year()).await?;
    drop(conn);
    let f = q.filters;
    let input = QueueInput { status: f.status, kind: f.kind, city: f.city, sort: f.sort, cities, batch_name, attempt };
    Ok(queue_page(actor, page, pager, queue, input))
}

async fn review(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let r = query::for_review(&state.db, &actor, id).await?;
    let d = query::detail(&state.db, &r.app).await?;
    Ok(render(&review_page(&state.settings, &actor, page, &r, d, ReviewAttempt::None, false))?.into_response())
}

/// Show the ID numbers in full once, logging that they were read.
async fn reveal_id(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
) -> AppResult<Response> {
    let r = query::for_review(&state.db, &actor, id).await?;
    service::reveal_id_numbers(&state, &actor, &ctx.who(), &r, "page").await?;
    let d = query::detail(&state.db, &r.app).await?;
    let mut resp =
        render(&review_page(&state.settings, &actor, page, &r, d, ReviewAttempt::None, true))?.into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn ticks(pairs: &[(String, String)]) -> Vec<usize> {
    pairs.iter().filter(|(n, _)| n == "tick").filter_map(|(_, v)| v.parse().ok()).collect()
}

async fn decide(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = query::for_review(&state.db, &actor, id).await?;
    let decision =
        Decision { action: Action::parse(&field(&pairs, "action")), ticks: ticks(&pairs), note: field(&pairs, "note") };
    match service::decide(&state, &actor, &ctx.who(), &r, &decision).await? {
        Ok(()) => {
            let key = match decision.action {
                Some(Action::Recommend) => "flash.app_recommended",
                Some(Action::Return) => "flash.app_returned",
                Some(Action::Reject) => "flash.app_rejected",
                _ => "flash.saved",
            };
            let to = paths::with_id(paths::ADMIN_APPLICATION, id);
            Ok(redirect_flash(&state, &to, &Msg::new(key).arg("name", &r.app.name)))
        }
        Err(errors) => {
            let d = query::detail(&state.db, &r.app).await?;
            let attempt = ReviewAttempt::Decision(decision, errors);
            render_refused(&review_page(&state.settings, &actor, page, &r, d, attempt, false))
        }
    }
}

async fn dossier(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<ApplicationId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = query::for_review(&state.db, &actor, id).await?;
    let input = DossierInput {
        ticks: ticks(&pairs),
        copies: field(&pairs, "copies"),
        note: field(&pairs, "note"),
        action: match field(&pairs, "action").as_str() {
            "" => None,
            a => Some(Action::parse(a).ok_or_else(|| AppError::BadRequest(Msg::new("error.bad_request")))?),
        },
    };
    match dossiers::record(&state, &actor, &ctx.who(), &r.app, &input).await? {
        Ok(()) => {
            let key = match input.action {
                Some(Action::File) => "flash.app_filed",
                Some(Action::SendBack) => "flash.app_sent_back",
                _ => "flash.saved",
            };
            let to = paths::with_id(paths::ADMIN_APPLICATION, id);
            Ok(redirect_flash(&state, &to, &Msg::new(key).arg("name", &r.app.name)))
        }
        Err(errors) => {
            let d = query::detail(&state.db, &r.app).await?;
            let attempt = ReviewAttempt::Dossier(input, errors);
            render_refused(&review_page(&state.settings, &actor, page, &r, d, attempt, false))
        }
    }
}
