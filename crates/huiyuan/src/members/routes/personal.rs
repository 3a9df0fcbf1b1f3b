//! A member's own pages: their records with certificates and census tasks, their
//! certificate, their data as a file, a correction request, and their census answer.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::members::census::{self, Correction};
use crate::members::views::personal::{CensusAttempt, MinePage, mine_page};
use crate::members::{certificates, personal, query};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::MemberId;
use crate::web::{CurrentUser, PageCtx, download, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ME_MEMBERSHIP, mine)
        .get(paths::ME_CERTIFICATE, my_certificate)
        .get(paths::ME_DATA, data)
        .post(paths::ME_CORRECTION, correction)
        .post(paths::ME_CENSUS, answer)
}

async fn mine_view(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    attempt: Option<CensusAttempt>,
) -> AppResult<MinePage> {
    let own = query::own_records(&mut *state.db.pool().acquire().await?, &state.settings, actor).await?;
    Ok(mine_page(&state.settings, page, own, attempt))
}

/// The signed-in member's own records, certificates and census tasks.
async fn mine(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser, page: PageCtx) -> AppResult<Response> {
    Ok(render(&mine_view(&state, &actor, page, None).await?)?.into_response())
}

async fn my_certificate(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let (bytes, name) = certificates::own(&state, &actor, &ctx.who(), id).await?;
    Ok(download(bytes, "application/pdf", "inline", &name, "private, no-store"))
}

async fn data(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let (text, name) = personal::export(&state, &actor, &ctx.who(), id).await?;
    Ok(download(text, "application/json; charset=utf-8", "attachment", &name, "private, no-store"))
}

#[derive(Debug, Deserialize, Default)]
struct CorrectionForm {
    #[serde(default)]
    text: String,
}

async fn correction(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<CorrectionForm>,
) -> AppResult<Response> {
    match personal::request_correction(&state, &actor, &ctx.who(), id, &f.text).await? {
        Ok(()) => Ok(redirect_flash(&state, paths::ME_MEMBERSHIP, &Msg::new("flash.correction_sent"))),
        Err(errors) => {
            let mut view = mine_view(&state, &actor, page, None).await?;
            view.correction = Some((id, f.text, errors));
            render_refused(&view)
        }
    }
}

/// The member answers their census task on /me/membership: confirm, or correct and confirm.
async fn answer(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    // Completing a missing ID number is a correction, whichever button was pressed.
    let correcting = get("action") == "correct" || !get("id_number").trim().is_empty();
    let correction = Correction {
        mobile: get("mobile"),
        email: get("email"),
        employer: get("employer"),
        note: String::new(),
        id_number: get("id_number"),
    };
    match census::service::answer(&state, &actor, &ctx.who(), id, correcting.then_some(&correction)).await? {
        Ok(()) => Ok(redirect_flash(&state, paths::ME_MEMBERSHIP, &Msg::new("flash.census_answered"))),
        Err(errors) => render_refused(&mine_view(&state, &actor, page, Some((id, correction, errors))).await?),
    }
}
