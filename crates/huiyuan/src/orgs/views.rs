//! Page templates for the organisation tree.

use askama::Template;

use super::model::{Org, OrgInput};
use super::store::OrgPerson;
use crate::error::FieldErrors;
use crate::web::PageCtx;

pub struct OrgRow {
    pub org: Org,
    pub level: &'static str,
    pub depth: usize,
    pub staff: i64,
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
pub struct OrgListPage {
    pub ctx: PageCtx,
    pub rows: Vec<OrgRow>,
    pub q: String,
    pub inactive: bool,
    pub can_manage: bool,
}

#[derive(Template)]
#[template(path = "orgs/show.html")]
pub struct OrgPage {
    pub ctx: PageCtx,
    pub org: Org,
    pub level: &'static str,
    pub parent: Option<Org>,
    pub children: Vec<Org>,
    pub people: Vec<(OrgPerson, &'static str)>,
    pub can_manage: bool,
    pub can_add_child: bool,
    /// Offered only when nothing visible refers to the node (the database checks the rest).
    pub can_delete: bool,
}

#[derive(Template)]
#[template(path = "orgs/form.html")]
pub struct OrgFormPage {
    pub ctx: PageCtx,
    pub form: OrgInput,
    pub errors: FieldErrors,
    /// The parent's name (new node) — or None when editing.
    pub parent_name: Option<String>,
    pub action: String,
    pub cancel: String,
}
