//! A year's targets for every city in the viewer's scope, and one city's target with its
//! history, which the secretariat changes.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use super::YearQuery;
use crate::auth::Actor;
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::OrgId;
use crate::targets::views::{ShowPage, list_page, show_page};
use crate::targets::{TargetInput, query, service};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new().get(paths::ADMIN_TARGETS, list).get(paths::ADMIN_TARGET, show).post(paths::ADMIN_TARGET, save)
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = query::year_of(&state.settings, &q.year)?;
    let targets = query::year_list(&mut *state.db.pool().acquire().await?, &state.settings, &actor, year).await?;
    let years = query::years(&state.settings);
    Ok(render(&list_page(page, (year, years), targets, actor.can_edit_targets()))?.into_response())
}

async fn view(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    (year, org): (i32, OrgId),
    form: Option<(TargetInput, FieldErrors)>,
) -> AppResult<ShowPage> {
    let mut conn = state.db.pool().acquire().await?;
    let history = query::target_history(&mut conn, &state.settings, actor, (year, org)).await?;
    Ok(show_page(page, year, history, actor.can_edit_targets(), form))
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
) -> AppResult<Response> {
    Ok(render(&view(&state, &actor, page, (year, OrgId(org)), None).await?)?.into_response())
}

async fn save(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
    Form(form): Form<TargetInput>,
) -> AppResult<Response> {
    let org = OrgId(org);
    match service::save_target(&state, &actor, &ctx.who(), (year, org), &form).await? {
        Ok(city) => {
            let to = paths::fill(paths::ADMIN_TARGET, &[&year, &org.0]);
            Ok(redirect_flash(&state, &to, &Msg::new("flash.target_saved").arg("name", &city)))
        }
        Err(errors) => render_refused(&view(&state, &actor, page, (year, org), Some((form, errors))).await?),
    }
}
