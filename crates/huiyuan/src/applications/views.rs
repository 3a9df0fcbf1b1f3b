//! Page templates for joining: the applicant's form and status page, the review queue and
//! the review page.

use askama::Template;

use super::model::IndividualForm;
use super::store::QueueRow;
use crate::error::FieldErrors;
use crate::notifications::Notification;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

/// (value, label) pairs for a select.
pub type Options = Vec<(String, String)>;

pub struct FormChoices {
    pub genders: Options,
    pub ethnicities: Options,
    pub political: Options,
    pub id_types: Options,
    pub education: Options,
    pub degrees: Options,
    pub service: Options,
    pub cities: Options,
    pub categories: Options,
}

#[derive(Template)]
#[template(path = "applications/individual_form.html")]
pub struct IndividualFormPage {
    pub ctx: PageCtx,
    pub form: IndividualForm,
    pub errors: FieldErrors,
    pub choices: FormChoices,
    pub action: String,
    /// Set when the application came back for correction: what to fix.
    pub returned_note: Option<String>,
    pub min_education: String,
}

#[derive(Template)]
#[template(path = "applications/apply.html")]
pub struct ApplyPage {
    pub ctx: PageCtx,
    pub mine: Vec<MyApplication>,
}

pub struct MyApplication {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub tag: &'static str,
    pub updated_at: i64,
}

/// One step of the timeline (提交 → 市协会审核 → …).
pub struct Step {
    pub label: &'static str,
    pub state: &'static str,
    pub at: Option<i64>,
}

pub struct EventView {
    pub at: i64,
    pub action: &'static str,
    pub body: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "applications/status.html")]
pub struct StatusPage {
    pub ctx: PageCtx,
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub tag: &'static str,
    pub next: &'static str,
    pub steps: Vec<Step>,
    pub events: Vec<EventView>,
    pub editable: bool,
    pub withdrawable: bool,
    pub reviewer: String,
}

pub struct Detail {
    pub label: &'static str,
    pub value: String,
}

pub struct DetailSection {
    pub title: &'static str,
    pub rows: Vec<Detail>,
}

#[derive(Template)]
#[template(path = "applications/queue.html")]
pub struct QueuePage {
    pub ctx: PageCtx,
    pub rows: Vec<(QueueRow, &'static str, &'static str, &'static str)>,
    pub pager: Pager,
    pub tabs: Vec<(String, &'static str, i64, bool)>,
    pub q: String,
    pub kind: String,
    pub sort: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "applications/review.html")]
pub struct ReviewPage {
    pub ctx: PageCtx,
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub tag: &'static str,
    pub reviewer: String,
    pub sections: Vec<DetailSection>,
    pub events: Vec<EventView>,
    /// The decisions open to this viewer now: (action, label).
    pub actions: Vec<(&'static str, &'static str)>,
    pub checklist: Vec<(usize, String, bool)>,
    pub note: String,
    pub chosen: String,
    pub errors: FieldErrors,
    pub versions: i64,
}

#[derive(Template)]
#[template(path = "me/notifications.html")]
pub struct NotificationsPage {
    pub ctx: PageCtx,
    pub items: Vec<Notification>,
    pub unread: i64,
}
