//! The development dashboards (发展情况): for the province, one row per city for a year —
//! new members against the target, open applications by stage, group members within the
//! per-group range, the progress report and the days to its deadline — with totals and
//! charts; for a city, the same for itself, plus the group members that still lack
//! individual members and the applications waiting on the city.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use time::Date;

use super::chart::{self, Bar};
use super::progress::{self, CityProgress, Months, Pipeline};
use super::report::{self, Report, ReportStatus};
use super::routes::{YearQuery, city_target, visible_cities, year_of, year_targets, years};
use super::{Ranges, Standing};
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{Conn, MemberId, OrgId};
use crate::web::{PageCtx, Staff, allow, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_PROGRESS, province)
        .get(paths::ADMIN_PROGRESS_CITY, city)
        .get(paths::ADMIN_PROGRESS_XLSX, |st, staff, page, q| download(st, staff, page, q, false))
        .get(paths::ADMIN_PROGRESS_PDF, |st, staff, page, q| download(st, staff, page, q, true))
}

/// One city's year: its target, its figures, last year's new members, its report.
pub struct CityYear {
    pub org_id: OrgId,
    pub city: String,
    pub target: Ranges,
    pub p: CityProgress,
    pub last: Months,
    pub report: Option<Report>,
    pub deadline: Option<Date>,
}

impl CityYear {
    /// The report as the dashboard shows it: (label key, tag class).
    pub fn report_state(&self, today: Date) -> (&'static str, &'static str) {
        match &self.report {
            Some(r) => (r.status().label_key(), r.status().tag()),
            None if self.overdue(today) => ("report.status_overdue", "tag-red"),
            None => ("report.status_missing", "tag-grey"),
        }
    }

    /// The report is in (waiting for the secretariat, or accepted).
    pub fn report_in(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.status() != ReportStatus::Returned)
    }

    pub fn late(&self) -> bool {
        self.report.as_ref().is_some_and(Report::is_late)
    }

    fn overdue(&self, today: Date) -> bool {
        self.deadline.is_some_and(|d| today > d)
    }

    /// Days left until the deadline (negative once it has passed), while the report is not in.
    pub fn days_left(&self, today: Date) -> Option<i64> {
        if self.report_in() {
            return None;
        }
        self.deadline.map(|d| (d - today).whole_days())
    }
}

/// A year for the cities the actor sees.
pub struct YearFigures {
    pub year: i32,
    pub today: Date,
    pub cities: Vec<CityYear>,
}

impl YearFigures {
    pub fn months(&self) -> Months {
        Months::sum(self.cities.iter().map(|c| &c.p.months))
    }

    pub fn last_months(&self) -> Months {
        Months::sum(self.cities.iter().map(|c| &c.last))
    }
}

/// The year's figures for the cities the actor sees.
pub async fn year_figures(state: &AppState, conn: &mut Conn, actor: &Actor, year: i32) -> AppResult<YearFigures> {
    let mut names: HashMap<OrgId, String> = visible_cities(conn, actor).await?.into_iter().collect();
    let cities: Vec<(super::Target, String)> = year_targets(state, conn, year)
        .await?
        .into_iter()
        .filter_map(|t| {
            let name = names.remove(&t.org_id)?;
            Some((t, name))
        })
        .collect();
    figures_of(state, conn, year, cities).await
}

/// The year's figures of these cities (each with its target and name).
async fn figures_of(
    state: &AppState,
    conn: &mut Conn,
    year: i32,
    cities: Vec<(super::Target, String)>,
) -> AppResult<YearFigures> {
    let targets: Vec<super::Target> = cities.iter().map(|(t, _)| t.clone()).collect();
    let offset = state.settings.locale.utc_offset();
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
    Ok(YearFigures { year, today: state.settings.locale.today(), cities })
}

/// The twelve month names and the monthly chart's legend.
fn month_labels(page: &PageCtx, year: i32) -> [String; 15] {
    std::array::from_fn(|i| match i {
        0..12 => page.t1("dash.month", "m", i + 1),
        12 => page.t("dash.legend_individuals").to_string(),
        13 => page.t("dash.legend_groups").to_string(),
        _ => page.t1("dash.legend_last_year", "year", year - 1),
    })
}

fn progress_chart(page: &PageCtx, title: &'static str, bars: &[Bar]) -> String {
    chart::progress(page.t(title), [page.t("dash.legend_target"), page.t("dash.legend_count")], bars)
}

fn monthly_chart(page: &PageCtx, year: i32, now: &Months, last: &Months, shape: chart::Shape) -> String {
    let last = last.both();
    let data = chart::Monthly { individuals: &now.individuals, groups: &now.groups, last: &last };
    chart::monthly(&page.t1("dash.monthly_title", "year", year), &month_labels(page, year), &data, shape)
}

/// One bar per city: `pick` gives (count, min, max, standing).
fn city_bars(cities: &[CityYear], pick: fn(&CityYear) -> (i64, i64, i64, Standing)) -> Vec<Bar<'_>> {
    cities
        .iter()
        .map(|c| {
            let (count, min, max, standing) = pick(c);
            Bar { label: &c.city, count, min, max, standing }
        })
        .collect()
}

/// A row of the province's table, with everything the template shows precomputed.
pub struct Row {
    pub c: CityYear,
    pub report_key: &'static str,
    pub report_tag: &'static str,
    pub days: Option<i64>,
}

/// The province's totals.
#[derive(Default)]
pub struct Totals {
    pub new_groups: i64,
    pub new_individuals: i64,
    pub last_groups: i64,
    pub last_individuals: i64,
    pub groups_min: i64,
    pub groups_max: i64,
    pub individuals_min: i64,
    pub individuals_max: i64,
    pub pipeline: Pipeline,
    pub groups: i64,
    pub groups_in_range: i64,
    pub reports_in: usize,
    pub cities_within: usize,
}

impl Totals {
    pub fn of(cities: &[CityYear]) -> Totals {
        let mut t = Totals::default();
        for c in cities {
            t.new_groups += c.p.new_groups;
            t.new_individuals += c.p.new_individuals;
            t.last_groups += c.last.groups_total();
            t.last_individuals += c.last.individuals_total();
            t.groups_min += c.target.groups_min;
            t.groups_max += c.target.groups_max;
            t.individuals_min += c.target.individuals_min;
            t.individuals_max += c.target.individuals_max;
            let p = &c.p.pipeline;
            t.pipeline.submitted += p.submitted;
            t.pipeline.returned += p.returned;
            t.pipeline.recommended += p.recommended;
            t.pipeline.forwarded += p.forwarded;
            t.pipeline.on_agenda += p.on_agenda;
            t.groups += c.p.groups;
            t.groups_in_range += c.p.groups_in_range;
            t.reports_in += usize::from(c.report_in());
            t.cities_within +=
                usize::from(c.p.groups_standing != Standing::Below && c.p.individuals_standing != Standing::Below);
        }
        t
    }
}

/// The standing's label and tag.
pub fn standing(s: Standing) -> (&'static str, &'static str) {
    match s {
        Standing::Below => ("dash.below", "tag-orange"),
        Standing::Within => ("dash.within", "tag-green"),
        Standing::Above => ("dash.above", "tag-blue"),
    }
}

/// The stages of the pipeline: (label key, statuses as the queue's filter, count).
pub fn stages(p: &Pipeline) -> [(&'static str, &'static str, i64); 5] {
    [
        ("dash.stage_submitted", "submitted", p.submitted),
        ("dash.stage_returned", "returned,sent_back", p.returned),
        ("dash.stage_recommended", "recommended", p.recommended),
        ("dash.stage_forwarded", "forwarded,ready", p.forwarded),
        ("dash.stage_on_agenda", "on_agenda", p.on_agenda),
    ]
}

#[derive(Template)]
#[template(path = "targets/dashboard.html")]
struct ProvincePage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    rows: Vec<Row>,
    totals: Totals,
    next_deadline: Option<(String, i64)>,
    groups_chart: String,
    individuals_chart: String,
    monthly_chart: String,
}

/// What the dashboards' and the report's templates call.
pub(super) trait Cells {
    fn standing(&self, s: &Standing) -> (&'static str, &'static str) {
        standing(*s)
    }

    fn stages(&self, p: &Pipeline) -> [(&'static str, &'static str, i64); 5] {
        stages(p)
    }
}

impl Cells for ProvincePage {}
impl Cells for CityPage {}

/// The province's dashboard; a city's administrator is taken to their city's.
async fn province(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    allow(actor.can_view_targets())?;
    let year = year_of(&state, &q)?;
    if let Ok(city) = q.city.parse::<i64>() {
        // The city page's year selector: that city's page of the chosen year (which checks scope).
        return Ok(Redirect::to(&paths::fill(paths::ADMIN_PROGRESS_CITY, &[&year, &city])).into_response());
    }
    let mut conn = state.db.pool().acquire().await?;
    if actor.org_scope() != OrgScope::All {
        let cities = visible_cities(&mut conn, &actor).await?;
        return match cities.as_slice() {
            [(org, _)] => Ok(Redirect::to(&paths::fill(paths::ADMIN_PROGRESS_CITY, &[&year, &org.0])).into_response()),
            _ => Err(AppError::Forbidden),
        };
    }
    let figures = year_figures(&state, &mut conn, &actor, year).await?;
    drop(conn);
    let today = figures.today;
    let groups_chart = progress_chart(
        &page,
        "dash.groups_chart",
        &city_bars(&figures.cities, |c| {
            (c.p.new_groups, c.target.groups_min, c.target.groups_max, c.p.groups_standing)
        }),
    );
    let individuals_chart = progress_chart(
        &page,
        "dash.individuals_chart",
        &city_bars(&figures.cities, |c| {
            (c.p.new_individuals, c.target.individuals_min, c.target.individuals_max, c.p.individuals_standing)
        }),
    );
    let (months, last_months) = (figures.months(), figures.last_months());
    // Drawn twice: a whole row on a wide screen, the width of a phone on a phone.
    let monthly_chart = [chart::Shape::Wide, chart::Shape::Narrow]
        .map(|shape| monthly_chart(&page, year, &months, &last_months, shape))
        .concat();
    let totals = Totals::of(&figures.cities);
    // The nearest deadline among the cities whose report is not in.
    let next_deadline = figures
        .cities
        .iter()
        .filter(|c| !c.report_in())
        .filter_map(|c| Some((c.deadline?, c.days_left(today)?)))
        .min_by_key(|(d, _)| *d)
        .map(|(d, days)| (d.to_string(), days));
    let rows = figures
        .cities
        .into_iter()
        .map(|c| {
            let (report_key, report_tag) = c.report_state(today);
            Row { days: c.days_left(today), report_key, report_tag, c }
        })
        .collect();
    Ok(render(&ProvincePage {
        ctx: page.title("dash.progress_title").crumb("menu.targets", paths::ADMIN_PROGRESS),
        year,
        years: years(&state),
        rows,
        totals,
        next_deadline,
        groups_chart,
        individuals_chart,
        monthly_chart,
    })?
    .into_response())
}

/// A group member short of individual members: (id, number, name, active individuals).
pub type ShortGroup = (MemberId, String, String, i64);

/// The city's active group members with fewer active individual members than `min`, the
/// furthest from it first (at most `limit`), and how many there are.
async fn short_groups(
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

#[derive(Template)]
#[template(path = "targets/city.html")]
struct CityPage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    c: CityYear,
    report_key: &'static str,
    report_tag: &'static str,
    days: Option<i64>,
    groups_tag: (&'static str, &'static str),
    individuals_tag: (&'static str, &'static str),
    chart: String,
    monthly_chart: String,
    short: Vec<ShortGroup>,
    short_total: i64,
    /// (application id, name, kind label, status label, tag, submitted at)
    waiting: Vec<(i64, String, &'static str, &'static str, &'static str, String)>,
    waiting_total: i64,
}

async fn city(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path((year, org)): Path<(i32, i64)>,
) -> AppResult<Response> {
    let org = OrgId(org);
    let mut conn = state.db.pool().acquire().await?;
    let (name, target) = city_target(&state, &mut conn, &actor, (year, org)).await?;
    let per_group_min = target.ranges.per_group_min;
    let figures = figures_of(&state, &mut conn, year, vec![(target, name)]).await?;
    let today = figures.today;
    let c = figures.cities.into_iter().next().ok_or(AppError::NotFound)?;
    let (short, short_total) = short_groups(&mut conn, org, per_group_min, SHORT_SHOWN).await?;
    let filter = crate::applications::store::QueueFilter {
        statuses: WAITING_ON_CITY.split(',').filter_map(crate::applications::state::Status::parse).collect(),
        org: Some(org),
        ..Default::default()
    };
    let (rows, waiting_total) =
        crate::applications::store::queue(&mut conn, &actor.org_scope(), &filter, 0, WAITING_SHOWN).await?;
    drop(conn);
    let waiting = rows
        .into_iter()
        .map(|r| {
            let kind = crate::applications::model::Kind::parse(&r.kind).map(|k| page.t(k.label_key())).unwrap_or("");
            let status = crate::applications::state::Status::parse(&r.status)
                .unwrap_or(crate::applications::state::Status::Submitted);
            (r.id.0, r.name, kind, page.t(status.label_key()), status.tag(), page.opt_datetime(&r.submitted_at))
        })
        .collect();
    let bars = [
        Bar {
            label: page.t("dash.kind_groups"),
            count: c.p.new_groups,
            min: c.target.groups_min,
            max: c.target.groups_max,
            standing: c.p.groups_standing,
        },
        Bar {
            label: page.t("dash.kind_individuals"),
            count: c.p.new_individuals,
            min: c.target.individuals_min,
            max: c.target.individuals_max,
            standing: c.p.individuals_standing,
        },
    ];
    let chart = progress_chart(&page, "dash.city_chart", &bars);
    let monthly_chart = monthly_chart(&page, year, &c.p.months, &c.last, chart::Shape::Narrow);
    let (report_key, report_tag) = c.report_state(today);
    let is_province = actor.org_scope() == OrgScope::All;
    let mut ctx = page.title_text(format!("{} {year}", c.city));
    ctx = if is_province {
        ctx.crumb("dash.progress_title", &format!("{}?year={year}", paths::ADMIN_PROGRESS))
    } else {
        ctx.crumb("menu.targets", paths::ADMIN_PROGRESS)
    };
    Ok(render(&CityPage {
        ctx,
        year,
        years: years(&state),
        report_key,
        report_tag,
        days: c.days_left(today),
        groups_tag: standing(c.p.groups_standing),
        individuals_tag: standing(c.p.individuals_standing),
        chart,
        monthly_chart,
        short,
        short_total,
        waiting,
        waiting_total,
        c,
    })?
    .into_response())
}

/// The year's workbook (.xlsx) or summary (PDF), of the cities the actor sees.
async fn download(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<YearQuery>,
    pdf: bool,
) -> AppResult<Response> {
    allow(actor.can_view_targets())?;
    let year = year_of(&state, &q)?;
    let mut conn = state.db.pool().acquire().await?;
    let figures = year_figures(&state, &mut conn, &actor, year).await?;
    let mut short = Vec::with_capacity(figures.cities.len());
    if !pdf {
        for c in &figures.cities {
            short.push(short_groups(&mut conn, c.org_id, c.target.per_group_min, i64::MAX).await?.0);
        }
    }
    drop(conn);
    let generated = page.datetime(crate::storage::now_ms());
    let datetime = |ms: i64| page.datetime(ms);
    let ctx = super::workbook::Context {
        association: &state.settings.association.name,
        generated: &generated,
        short: &short,
        datetime: &datetime,
    };
    let title = crate::i18n::Lang::Zh.render(&crate::i18n::Msg::new("workbook.title").arg("year", year));
    let scope = match figures.cities.as_slice() {
        [one] => one.city.clone(),
        _ => String::new(),
    };
    let private = "private, no-store";
    if pdf {
        let (font, _) = state.printer.font().ok_or_else(|| AppError::Missing(crate::i18n::Msg::new("err.no_font")))?;
        let bytes = crate::print::summary::render(&super::workbook::pdf_summary(&figures, &ctx), font)
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        Ok(crate::web::download(bytes, "application/pdf", "inline", &format!("{scope}{title}.pdf"), private))
    } else {
        let bytes = super::workbook::render(&figures, &ctx)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a workbook: {e}")))?;
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        Ok(crate::web::download(bytes, xlsx, "attachment", &format!("{scope}{title}.xlsx"), private))
    }
}
