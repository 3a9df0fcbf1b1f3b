//! Census campaign pages: the campaigns with the form to open one, and one campaign's
//! progress by city and by member.

use askama::Template;

use crate::error::FieldErrors;
use crate::members::census::{Census, CensusForm, Progress};
use crate::web::PageCtx;
use crate::web::pagination::Pager;

#[derive(Template)]
#[template(path = "members/census_list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub campaigns: Vec<(Census, &'static str)>,
    pub may_open: bool,
    pub form: CensusForm,
    pub errors: FieldErrors,
    /// (value, label, ticked)
    pub cities: Vec<(String, String, bool)>,
    pub categories: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "members/census_show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub c: Census,
    pub status_label: &'static str,
    /// (city, confirmed, corrected, pending, lapsed)
    pub report: Vec<(String, i64, i64, i64, i64)>,
    pub totals: (i64, i64, i64, i64),
    pub rows: Vec<(Progress, String, &'static str)>,
    pub tabs: Vec<(&'static str, &'static str, bool)>,
    pub pager: Pager,
    pub answerable: bool,
    pub may_lapse: bool,
    pub error: Option<(i64, String)>,
}

pub fn status_label(c: &Census, today: time::Date) -> &'static str {
    if c.status == "lapsed" {
        "census.s_lapsed"
    } else if c.is_over(today) {
        "census.s_over"
    } else if c.answerable(today) {
        "census.s_open"
    } else {
        "census.s_scheduled"
    }
}

/// The answers a campaign's progress list filters by: (status, label key); "" is all.
pub const STATUSES: [(&str, &str); 5] = [
    ("", "list.all"),
    ("pending", "census.m_pending"),
    ("confirmed", "census.m_confirmed"),
    ("corrected", "census.m_corrected"),
    ("lapsed", "census.m_lapsed"),
];
