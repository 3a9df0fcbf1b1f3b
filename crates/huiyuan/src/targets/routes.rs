//! The targets pages: a year's targets for every city in the viewer's scope, and one city's
//! target with its history, which the secretariat changes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Ranges, TargetInput, store};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{Conn, OrgId};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new().get(paths::ADMIN_TARGETS, list).get(paths::ADMIN_TARGET, show).post(paths::ADMIN_TARGET, save)
}

/// The first year targets may be looked at: the source document's year.
const FIRST_YEAR: i32 = 2014;

/// Years that have (or may get) targets: from 2014 to next year.
pub(super) fn year_in_range(state: &AppState, year: i32) -> bool {
    (FIRST_YEAR..=state.settings.locale.today().year() + 1).contains(&year)
}

/// The years a page offers: next year first, back to 2014.
pub(super) fn years(state: &AppState) -> Vec<i32> {
    (FIRST_YEAR..=state.settings.locale.today().year() + 1).rev().collect()
}

/// The year asked for (this year when none), 404 when out of range.
pub(super) fn year_of(state: &AppState, q: &YearQuery) -> AppResult<i32> {
    let year = q.year.trim().parse().unwrap_or_else(|_| state.settings.locale.today().year());
    if year_in_range(state, year) { Ok(year) } else { Err(AppError::NotFound) }
}

/// A row of the year's table: the city, its target, and the date of its last change.
pub struct Row {
    pub org_id: OrgId,
    pub city: String,
    pub r: Ranges,
    pub changed: String,
}

#[derive(Template)]
#[template(path = "targets/list.html")]
struct ListPage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    rows: Vec<Row>,
    may_edit: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct YearQuery {
    #[serde(default)]
    pub year: String,
    /// A city's page to go to (the year selector of a city's dashboard).
    #[serde(default)]
    pub city: String,
}

/// The year's targets, written from the settings the first time the year is used.
pub(super) async fn year_targets(state: &AppState, conn: &mut Conn, year: i32) -> AppResult<Vec<super::Target>> {
    let mut targets = store::for_year(conn, year).await?;
    if targets.is_empty() {
        let mut tx = state.db.begin().await?;
        store::ensure_year(&mut tx, &state.settings, year).await?;
        tx.commit().await?;
        targets = store::for_year(conn, year).await?;
    }
    Ok(targets)
}

/// The cities the actor sees: their ids and short names (all for the province's roles).
pub(super) async fn visible_cities(conn: &mut Conn, actor: &Actor) -> AppResult<Vec<(OrgId, String)>> {
    let scope = actor.org_scope();
    Ok(crate::orgs::store::list(conn, &scope, "", true)
        .await?
        .into_iter()
        .filter(|o| o.level == "city")
        .map(|o| (o.id, o.short_name))
        .collect())
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    allow(actor.can_view_targets())?;
    let year = year_of(&state, &q)?;
    let mut conn = state.db.pool().acquire().await?;
    let cities = visible_cities(&mut conn, &actor).await?;
    let targets = year_targets(&state, &mut conn, year).await?;
    drop(conn);
    let rows = targets
        .into_iter()
        .filter_map(|t| {
            let city = cities.iter().find(|(id, _)| *id == t.org_id)?.1.clone();
            Some(Row { org_id: t.org_id, city, changed: page.date(t.updated_at), r: t.ranges })
        })
        .collect();
    Ok(render(&ListPage {
        ctx: page.title("target.title").crumb("menu.targets", paths::ADMIN_TARGETS),
        year,
        years: years(&state),
        rows,
        may_edit: actor.can_edit_targets(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "targets/show.html")]
struct ShowPage {
    ctx: PageCtx,
    year: i32,
    org_id: OrgId,
    city: String,
    r: Ranges,
    may_edit: bool,
    form: TargetInput,
    errors: FieldErrors,
    history: Vec<HistoryRow>,
}

/// (when, who, before, after, reason)
type HistoryRow = (String, String, Option<Ranges>, Option<Ranges>, String);

/// The city's name and its target for `year`, if the actor may see them (the year is
/// seeded on first use); 404 for a year out of range or an org that is not a city, 403 for
/// another city's.
pub(super) async fn city_target(
    state: &AppState,
    conn: &mut Conn,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<(String, super::Target)> {
    allow(actor.can_view_targets())?;
    if !year_in_range(state, year) {
        return Err(AppError::NotFound);
    }
    let cities = visible_cities(conn, actor).await?;
    let Some((_, city)) = cities.into_iter().find(|(id, _)| *id == org) else {
        // Not a city, or another city's: the same answer, so ids reveal nothing.
        return Err(if actor.org_scope() == crate::auth::OrgScope::All {
            AppError::NotFound
        } else {
            AppError::Forbidden
        });
    };
    year_targets(state, conn, year).await?;
    let target = store::find(conn, year, org).await?.ok_or(AppError::NotFound)?;
    Ok((city, target))
}

async fn show_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    (year, org): (i32, OrgId),
    form: Option<(TargetInput, FieldErrors)>,
) -> AppResult<ShowPage> {
    let mut conn = state.db.pool().acquire().await?;
    let (city, target) = city_target(state, &mut conn, actor, (year, org)).await?;
    let history = store::changes(&mut conn, year, org)
        .await?
        .into_iter()
        .map(|c| (page.datetime(c.at), c.actor_name.clone(), c.before(), c.after(), c.reason.clone()))
        .collect();
    drop(conn);
    let (form, errors) = form.unwrap_or_else(|| (TargetInput::of(&target.ranges), FieldErrors::new()));
    Ok(ShowPage {
        ctx: page
            .title_text(format!("{city} {year}"))
            .crumb("menu.targets", paths::ADMIN_TARGETS)
            .crumb_text(format!("{year}"), &format!("{}?year={year}", paths::ADMIN_TARGETS)),
        year,
        org_id: org,
        city,
        r: target.ranges,
        may_edit: actor.can_edit_targets(),
        form,
        errors,
        history,
    })
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
) -> AppResult<Response> {
    Ok(render(&show_page(&state, &actor, page, (year, OrgId(org)), None).await?)?.into_response())
}

async fn save(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
    Form(form): Form<TargetInput>,
) -> AppResult<Response> {
    allow(actor.can_edit_targets())?;
    let org = OrgId(org);
    let (ranges, reason) = match form.check(i64::from(year)) {
        Ok(ok) => ok,
        Err(errors) => {
            return render_refused(&show_page(&state, &actor, page, (year, org), Some((form, errors))).await?);
        }
    };
    let (city, _) = city_target(&state, &mut *state.db.pool().acquire().await?, &actor, (year, org)).await?;
    let mut tx = state.db.begin().await?;
    store::set(&mut tx, &ctx.who(), year, (org, &city), &ranges, &reason).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let to = paths::fill(paths::ADMIN_TARGET, &[&year, &org.0]);
    Ok(redirect_flash(&state, &to, &Msg::new("flash.target_saved").arg("name", &city)))
}
