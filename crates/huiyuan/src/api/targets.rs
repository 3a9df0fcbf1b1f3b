//! Targets and progress through the API: a year's city targets and a change with its reason,
//! the province's table of the year as the dashboard shows it, one city's year, and the
//! city's progress report (read, hand in, review) — the same queries and services as the
//! pages, with the same scopes (a city's administrator sees their city only).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::dto::ErrorBody;
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::OrgId;
use crate::targets::figures::CityYear;
use crate::targets::{Ranges, TargetInput, query, service};
use crate::web::{CurrentUser, Staff};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_TARGETS, targets)
        .put(paths::API_TARGET, save)
        .get(paths::API_PROGRESS, progress)
        .get(paths::API_PROGRESS_CITY, city)
        .get(paths::API_REPORT, report)
        .post(paths::API_REPORT, hand_in)
        .post(paths::API_REPORT_REVIEW, review)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year (default: this year).
    #[serde(default)]
    pub year: String,
}

/// A city's target for a year.
#[derive(Serialize, ToSchema)]
pub struct TargetOut {
    pub year: i32,
    pub org_id: i64,
    pub city: String,
    /// New group members: [at least, at most].
    pub new_groups: [i64; 2],
    pub new_individuals: [i64; 2],
    /// Individual members within each group member.
    pub per_group: [i64; 2],
    /// YYYY-MM-DD.
    pub report_deadline: String,
}

fn target_out(year: i32, org: OrgId, city: String, r: &Ranges) -> TargetOut {
    TargetOut {
        year,
        org_id: org.0,
        city,
        new_groups: [r.groups_min, r.groups_max],
        new_individuals: [r.individuals_min, r.individuals_max],
        per_group: [r.per_group_min, r.per_group_max],
        report_deadline: r.report_deadline.clone(),
    }
}

/// The year's targets of the cities the caller sees (staff).
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", params(YearQuery),
    responses((status = 200, body = Vec<TargetOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn targets(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<TargetOut>>> {
    let year = query::year_of(&state.settings, &q.year)?;
    let list = query::year_list(&mut *state.db.pool().acquire().await?, &state.settings, &actor, year).await?;
    Ok(Json(list.into_iter().map(|(t, city)| target_out(year, t.org_id, city, &t.ranges)).collect()))
}

/// A change of a city's target, with its reason (the secretariat).
#[derive(Deserialize, ToSchema)]
pub struct TargetChange {
    pub new_groups: [i64; 2],
    pub new_individuals: [i64; 2],
    pub per_group: [i64; 2],
    /// YYYY-MM-DD, within the year.
    pub report_deadline: String,
    /// Why (kept in the target's history).
    pub reason: String,
}

/// Change a city's target for a year (the secretariat): 200 with the target, 422 with field
/// errors (names as the page's form: groups_min, …, reason).
#[utoipa::path(put, path = "/api/v1/targets/{year}/{org}", tag = "targets", params(("year" = i32, Path), ("org" = i64, Path)), request_body = TargetChange,
    responses((status = 200, body = TargetOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn save(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path((year, org)): Path<(i32, OrgId)>,
    ApiJson(body): ApiJson<TargetChange>,
) -> AppResult<Json<TargetOut>> {
    let input = TargetInput {
        groups_min: body.new_groups[0].to_string(),
        groups_max: body.new_groups[1].to_string(),
        individuals_min: body.new_individuals[0].to_string(),
        individuals_max: body.new_individuals[1].to_string(),
        per_group_min: body.per_group[0].to_string(),
        per_group_max: body.per_group[1].to_string(),
        report_deadline: body.report_deadline,
        reason: body.reason,
    };
    service::save_target(&state, &actor, &ctx.who(), (year, org), &input).await?.map_err(AppError::Validation)?;
    let (city, t) =
        query::city_target(&mut *state.db.pool().acquire().await?, &state.settings, &actor, (year, org)).await?;
    Ok(Json(target_out(year, org, city, &t.ranges)))
}

/// One city's year: its target, its figures (new members by month, applications by stage,
/// group members within range, standings) and its report's state.
#[derive(Serialize, ToSchema)]
pub struct CityYearOut {
    pub target: TargetOut,
    #[schema(value_type = Object)]
    pub progress: crate::targets::progress::CityProgress,
    /// submitted, returned, accepted — or none yet.
    pub report_status: Option<String>,
    pub report_late: bool,
    /// Days to the deadline (negative: overdue), while the report is not in.
    pub days_left: Option<i64>,
}

fn city_out(year: i32, c: CityYear, today: time::Date) -> CityYearOut {
    CityYearOut {
        days_left: if c.report_in() { None } else { c.days_left(today) },
        report_status: c.report.as_ref().map(|r| r.status.clone()),
        report_late: c.late(),
        target: target_out(year, c.org_id, c.city, &c.target),
        progress: c.p,
    }
}

/// The province's table of a year: every city the caller sees, as the dashboard shows it.
#[utoipa::path(get, path = "/api/v1/progress", tag = "targets", params(YearQuery),
    responses((status = 200, body = Vec<CityYearOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn progress(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<CityYearOut>>> {
    let year = query::year_of(&state.settings, &q.year)?;
    let f = query::year_figures(&mut *state.db.pool().acquire().await?, &state.settings, &actor, year).await?;
    let today = f.today;
    Ok(Json(f.cities.into_iter().map(|c| city_out(year, c, today)).collect()))
}

/// One city's year (its administrator, or the province).
#[utoipa::path(get, path = "/api/v1/progress/{year}/{org}", tag = "targets", params(("year" = i32, Path), ("org" = i64, Path)),
    responses((status = 200, body = CityYearOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn city(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path((year, org)): Path<(i32, OrgId)>,
) -> AppResult<Json<CityYearOut>> {
    let (c, today) =
        query::city_year(&mut *state.db.pool().acquire().await?, &state.settings, &actor, (year, org)).await?;
    Ok(Json(city_out(year, c, today)))
}

/// A city's progress report: what is handed in (or the live figures while it may still be).
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub year: i32,
    pub org_id: i64,
    pub city: String,
    /// submitted, returned, accepted — or none yet.
    pub status: Option<String>,
    pub narrative: String,
    pub submitted_at: Option<i64>,
    pub late: bool,
    pub review_note: String,
    /// The figures as frozen when handed in (live ones while it may still be handed in).
    #[schema(value_type = Object)]
    pub figures: crate::targets::report::Frozen,
    pub may_submit: bool,
    pub may_review: bool,
    pub version: Option<i64>,
}

async fn report_out(state: &AppState, actor: &crate::auth::Actor, (year, org): (i32, OrgId)) -> AppResult<ReportOut> {
    let v = query::report_view(&mut *state.db.pool().acquire().await?, &state.settings, actor, (year, org)).await?;
    Ok(ReportOut {
        year,
        org_id: org.0,
        status: v.report.as_ref().map(|r| r.status.clone()),
        narrative: v.report.as_ref().map(|r| r.narrative.clone()).unwrap_or_default(),
        submitted_at: v.report.as_ref().map(|r| r.submitted_at),
        late: v.report.as_ref().is_some_and(|r| r.late.0),
        review_note: v.report.as_ref().map(|r| r.review_note.clone()).unwrap_or_default(),
        version: v.report.as_ref().map(|r| r.version),
        figures: v.frozen,
        may_submit: v.may_submit,
        may_review: v.may_review,
        city: v.city,
    })
}

/// A city's progress report (its administrator, or the province).
#[utoipa::path(get, path = "/api/v1/progress/{year}/{org}/report", tag = "targets", params(("year" = i32, Path), ("org" = i64, Path)),
    responses((status = 200, body = ReportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn report(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(key): Path<(i32, OrgId)>,
) -> AppResult<Json<ReportOut>> {
    Ok(Json(report_out(&state, &actor, key).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct HandIn {
    pub narrative: String,
}

/// The city's administrator hands in the year's report (files are handed in on the page):
/// the figures of this moment are frozen with it; handing in again is allowed while it is
/// returned (else 422 naming `report`).
#[utoipa::path(post, path = "/api/v1/progress/{year}/{org}/report", tag = "targets", params(("year" = i32, Path), ("org" = i64, Path)), request_body = HandIn,
    responses((status = 200, body = ReportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn hand_in(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(key): Path<(i32, OrgId)>,
    ApiJson(body): ApiJson<HandIn>,
) -> AppResult<Json<ReportOut>> {
    service::submit_report(&state, &actor, &ctx.who(), key, (&body.narrative, &[]), ctx.lang)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(report_out(&state, &actor, key).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    /// accept or return.
    pub decision: String,
    /// Required to return.
    #[serde(default)]
    pub note: String,
    /// The report's version the reviewer read (a newer one is not decided on unread).
    pub version: i64,
}

/// The secretariat accepts a report handed in, or returns it with a note (422 naming
/// `report` when there is none waiting, or a newer version than the one read).
#[utoipa::path(post, path = "/api/v1/progress/{year}/{org}/report/review", tag = "targets", params(("year" = i32, Path), ("org" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = ReportOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn review(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(key): Path<(i32, OrgId)>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> AppResult<Json<ReportOut>> {
    let seen = body.version.to_string();
    service::review_report(&state, &actor, &ctx.who(), key, (&body.decision, &body.note, &seen))
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(report_out(&state, &actor, key).await?))
}
