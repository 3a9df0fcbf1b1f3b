//! The registry's tools: the duplicate finder and certificate batches.

use askama::Template;

use crate::members::cert_batch::Batch;
use crate::members::duplicates::Group;
use crate::members::store::Member;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

/// A group as shown: (group, reason label, its members with their city, the oldest first).
pub type GroupView = (Group, &'static str, Vec<(Member, String, &'static str)>);

#[derive(Template)]
#[template(path = "members/duplicates.html")]
pub struct DuplicatesPage {
    pub ctx: PageCtx,
    pub groups: Vec<GroupView>,
    pub pager: Pager,
    pub may_scan: bool,
    pub found_at: Option<i64>,
    pub error: Option<(i64, String)>,
}

/// The words for what a group's members share (the duplicate rules' own).
pub fn reason_key(reason: &str) -> &'static str {
    let rules = crate::members::duplicates::SHARED;
    rules.iter().find(|(column, _)| *column == reason).map_or(rules[rules.len() - 1].1, |(_, why)| why)
}

#[derive(Template)]
#[template(path = "members/certificates.html")]
pub struct BatchPage {
    pub ctx: PageCtx,
    pub b: Batch,
    pub percent: i64,
    pub progress: String,
}
