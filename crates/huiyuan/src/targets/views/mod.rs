//! The targets' and progress pages: a year's targets and one city's target, the province's
//! and a city's dashboards, and a city's progress report — their templates, and the
//! presenters that fill them (`dashboard`, `report`).

pub mod dashboard;
pub mod report;

use askama::Template;

use super::figures::{CityYear, ShortGroup, Totals, stages, standing};
use super::progress::Pipeline;
use super::report::{Frozen, Report, ReportStatus};
use super::store::Change;
use super::{Ranges, Standing, Target, TargetInput};
use crate::error::FieldErrors;
use crate::files::StoredFile;
use crate::paths;
use crate::storage::OrgId;
use crate::web::PageCtx;

/// A row of the year's table: the city, its target, and the date of its last change.
pub struct Row {
    pub org_id: OrgId,
    pub city: String,
    pub r: Ranges,
    pub changed: String,
}

#[derive(Template)]
#[template(path = "targets/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub years: Vec<i32>,
    pub rows: Vec<Row>,
    pub may_edit: bool,
}

#[derive(Template)]
#[template(path = "targets/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub org_id: OrgId,
    pub city: String,
    pub r: Ranges,
    pub may_edit: bool,
    pub form: TargetInput,
    pub errors: FieldErrors,
    pub history: Vec<HistoryRow>,
}

/// (when, who, before, after, reason)
pub type HistoryRow = (String, String, Option<Ranges>, Option<Ranges>, String);

/// A row of the province's table, with everything the template shows precomputed.
pub struct ProvinceRow {
    pub c: CityYear,
    pub report_key: &'static str,
    pub report_tag: &'static str,
    pub days: Option<i64>,
}

#[derive(Template)]
#[template(path = "targets/dashboard.html")]
pub struct ProvincePage {
    pub ctx: PageCtx,
    pub year: i32,
    pub years: Vec<i32>,
    pub rows: Vec<ProvinceRow>,
    pub totals: Totals,
    pub next_deadline: Option<(String, i64)>,
    pub groups_chart: String,
    pub individuals_chart: String,
    pub monthly_chart: String,
}

/// What the dashboards' and the report's templates call.
pub trait Cells {
    fn standing(&self, s: &Standing) -> (&'static str, &'static str) {
        standing(*s)
    }

    fn stages(&self, p: &Pipeline) -> [(&'static str, &'static str, i64); 5] {
        stages(p)
    }
}

impl Cells for ProvincePage {}
impl Cells for CityPage {}

#[derive(Template)]
#[template(path = "targets/city.html")]
pub struct CityPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub years: Vec<i32>,
    pub c: CityYear,
    pub report_key: &'static str,
    pub report_tag: &'static str,
    pub days: Option<i64>,
    pub groups_tag: (&'static str, &'static str),
    pub individuals_tag: (&'static str, &'static str),
    pub chart: String,
    pub monthly_chart: String,
    pub short: Vec<ShortGroup>,
    pub short_total: i64,
    /// (application id, name, kind label, status label, tag, submitted at)
    pub waiting: Vec<(i64, String, &'static str, &'static str, &'static str, String)>,
    pub waiting_total: i64,
}

#[derive(Template)]
#[template(path = "targets/report.html")]
pub struct ReportPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub org_id: OrgId,
    pub city: String,
    pub report: Option<Report>,
    /// The figures shown: frozen in the report, or (before it is in) the data as it stands.
    pub frozen: Frozen,
    pub frozen_at: Option<String>,
    pub files: Vec<StoredFile>,
    pub events: Vec<(String, &'static str, String, String)>,
    /// The city may hand the report in (again) now.
    pub may_submit: bool,
    pub may_review: bool,
    pub narrative: String,
    pub errors: FieldErrors,
    pub review_note: String,
    pub deadline_passed: bool,
}

impl Cells for ReportPage {}

impl ReportPage {
    fn status(&self) -> Option<ReportStatus> {
        self.report.as_ref().map(Report::status)
    }
}

/// A year's targets, a row per city the viewer sees.
pub fn list_page(
    page: PageCtx,
    (year, years): (i32, Vec<i32>),
    targets: Vec<(Target, String)>,
    may_edit: bool,
) -> ListPage {
    let rows = targets
        .into_iter()
        .map(|(t, city)| {
            // A year not written yet shows the settings' targets, changed by nobody.
            let changed = if t.updated_at > 0 { page.date(t.updated_at) } else { "—".to_string() };
            Row { org_id: t.org_id, city, changed, r: t.ranges }
        })
        .collect();
    ListPage {
        ctx: page.title("target.title").crumb("menu.targets", paths::ADMIN_TARGETS),
        year,
        years,
        rows,
        may_edit,
    }
}

/// One city's target for a year with its history; `form` re-shows a refused change.
pub fn show_page(
    page: PageCtx,
    year: i32,
    (city, target, changes): (String, Target, Vec<Change>),
    may_edit: bool,
    form: Option<(TargetInput, FieldErrors)>,
) -> ShowPage {
    let history = changes
        .into_iter()
        .map(|c| (page.datetime(c.at), c.actor_name.clone(), c.before(), c.after(), c.reason.clone()))
        .collect();
    let (form, errors) = form.unwrap_or_else(|| (TargetInput::of(&target.ranges), FieldErrors::new()));
    ShowPage {
        ctx: page
            .title_text(format!("{city} {year}"))
            .crumb("menu.targets", paths::ADMIN_TARGETS)
            .crumb_text(format!("{year}"), &format!("{}?year={year}", paths::ADMIN_TARGETS)),
        year,
        org_id: target.org_id,
        city,
        r: target.ranges,
        may_edit,
        form,
        errors,
        history,
    }
}
