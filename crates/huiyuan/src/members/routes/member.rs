//! A member's page and what staff do there: read the full ID number once, change the
//! status or category (the secretariat), reissue the certificate, propose a change (a
//! city) and decide a proposal (the secretariat).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::members::proposals::{self, ProposalInput};
use crate::members::query::{self, Visible};
use crate::members::service::{self, Change};
use crate::members::views::registry::{Attempt, ShowPage, member_page};
use crate::members::{certificates, store::Member};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::MemberId;
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_MEMBER, show)
        .post(paths::ADMIN_MEMBER_STATUS, change_status)
        .post(paths::ADMIN_MEMBER_CATEGORY, change_category)
        .post(paths::ADMIN_MEMBER_ID_NUMBER, reveal_id)
        .post(paths::ADMIN_MEMBER_REISSUE, reissue)
        .post(paths::ADMIN_MEMBER_PROPOSALS, propose)
        .post(paths::ADMIN_MEMBER_PROPOSAL, decide)
}

/// The member's page for this viewer.
async fn page_of(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    v: Visible,
    revealed: bool,
    a: Attempt,
) -> AppResult<ShowPage> {
    let detail = query::detail(&mut *state.db.pool().acquire().await?, actor, &v).await?;
    let bookings = crate::services::studio::query::for_member(state, &v).await?;
    let services = bookings
        .into_iter()
        .map(|l| {
            let b = l.booking;
            let status = b.status();
            let when = crate::services::studio::service::slot_label(state, b.starts_at, b.ends_at);
            let purpose = page.lang.setting(&state.settings, &b.purpose).to_string();
            (
                format!("{} · {}", page.t("studio.title"), l.resource),
                when,
                page.t(status.label_key()),
                status.tag(),
                purpose,
            )
        })
        .collect();
    let mut view = member_page(&state.settings, actor, page, v, detail, revealed, a);
    view.services = services;
    Ok(view)
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let v = query::visible(&state.db, &actor, id).await?;
    Ok(render(&page_of(&state, &actor, page, v, false, Attempt::default()).await?)?.into_response())
}

/// Show the full ID number once, logging that it was read.
async fn reveal_id(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let v = query::visible(&state.db, &actor, id).await?;
    service::reveal_id_number(&state, &actor, &ctx.who(), &v).await?;
    let mut resp = render(&page_of(&state, &actor, page, v, true, Attempt::default()).await?)?.into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

async fn change_status(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    change(&state, &actor, &ctx.who(), page, id, f, Change::Status).await
}

async fn change_category(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    change(&state, &actor, &ctx.who(), page, id, f, Change::Category).await
}

fn flash_member(state: &AppState, m: &Member, key: &'static str) -> Response {
    redirect_flash(state, &paths::with_id(paths::ADMIN_MEMBER, m.id), &Msg::new(key).arg("name", &m.name))
}

/// The secretariat's direct change; a refused one re-shows the page with what was typed.
async fn change(
    state: &AppState,
    actor: &Actor,
    who: &crate::audit::Who,
    page: PageCtx,
    id: MemberId,
    f: ChangeForm,
    what: Change,
) -> AppResult<Response> {
    let v = query::visible(&state.db, actor, id).await?;
    match service::change(state, actor, who, &v, what, &f.value, &f.reason).await? {
        Ok(()) => Ok(flash_member(
            state,
            &v.member,
            match what {
                Change::Status => "flash.member_status",
                Change::Category => "flash.member_category",
            },
        )),
        Err(errors) => {
            let attempt = Attempt { form: what.as_str(), value: f.value, reason: f.reason, errors };
            render_refused(&page_of(state, actor, page, v, false, attempt).await?)
        }
    }
}

async fn reissue(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let v = query::visible(&state.db, &actor, id).await?;
    match certificates::reissue(&state, &actor, &ctx.who(), &v, &f.reason).await? {
        Ok(cert) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_MEMBER, id),
            &Msg::new("flash.certificate_reissued").arg("name", &cert.serial),
        )),
        Err(errors) => {
            let attempt = Attempt { form: "reissue", value: String::new(), reason: f.reason, errors };
            render_refused(&page_of(&state, &actor, page, v, false, attempt).await?)
        }
    }
}

async fn propose(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ProposalInput>,
) -> AppResult<Response> {
    let v = query::visible(&state.db, &actor, id).await?;
    match proposals::propose(&state, &actor, &ctx.who(), &v, &f).await? {
        Ok(()) => Ok(flash_member(&state, &v.member, "flash.proposal_sent")),
        Err(errors) => {
            let attempt = Attempt { form: "propose", value: f.value, reason: f.reason, errors };
            render_refused(&page_of(&state, &actor, page, v, false, attempt).await?)
        }
    }
}

#[derive(Debug, Deserialize, Default)]
struct DecideForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, pid)): Path<(MemberId, i64)>,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    let (m, accept) = proposals::decide(&state, &actor, &ctx.who(), (id, pid), &f.action, &f.note).await?;
    Ok(flash_member(&state, &m, if accept { "flash.proposal_accepted" } else { "flash.proposal_declined" }))
}
