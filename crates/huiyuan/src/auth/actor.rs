//! Who is acting: a signed-in user with their roles and the org subtrees those roles cover.

use serde::Serialize;

use crate::storage::{GrantId, OrgId, UserId};

/// The roles of the platform. A user may hold several; each is held over an org node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator: runs the installation (accounts, roles, mail); may do anything.
    Sysadmin,
    /// Provincial secretariat (省协会秘书处): the whole tree.
    Secretariat,
    /// Standing council member (常务理事): reads the whole tree, votes at council meetings.
    Council,
    /// City association administrator (市协会管理员): one node and everything under it.
    CityAdmin,
    /// Member or applicant (会员/申请人): themselves only.
    Member,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Sysadmin, Role::Secretariat, Role::Council, Role::CityAdmin, Role::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sysadmin => "sysadmin",
            Role::Secretariat => "secretariat",
            Role::Council => "council",
            Role::CityAdmin => "city_admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Catalog key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Sysadmin => "role.sysadmin",
            Role::Secretariat => "role.secretariat",
            Role::Council => "role.council",
            Role::CityAdmin => "role.city_admin",
            Role::Member => "role.member",
        }
    }

    /// Roles held over the whole tree (granted on the root node).
    pub fn is_province_wide(self) -> bool {
        matches!(self, Role::Sysadmin | Role::Secretariat | Role::Council)
    }
}

/// One role held over one org node.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    pub id: GrantId,
    pub role: Role,
    pub org_id: OrgId,
    /// Materialised path of the org (`/1/4/`); the grant covers every path starting with it.
    pub org_path: String,
    pub org_name: String,
}

/// A signed-in user as the policy sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    /// Preferred language (zh-CN or en).
    pub locale: String,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The grant that best names what this user is, for the top bar (e.g. 太原市 · 市协会管理员).
    pub fn primary_grant(&self) -> Option<&Grant> {
        self.grants.iter().min_by_key(|g| g.role)
    }
}
