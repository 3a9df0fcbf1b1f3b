//! Page templates for account management.

use askama::Template;

use super::service::NewAccountInput;
use super::store::UserListRow;
use crate::auth::model::User;
use crate::error::FieldErrors;
use crate::orgs::Org;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

pub struct RoleChoice {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct OrgChoice {
    pub id: String,
    pub label: String,
}

pub struct UserRowView {
    pub row: UserListRow,
    pub roles: Vec<String>,
}

#[derive(Template)]
#[template(path = "users/list.html")]
pub struct UserListPage {
    pub ctx: PageCtx,
    pub rows: Vec<UserRowView>,
    pub pager: Pager,
    pub q: String,
    pub role: String,
    pub org: String,
    pub status: String,
    pub roles: Vec<RoleChoice>,
    pub orgs: Vec<OrgChoice>,
    pub can_create: bool,
}

#[derive(Template)]
#[template(path = "users/new.html")]
pub struct NewUserPage {
    pub ctx: PageCtx,
    pub form: NewAccountInput,
    pub errors: FieldErrors,
    pub roles: Vec<RoleChoice>,
    pub orgs: Vec<OrgChoice>,
    pub min_len: usize,
}

pub struct GrantRow {
    pub id: String,
    pub role: &'static str,
    pub org: String,
    pub can_revoke: bool,
}

#[derive(Template)]
#[template(path = "users/show.html")]
pub struct UserPage {
    pub ctx: PageCtx,
    pub user: User,
    pub grants: Vec<GrantRow>,
    pub can_manage: bool,
    /// May deactivate, reactivate or send a password link to this account.
    pub can_manage_account: bool,
    pub roles: Vec<RoleChoice>,
    pub orgs: Vec<OrgChoice>,
    pub grant_errors: FieldErrors,
    pub grant_role: String,
    pub grant_org: String,
    pub is_self: bool,
}

/// Choice labels for org selects: indented by depth.
pub fn org_choices(orgs: &[Org]) -> Vec<OrgChoice> {
    orgs.iter()
        .map(|o| OrgChoice { id: o.id.to_string(), label: format!("{}{}", "\u{3000}".repeat(o.depth()), o.name) })
        .collect()
}
