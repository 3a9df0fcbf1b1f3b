//! Registry page templates: the member list, a member's page, the member's own page and the
//! public verification page.

use askama::Template;

use super::store::{Certificate, Event, Linked, Period, Row};
use crate::audit::AuditRow;
use crate::error::FieldErrors;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

/// (value, label) pairs for a select.
pub type Options = Vec<(String, String)>;

/// A list row with its labels: (row, category, city, status label, status tag, masked ID).
pub type ListRow = (Row, String, String, &'static str, &'static str, String);

#[derive(Template)]
#[template(path = "members/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    /// "1,234" or "10,000+".
    pub total_label: String,
    pub q: String,
    pub city: String,
    pub category: String,
    pub kind: String,
    pub status: String,
    pub year: String,
    pub sort: String,
    pub group: String,
    /// The group member whose individuals are listed.
    pub group_name: Option<String>,
    pub cities: Options,
    pub categories: Options,
    pub statuses: Options,
    pub years: Vec<i32>,
    pub searching: bool,
    /// `?filters` for the export links (empty without filters).
    pub export_query: String,
    /// The roster import is open to this viewer.
    pub may_import: bool,
}

/// The forms on a member's page, as typed when one was refused.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// "status", "category" or "reissue".
    pub form: &'static str,
    pub value: String,
    pub reason: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "members/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub m: super::store::Member,
    pub category: String,
    pub city: String,
    pub status_label: &'static str,
    pub status_tag: &'static str,
    /// Masked unless revealed (and logged).
    pub id_number: String,
    pub may_reveal: bool,
    pub revealed: bool,
    pub may_manage: bool,
    /// A city administrator proposes instead of changing.
    pub may_propose: bool,
    /// (proposal, from label, to label), newest first.
    pub proposals: Vec<(super::proposals::Proposal, String, String)>,
    pub events: Vec<(Event, String, String)>,
    pub periods: Vec<(Period, &'static str)>,
    pub certificates: Vec<Certificate>,
    pub linked: Vec<(Linked, &'static str)>,
    /// Group members: (individuals, min, max, meets).
    pub group_range: Option<(usize, usize, usize, bool)>,
    /// (entry, action label)
    pub audit: Vec<(AuditRow, String)>,
    /// "3 individual members (3–5 required)".
    pub range_rule: String,
    pub statuses: Options,
    pub categories: Options,
    pub attempt: Attempt,
    pub verify_url: String,
}

/// One of the member's own records, with its certificate and census task.
pub struct MineItem {
    pub m: super::store::Member,
    pub category: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub cert: Option<Certificate>,
    pub task: Option<super::census::Census>,
    /// The census correction form, as shown (or as typed when refused).
    pub form: super::census::Correction,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "members/mine.html")]
pub struct MinePage {
    pub ctx: PageCtx,
    pub members: Vec<MineItem>,
    /// A refused correction request: (member, text, errors).
    pub correction: Option<(crate::storage::MemberId, String, FieldErrors)>,
}

#[derive(Template)]
#[template(path = "members/verify.html")]
pub struct VerifyPage {
    pub ctx: PageCtx,
    pub number: String,
    /// "valid", "revoked", "expired", "inactive" or "unknown".
    pub verdict: &'static str,
    pub masked_name: String,
    pub category: String,
    pub status_label: &'static str,
    pub serial: String,
    pub valid_until: String,
    pub association: String,
}
