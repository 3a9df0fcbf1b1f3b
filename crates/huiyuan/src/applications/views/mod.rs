//! Page templates for joining — the applicant's form and status page, the review queue and
//! the review page, batches and council meetings — and the presenters that fill them:
//! `applicant` (forms, status, attachments), `review` (the queue and the review page),
//! `chain` (batches and meetings).

pub mod applicant;
pub mod chain;
pub mod review;

use askama::Template;

use super::group::{Condition, GroupForm, Person};
use super::individual::IndividualForm;
use super::model::Step;
use super::store::QueueRow;
use crate::error::FieldErrors;
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
    /// None on a form not yet saved (files come after the first save).
    pub attachments: Option<AttachmentsView>,
}

/// The attachments panel: the files, and (for the applicant while they may change the form)
/// the upload form.
pub struct AttachmentsView {
    pub app_id: String,
    pub items: Vec<AttachmentItem>,
    /// (kept value, label in the page's language)
    pub purposes: Vec<(String, String)>,
    pub can_change: bool,
    pub error: Option<String>,
    pub chosen: String,
    pub accept: &'static str,
    /// "PDF、JPG 或 PNG，单个不超过 5.0 MB，最多 12 个"
    pub rule: String,
}

pub struct AttachmentItem {
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub size: String,
}

/// The group form's choices and rows.
pub struct GroupChoices {
    pub institution_types: Options,
    pub code_types: Options,
    pub cities: Options,
    pub categories: Options,
    /// (row, field name, the condition as the settings word it, what was declared).
    pub conditions: Vec<(usize, &'static str, String, Condition)>,
    /// (row, field name, who) for as many rows as a group may register.
    pub people: Vec<(usize, &'static str, Person)>,
    /// "3–5"
    pub people_range: String,
}

#[derive(Template)]
#[template(path = "applications/group_form.html")]
pub struct GroupFormPage {
    pub ctx: PageCtx,
    pub form: GroupForm,
    pub errors: FieldErrors,
    pub choices: GroupChoices,
    pub action: String,
    pub returned_note: Option<String>,
    /// None on a form not yet saved (files come after the first save).
    pub attachments: Option<AttachmentsView>,
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
    pub member_number: Option<String>,
    /// None on a form not yet saved (files come after the first save).
    pub attachments: Option<AttachmentsView>,
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
    /// (row, kind, status, tag, ticked in the batch form)
    pub rows: Vec<(QueueRow, &'static str, &'static str, &'static str, bool)>,
    /// The city's recommended applications can be gathered into a batch from this view.
    pub batching: bool,
    pub batch_name: String,
    pub batch_errors: FieldErrors,
    pub pager: Pager,
    pub tabs: Vec<(String, &'static str, i64, bool)>,
    pub q: String,
    pub kind: String,
    pub sort: String,
    pub status: String,
    pub city: String,
    /// The cities to narrow the queue to (province staff only).
    pub cities: Options,
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
    /// The secretariat's dossier form, when the dossier is open.
    pub dossier: Option<DossierForm>,
    pub batch: Option<(String, String)>,
    pub member_number: Option<String>,
    /// None on a form not yet saved (files come after the first save).
    pub attachments: Option<AttachmentsView>,
    /// The viewer may read the ID numbers in full (logged), and has just done so.
    pub may_reveal: bool,
    pub revealed: bool,
}

#[derive(Template)]
#[template(path = "applications/batches.html")]
pub struct BatchListPage {
    pub ctx: PageCtx,
    pub rows: Vec<(super::batches::BatchRow, &'static str, &'static str)>,
}

pub struct BatchItemView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub category: String,
    pub employer: String,
    pub status: &'static str,
    pub tag: &'static str,
}

#[derive(Template)]
#[template(path = "applications/batch.html")]
pub struct BatchPage {
    pub ctx: PageCtx,
    pub id: String,
    pub name: String,
    pub city: String,
    pub open: bool,
    pub created_at: i64,
    pub forwarded_at: Option<i64>,
    pub items: Vec<BatchItemView>,
    pub can_change: bool,
}

pub struct DossierForm {
    pub checklist: Vec<(usize, String, bool)>,
    pub copies: String,
    pub expected: i64,
    pub note: String,
    pub can_send_back: bool,
    pub errors: FieldErrors,
}

pub struct MeetingRow {
    pub id: String,
    pub held_on: String,
    pub session: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "applications/council.html")]
pub struct CouncilPage {
    pub ctx: PageCtx,
    pub meetings: Vec<MeetingRow>,
    pub can_manage: bool,
    pub waiting: i64,
}

#[derive(Template)]
#[template(path = "applications/meeting_new.html")]
pub struct NewMeetingPage {
    pub ctx: PageCtx,
    pub held_on: String,
    pub session: String,
    pub mode: String,
    pub council: Vec<(String, String, bool)>,
    pub ready: Vec<(String, String, &'static str, bool)>,
    pub errors: FieldErrors,
}

pub struct AgendaView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub category: String,
    pub approve: i64,
    pub reject: i64,
    pub abstain: i64,
    /// Label key and tag of the outcome, empty while open.
    pub outcome_label: &'static str,
    pub outcome_tag: &'static str,
    /// The viewer applied: they do not vote on it (回避).
    pub recuse: bool,
    pub my_choice: String,
    pub my_comment: String,
    /// The minutes typed for this item (approve, reject, abstain).
    pub minutes: (String, String, String),
    pub votes: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "applications/meeting.html")]
pub struct MeetingPage {
    pub ctx: PageCtx,
    pub id: String,
    pub held_on: String,
    pub session: String,
    pub by_votes: bool,
    pub open: bool,
    pub council_size: i64,
    pub attendees: Vec<String>,
    pub quorate: bool,
    pub resolution: String,
    pub items: Vec<AgendaView>,
    pub can_manage: bool,
    pub can_vote: bool,
    pub errors: FieldErrors,
}
