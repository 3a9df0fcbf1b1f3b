//! Reads of targets and progress with the reader's scope, for the pages, the downloads and
//! (later) the API alike: the years on offer, the cities the actor sees, a year's targets, a
//! city's target with its history, a year's figures for the cities in scope, a city's
//! dashboard, and its progress report. Nothing here writes: a year's targets are written
//! when huiyuan starts and as each new year comes (`service::ensure_years`); a year read
//! before that shows the settings' targets, the ones it will be given.

use std::collections::HashMap;

use super::figures::{CityYear, ShortGroup, YearFigures};
use super::progress::{self, CityProgress};
use super::report::{self, Event, Frozen, Report, ReportStatus};
use super::{Target, store};
use crate::applications::store::{QueueFilter, QueueRow};
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::files::StoredFile;
use crate::storage::{Conn, OrgId};

/// The first year targets may be looked at: the source document's year.
pub const FIRST_YEAR: i32 = 2014;

/// Years that have (or may get) targets: from 2014 to next year.
pub fn year_in_range(settings: &Settings, year: i32) -> bool {
    (FIRST_YEAR..=settings.locale.today().year() + 1).contains(&year)
}

/// The years a page offers: next year first, back to 2014.
pub fn years(settings: &Settings) -> Vec<i32> {
    (FIRST_YEAR..=settings.locale.today().year() + 1).rev().collect()
}

/// The year asked for (this year when none), 404 when out of range.
pub fn year_of(settings: &Settings, year: &str) -> AppResult<i32> {
    let year = year.trim().parse().unwrap_or_else(|_| settings.locale.today().year());
    if year_in_range(settings, year) { Ok(year) } else { Err(AppError::NotFound) }
}

/// The cities the actor sees: their ids and short names (all for the province's roles).
pub async fn visible_cities(conn: &mut Conn, actor: &Actor) -> AppResult<Vec<(OrgId, String)>> {
    let scope = actor.org_scope();
    Ok(crate::orgs::store::list(conn, &scope, "", true)
        .await?
        .into_iter()
        .filter(|o| o.level == "city")
        .map(|o| (o.id, o.short_name))
        .collect())
}

/// Where the progress pages start for this request: a city's page (the city page's year
/// selector names the city; a city's administrator always starts from their own) or the
/// province's, for the year asked (this year when none). 404 for a year out of range, 403
/// for anyone who sees neither.
pub enum Start {
    City(i32, OrgId),
    Province(i32),
}

pub async fn progress_start(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, city): (&str, &str),
) -> AppResult<Start> {
    if !actor.can_view_targets() {
        return Err(AppError::Forbidden);
    }
    let year = year_of(settings, year)?;
    if let Ok(city) = city.parse::<i64>() {
        // That city's page of the year, which checks scope.
        return Ok(Start::City(year, OrgId(city)));
    }
    if actor.sees_everything() {
        return Ok(Start::Province(year));
    }
    match visible_cities(conn, actor).await?.as_slice() {
        [(org, _)] => Ok(Start::City(year, *org)),
        _ => Err(AppError::Forbidden),
    }
}

/// The year's targets of every city, in the cities' order: as written, or (for a year not
/// written yet) the settings' targets.
pub async fn year_targets(conn: &mut Conn, settings: &Settings, year: i32) -> AppResult<Vec<Target>> {
    let targets = store::for_year(conn, year).await?;
    if !targets.is_empty() {
        return Ok(targets);
    }
    Ok(store::from_settings(conn, settings, year).await?)
}

/// The cities' targets of a year, for staff, each with the city's name.
pub async fn year_list(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    year: i32,
) -> AppResult<Vec<(Target, String)>> {
    if !actor.can_view_targets() {
        return Err(AppError::Forbidden);
    }
    let mut names: HashMap<OrgId, String> = visible_cities(conn, actor).await?.into_iter().collect();
    Ok(year_targets(conn, settings, year)
        .await?
        .into_iter()
        .filter_map(|t| {
            let name = names.remove(&t.org_id)?;
            Some((t, name))
        })
        .collect())
}

/// The city's name and its target for `year`, if the actor may see them: 404 for a year out
/// of range or an org that is not a city, 403 for another city's.
pub async fn city_target(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<(String, Target)> {
    if !actor.can_view_targets() {
        return Err(AppError::Forbidden);
    }
    if !year_in_range(settings, year) {
        return Err(AppError::NotFound);
    }
    let cities = visible_cities(conn, actor).await?;
    let Some((_, city)) = cities.into_iter().find(|(id, _)| *id == org) else {
        // Not a city, or another city's: the same answer, so ids reveal nothing.
        return Err(if actor.sees_everything() { AppError::NotFound } else { AppError::Forbidden });
    };
    let target = year_targets(conn, settings, year).await?.into_iter().find(|t| t.org_id == org);
    Ok((city, target.ok_or(AppError::NotFound)?))
}

/// A city's target with its history: (city, target, changes).
pub async fn target_history(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<(String, Target, Vec<store::Change>)> {
    let (city, target) = city_target(conn, settings, actor, (year, org)).await?;
    let changes = store::changes(conn, year, org).await?;
    Ok((city, target, changes))
}

/// The year's figures for the cities the actor sees.
pub async fn year_figures(conn: &mut Conn, settings: &Settings, actor: &Actor, year: i32) -> AppResult<YearFigures> {
    let cities = year_list(conn, settings, actor, year).await?;
    figures_of(conn, settings, year, cities).await
}

/// The year's figures of these cities (each with its target and name).
async fn figures_of(
    conn: &mut Conn,
    settings: &Settings,
    year: i32,
    cities: Vec<(Target, String)>,
) -> AppResult<YearFigures> {
    let targets: Vec<Target> = cities.iter().map(|(t, _)| t.clone()).collect();
    let offset = settings.locale.utc_offset();
    let figures = progress::for_year(conn, year, offset, &targets).await?;
    let orgs: Vec<OrgId> = targets.iter().map(|t| t.org_id).collect();
    let mut last = progress::enrolments(conn, year - 1, offset, &orgs).await?;
    let mut reports: HashMap<OrgId, Report> =
        report::for_year(conn, year).await?.into_iter().map(|r| (r.org_id, r)).collect();
    let cities = cities
        .into_iter()
        .zip(figures)
        .map(|((t, city), p)| CityYear {
            org_id: t.org_id,
            city,
            deadline: t.ranges.deadline(),
            target: t.ranges,
            last: last.remove(&t.org_id).unwrap_or_default(),
            report: reports.remove(&t.org_id),
            p,
        })
        .collect();
    Ok(YearFigures { year, today: settings.locale.today(), cities })
}

/// The city's active group members with fewer active individual members than `min`, the
/// furthest from it first (at most `limit`), and how many there are.
pub async fn short_groups(
    conn: &mut Conn,
    org: OrgId,
    min: i64,
    limit: i64,
) -> Result<(Vec<ShortGroup>, i64), sqlx::Error> {
    let rows = sqlx::query_as(
        "SELECT id, number, name, active_individuals FROM member
         WHERE org_id = $1 AND kind = 'group' AND status = 'active' AND active_individuals < $2
         ORDER BY active_individuals, number LIMIT $3",
    )
    .bind(org)
    .bind(min)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM member
         WHERE org_id = $1 AND kind = 'group' AND status = 'active' AND active_individuals < $2",
    )
    .bind(org)
    .bind(min)
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows, total))
}

/// How many short groups a city's page lists (the workbook has them all).
const SHORT_SHOWN: i64 = 50;

/// What the city must act on: submitted, sent back by the province, recommended and not
/// yet forwarded.
pub const WAITING_ON_CITY: &str = "submitted,sent_back,recommended";

/// How many waiting applications the city's page lists (the queue has them all).
const WAITING_SHOWN: i64 = 20;

/// A city's dashboard: its year, the group members short of individual members and the
/// applications waiting on the city (the first of each, with how many there are).
pub struct CityDashboard {
    pub c: CityYear,
    pub today: time::Date,
    pub short: (Vec<ShortGroup>, i64),
    pub waiting: (Vec<QueueRow>, i64),
}

/// One city's year — its target, figures and report — and today, without the dashboard's
/// lists (the workbench's line).
pub async fn city_year(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<(CityYear, time::Date)> {
    let (name, target) = city_target(conn, settings, actor, (year, org)).await?;
    let figures = figures_of(conn, settings, year, vec![(target, name)]).await?;
    let today = figures.today;
    Ok((figures.cities.into_iter().next().ok_or(AppError::NotFound)?, today))
}

pub async fn city_dashboard(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<CityDashboard> {
    let (c, today) = city_year(conn, settings, actor, (year, org)).await?;
    let short = short_groups(conn, org, c.target.per_group_min, SHORT_SHOWN).await?;
    let filter = QueueFilter {
        statuses: WAITING_ON_CITY.split(',').filter_map(crate::applications::state::Status::parse).collect(),
        org: Some(org),
        ..Default::default()
    };
    let waiting = crate::applications::store::queue(conn, &actor.org_scope(), &filter, 0, WAITING_SHOWN).await?;
    Ok(CityDashboard { c, today, short, waiting })
}

/// The year's figures with every city's short group members, for the workbook (`all_short`)
/// or the PDF summary.
pub async fn year_download(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    year: i32,
    all_short: bool,
) -> AppResult<(YearFigures, Vec<Vec<ShortGroup>>)> {
    let figures = year_figures(conn, settings, actor, year).await?;
    let mut short = Vec::with_capacity(figures.cities.len());
    if all_short {
        for c in &figures.cities {
            short.push(short_groups(conn, c.org_id, c.target.per_group_min, i64::MAX).await?.0);
        }
    }
    Ok((figures, short))
}

/// The city's name and target, for its own administrator handing in its report (403 for
/// anyone else, before what they send is read).
pub async fn reporter(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<(String, Target)> {
    let found = city_target(conn, settings, actor, (year, org)).await?;
    if !actor.can_report_for(org) {
        return Err(AppError::Forbidden);
    }
    Ok(found)
}

/// The city's figures as they stand now, as a report would freeze them.
pub async fn live(conn: &mut Conn, settings: &Settings, target: &Target) -> AppResult<Frozen> {
    let offset = settings.locale.utc_offset();
    let year = i32::try_from(target.year).unwrap_or_default();
    let mut all = progress::for_year(conn, year, offset, std::slice::from_ref(target)).await?;
    let progress: CityProgress = all.pop().ok_or(AppError::NotFound)?;
    Ok(Frozen { target: target.ranges.clone(), progress })
}

/// The deadline of the target has passed.
pub fn deadline_passed(settings: &Settings, target: &Target) -> bool {
    target.ranges.deadline().is_some_and(|d| settings.locale.today() > d)
}

/// A city's progress report as its page shows it.
pub struct ReportView {
    pub city: String,
    pub target: Target,
    pub report: Option<Report>,
    /// The figures shown: frozen in the report, or (before it is in) as they stand; with
    /// when they were frozen.
    pub frozen: Frozen,
    pub frozen_at: Option<i64>,
    pub files: Vec<StoredFile>,
    pub events: Vec<Event>,
    /// The city may hand the report in (again) now.
    pub may_submit: bool,
    /// The secretariat may accept or return it now.
    pub may_review: bool,
}

pub async fn report_view(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
) -> AppResult<ReportView> {
    let (city, target) = city_target(conn, settings, actor, (year, org)).await?;
    let report = report::find(conn, year, org).await?;
    let status = report.as_ref().map(Report::status);
    let may_submit = actor.can_report_for(org)
        && matches!(status, None | Some(ReportStatus::Returned))
        && year <= settings.locale.today().year();
    let frozen_report = report.as_ref().filter(|_| !may_submit).and_then(Report::frozen);
    let (frozen, frozen_at) = match frozen_report {
        Some(f) => (f, report.as_ref().map(|r| r.submitted_at)),
        None => (live(conn, settings, &target).await?, None),
    };
    let (files, events) = match &report {
        Some(r) => (report::files(conn, r.id).await?, report::events(conn, r.id).await?),
        None => (Vec::new(), Vec::new()),
    };
    Ok(ReportView {
        city,
        may_review: actor.can_review_reports() && status == Some(ReportStatus::Submitted),
        target,
        report,
        frozen,
        frozen_at,
        files,
        events,
        may_submit,
    })
}

/// A file handed in with a city's report, for those who see the city.
pub async fn report_file(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    (year, org): (i32, OrgId),
    file: crate::storage::FileId,
) -> AppResult<StoredFile> {
    city_target(conn, settings, actor, (year, org)).await?;
    let report = report::find(conn, year, org).await?.ok_or(AppError::NotFound)?;
    report::files(conn, report.id).await?.into_iter().find(|f| f.id == file).ok_or(AppError::NotFound)
}
