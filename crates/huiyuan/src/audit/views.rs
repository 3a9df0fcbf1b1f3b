use askama::Template;

use super::store::AuditRow;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

pub struct ActionChoice {
    pub value: &'static str,
    pub label: String,
}

pub struct AuditItem {
    pub row: AuditRow,
    pub action: String,
    pub target_type: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
pub struct AuditListPage {
    pub ctx: PageCtx,
    pub items: Vec<AuditItem>,
    pub pager: Pager,
    pub actions: Vec<ActionChoice>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub until: String,
    pub date_error: bool,
}

#[derive(Template)]
#[template(path = "audit/show.html")]
pub struct AuditEntryPage {
    pub ctx: PageCtx,
    pub row: AuditRow,
    pub action: String,
    pub before: Vec<(String, String)>,
    pub after: Vec<(String, String)>,
    pub target_href: Option<String>,
    pub target_type: &'static str,
}
