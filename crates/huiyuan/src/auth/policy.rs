//! The policy: every permission decision in huiyuan is made here, from the actor's roles and
//! the org subtrees they cover. Handlers ask (`actor.can_…()`) and list queries filter by
//! [`OrgScope`] in SQL; nothing else decides who may do what.
//!
//! | who | sees | changes |
//! |---|---|---|
//! | system administrator | everything | everything, incl. the mail outbox and roles |
//! | secretariat | the whole tree | org tree, accounts and roles (not sysadmin/secretariat), notices, member categories, statuses and certificates; reads the audit log |
//! | council member | the whole tree, the registry read-only | (votes, in the joining issue) |
//! | city administrator | their node and below, their members | (reviews, in the joining issue) |
//! | member / applicant | themselves | their own account |

use super::actor::{Actor, Role};
use crate::storage::Sql;

/// Which part of the organisation tree an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgScope {
    /// The whole tree.
    All,
    /// These subtrees (materialised paths); never empty.
    Subtrees(Vec<String>),
    /// No org at all (members and applicants).
    Nothing,
}

impl OrgScope {
    pub fn covers(&self, path: &str) -> bool {
        match self {
            OrgScope::All => true,
            OrgScope::Subtrees(roots) => roots.iter().any(|r| path.starts_with(r.as_str())),
            OrgScope::Nothing => false,
        }
    }

    /// Append ` AND (<column> within scope)` to a query; `column` holds an org path.
    pub fn push_filter(&self, sql: &mut Sql, column: &str) {
        match self {
            OrgScope::All => {}
            OrgScope::Nothing => {
                sql.push(" AND 1 = 0");
            }
            OrgScope::Subtrees(roots) => {
                sql.push(" AND (");
                for (i, root) in roots.iter().enumerate() {
                    if i > 0 {
                        sql.push(" OR ");
                    }
                    sql.push(column).push(" LIKE ").bind(format!("{root}%"));
                }
                sql.push(")");
            }
        }
    }
}

impl Actor {
    pub fn is_sysadmin(&self) -> bool {
        self.has(Role::Sysadmin)
    }

    /// Secretariat powers (the system administrator has them too).
    fn is_secretariat(&self) -> bool {
        self.has(Role::Secretariat) || self.is_sysadmin()
    }

    /// May enter the back office (`/admin`).
    pub fn is_staff(&self) -> bool {
        self.grants.iter().any(|g| g.role != Role::Member)
    }

    /// The part of the tree this actor may see.
    pub fn org_scope(&self) -> OrgScope {
        if self.grants.iter().any(|g| g.role.is_province_wide()) {
            return OrgScope::All;
        }
        let roots: Vec<String> =
            self.grants.iter().filter(|g| g.role == Role::CityAdmin).map(|g| g.org_path.clone()).collect();
        if roots.is_empty() { OrgScope::Nothing } else { OrgScope::Subtrees(roots) }
    }

    pub fn can_view_org(&self, org_path: &str) -> bool {
        self.org_scope().covers(org_path)
    }

    /// Rename, add, deactivate and delete org nodes.
    pub fn can_manage_org_tree(&self) -> bool {
        self.is_secretariat()
    }

    /// See the account list (filtered by scope).
    pub fn can_list_users(&self) -> bool {
        self.is_secretariat() || self.has(Role::CityAdmin)
    }

    /// Create accounts, activate and deactivate them, send password reset links.
    pub fn can_manage_users(&self) -> bool {
        self.is_secretariat()
    }

    /// Grant or revoke `role` (on any node). Only the system administrator hands out the
    /// two most powerful roles.
    pub fn can_grant(&self, role: Role) -> bool {
        match role {
            Role::Sysadmin | Role::Secretariat => self.is_sysadmin(),
            Role::Council | Role::CityAdmin | Role::Member => self.is_secretariat(),
        }
    }

    /// Deactivate, reactivate or send a password link to an account holding `target` roles:
    /// an account with a role the actor could not grant is out of reach (the secretariat
    /// cannot bring back a system administrator).
    pub fn can_manage_account(&self, target: &[super::actor::Grant]) -> bool {
        self.can_manage_users() && target.iter().all(|g| self.can_grant(g.role))
    }

    /// See an application (staff): one reviewed by a city within the actor's scope, or a
    /// province-direct one (`org_path` None) for the province's roles.
    pub fn can_view_application(&self, org_path: Option<&str>) -> bool {
        match org_path {
            Some(path) => self.is_staff() && self.can_view_org(path),
            None => self.org_scope() == OrgScope::All,
        }
    }

    /// Decide the qualification review (资格审查) of an application to this city: its own
    /// administrators (or a parent city's), not the province.
    pub fn can_review_city_application(&self, org_path: &str) -> bool {
        self.grants.iter().any(|g| g.role == Role::CityAdmin && org_path.starts_with(g.org_path.as_str()))
    }

    /// Decide province-direct applications (直接吸纳), which no city reviews.
    pub fn can_process_direct_application(&self) -> bool {
        self.is_secretariat()
    }

    /// Read an applicant's full ID document numbers: the secretariat (it keeps the dossiers),
    /// and the administrators of the city that reviews the application. Everyone else reads
    /// them masked.
    pub fn can_read_id_numbers(&self, org_path: Option<&str>) -> bool {
        self.can_process_direct_application() || org_path.is_some_and(|p| self.can_review_city_application(p))
    }

    /// See city batches: the cities their own, the secretariat all of them.
    pub fn can_view_batches(&self) -> bool {
        self.has(Role::CityAdmin) || self.is_secretariat()
    }

    /// See standing council meetings: the secretariat (which runs them) and the council.
    pub fn can_view_council(&self) -> bool {
        self.has(Role::Council) || self.is_secretariat()
    }

    /// See the registry (会员名册): staff, each within their scope (see `can_view_member`).
    pub fn can_view_members(&self) -> bool {
        self.is_staff()
    }

    /// See one member's record: staff covering the member's city, and for province-direct
    /// members (`org_path` None) the province's roles.
    pub fn can_view_member(&self, org_path: Option<&str>) -> bool {
        self.can_view_application(org_path)
    }

    /// Exports carry full ID numbers for those who keep the dossiers: the secretariat and
    /// city administrators (whose exports hold only their own city's members).
    pub fn can_export_id_numbers(&self) -> bool {
        self.is_secretariat() || self.has(Role::CityAdmin)
    }

    /// Import a roster into this city's registry (`org_path` None: province-direct members):
    /// the secretariat, and the city's own administrators (the census is the cities' work).
    pub fn can_import_members(&self, org_path: Option<&str>) -> bool {
        self.is_secretariat() || org_path.is_some_and(|p| self.can_review_city_application(p))
    }

    /// Merge duplicate records: the secretariat, or a city's administrators for records
    /// that are both their city's (`org_path` of each record is asked in turn).
    pub fn can_merge_members(&self, org_path: Option<&str>) -> bool {
        self.is_secretariat() || org_path.is_some_and(|p| self.can_review_city_application(p))
    }

    /// Confirm a member's record on their behalf in a census: the secretariat, and the
    /// administrators of the member's city.
    pub fn can_confirm_for_member(&self, org_path: Option<&str>) -> bool {
        self.can_merge_members(org_path)
    }

    /// Propose a status or category change for a member of this city: its administrators
    /// (the secretariat decides).
    pub fn can_propose_member_change(&self, org_path: Option<&str>) -> bool {
        org_path.is_some_and(|p| self.can_review_city_application(p)) && !self.can_manage_members()
    }

    /// Scan the whole registry for duplicates: the secretariat.
    pub fn can_scan_duplicates(&self) -> bool {
        self.is_secretariat()
    }

    /// Change a member's category or status, reissue certificates: the secretariat.
    /// See city targets: staff (a city's administrator, their city's).
    pub fn can_view_targets(&self) -> bool {
        self.is_staff()
    }

    /// Hand in a city's progress report (发展情况报告): that city's own administrator.
    pub fn can_report_for(&self, org: crate::storage::OrgId) -> bool {
        self.grants.iter().any(|g| g.role == Role::CityAdmin && g.org_id == org)
    }

    /// Accept or return the cities' progress reports: the secretariat.
    pub fn can_review_reports(&self) -> bool {
        self.is_secretariat()
    }

    /// Change city targets: the secretariat.
    pub fn can_edit_targets(&self) -> bool {
        self.is_secretariat()
    }

    pub fn can_manage_members(&self) -> bool {
        self.is_secretariat()
    }

    pub fn can_manage_notices(&self) -> bool {
        self.is_secretariat()
    }

    pub fn can_read_audit(&self) -> bool {
        self.is_secretariat()
    }

    pub fn can_read_outbox(&self) -> bool {
        self.is_sysadmin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::actor::Grant;
    use crate::storage::{GrantId, OrgId, UserId};

    fn actor(grants: &[(Role, &str)]) -> Actor {
        Actor {
            user_id: UserId(1),
            username: "u".into(),
            display_name: "U".into(),
            locale: "zh-CN".into(),
            grants: grants
                .iter()
                .enumerate()
                .map(|(i, (role, path))| Grant {
                    id: GrantId(i as i64),
                    role: *role,
                    org_id: OrgId(1),
                    org_path: path.to_string(),
                    org_name: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_city_admin_sees_their_city_and_below_only() {
        let a = actor(&[(Role::CityAdmin, "/1/2/")]);
        assert!(a.can_view_org("/1/2/"));
        assert!(a.can_view_org("/1/2/30/"));
        assert!(!a.can_view_org("/1/3/"));
        assert!(!a.can_view_org("/1/"));
        // "/1/2/" must not cover "/1/20/".
        assert!(!a.can_view_org("/1/20/"));
        assert!(a.is_staff());
        assert!(!a.can_manage_org_tree());
    }

    #[test]
    fn province_roles_see_the_whole_tree() {
        for role in [Role::Sysadmin, Role::Secretariat, Role::Council] {
            assert_eq!(actor(&[(role, "/1/")]).org_scope(), OrgScope::All);
        }
        assert!(!actor(&[(Role::Council, "/1/")]).can_manage_org_tree());
    }

    #[test]
    fn members_see_no_org_and_are_not_staff() {
        let a = actor(&[(Role::Member, "/1/")]);
        assert_eq!(a.org_scope(), OrgScope::Nothing);
        assert!(!a.is_staff());
        assert!(!a.can_list_users());
    }

    #[test]
    fn only_the_system_administrator_grants_the_top_roles() {
        let sec = actor(&[(Role::Secretariat, "/1/")]);
        assert!(sec.can_grant(Role::CityAdmin));
        assert!(!sec.can_grant(Role::Secretariat));
        assert!(!sec.can_grant(Role::Sysadmin));
        assert!(actor(&[(Role::Sysadmin, "/1/")]).can_grant(Role::Secretariat));
        assert!(!actor(&[(Role::CityAdmin, "/1/2/")]).can_grant(Role::Member));
    }

    #[test]
    fn scope_filters_are_sql_with_one_bind_per_subtree() {
        let mut sql = Sql::new("SELECT 1 FROM org o WHERE 1 = 1");
        OrgScope::Subtrees(vec!["/1/2/".into(), "/1/5/".into()]).push_filter(&mut sql, "o.path");
        assert_eq!(sql.text(), "SELECT 1 FROM org o WHERE 1 = 1 AND (o.path LIKE $1 OR o.path LIKE $2)");
    }

    #[test]
    fn applications_are_reviewed_by_their_city_and_direct_ones_by_the_secretariat() {
        let taiyuan = actor(&[(Role::CityAdmin, "/1/2/")]);
        assert!(taiyuan.can_review_city_application("/1/2/"));
        assert!(!taiyuan.can_review_city_application("/1/3/"));
        assert!(taiyuan.can_view_application(Some("/1/2/")));
        assert!(!taiyuan.can_view_application(None), "province-direct applications are the province's");
        let sec = actor(&[(Role::Secretariat, "/1/")]);
        assert!(sec.can_view_application(Some("/1/2/")) && sec.can_view_application(None));
        assert!(!sec.can_review_city_application("/1/2/"), "the city reviews its own applicants");
        assert!(sec.can_process_direct_application() && !taiyuan.can_process_direct_application());
        let member = actor(&[(Role::Member, "/1/")]);
        assert!(!member.can_view_application(Some("/1/2/")) && !member.can_view_application(None));
    }

    #[test]
    fn the_outbox_is_for_the_system_administrator() {
        assert!(actor(&[(Role::Sysadmin, "/1/")]).can_read_outbox());
        assert!(!actor(&[(Role::Secretariat, "/1/")]).can_read_outbox());
    }
}
