//! A city's progress report page: the report's state, its figures (frozen, or as they stand
//! before it is in), the narrative and files, its history, and the forms the viewer may use.

use super::ReportPage;
use crate::error::FieldErrors;
use crate::paths;
use crate::targets::query::ReportView;
use crate::targets::report::Event;
use crate::web::PageCtx;

/// What a refused form sent, shown again: the narrative (None: the report's own), what is
/// wrong, and the review note.
#[derive(Default)]
pub struct Attempt {
    pub narrative: Option<String>,
    pub errors: FieldErrors,
    pub review_note: String,
}

pub fn report_page(page: PageCtx, year: i32, v: ReportView, deadline_passed: bool, attempt: Attempt) -> ReportPage {
    let org = v.target.org_id;
    let events = v
        .events
        .into_iter()
        .map(|e: Event| {
            let key = match e.action.as_str() {
                "submit" => "report.ev_submit",
                "return" => "report.ev_return",
                _ => "report.ev_accept",
            };
            (page.datetime(e.at), key, e.actor_name, e.note)
        })
        .collect();
    let narrative =
        attempt.narrative.unwrap_or_else(|| v.report.as_ref().map(|r| r.narrative.clone()).unwrap_or_default());
    ReportPage {
        frozen_at: v.frozen_at.map(|at| page.datetime(at)),
        ctx: page
            .title("report.title")
            .crumb("menu.progress", &format!("{}?year={year}", paths::ADMIN_PROGRESS))
            .crumb_text(format!("{} {year}", v.city), &paths::fill(paths::ADMIN_PROGRESS_CITY, &[&year, &org.0])),
        year,
        org_id: org,
        city: v.city,
        may_review: v.may_review,
        deadline_passed,
        report: v.report,
        frozen: v.frozen,
        files: v.files,
        events,
        may_submit: v.may_submit,
        narrative,
        errors: attempt.errors,
        review_note: attempt.review_note,
    }
}
