//! A year's figures for a set of cities — each city's target, progress, last year's new
//! members and report — the province's totals, and how a standing or a pipeline stage is
//! labelled. Pure: the queries read them, the pages, workbook and PDF show them.

use time::Date;

use super::progress::{CityProgress, Months, Pipeline};
use super::report::{Report, ReportStatus};
use super::{Ranges, Standing};
use crate::storage::{MemberId, OrgId};

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

/// A group member short of individual members: (id, number, name, active individuals).
pub type ShortGroup = (MemberId, String, String, i64);
