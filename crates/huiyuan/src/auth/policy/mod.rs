//! The policy: every permission decision in huiyuan is made here, from the actor's roles and
//! the org subtrees they cover. Services ask (`actor.can_…()`) before they read or change
//! anything, and list queries filter by [`OrgScope`] in SQL; nothing else decides who may do
//! what. This file holds the primitives (roles, scope) and the administration of accounts,
//! the tree, notices, the audit log and the outbox; the domains' decisions are beside it:
//! [`joining`] (applications, batches, dossiers, the council), [`registry`] (members) and
//! [`targets`] (targets and progress reports).
//!
//! | who | sees | changes |
//! |---|---|---|
//! | system administrator | everything | everything, incl. the mail outbox and roles |
//! | secretariat | the whole tree | org tree, accounts and roles (not sysadmin/secretariat), notices, members (categories, statuses, certificates, census), direct applications, dossiers, council meetings, targets, report reviews; reads the audit log |
//! | council member | the whole tree, the registry read-only | votes at the meetings they attend |
//! | city administrator | their node and below, their members | reviews and batches their city's applications, imports and proposes changes for their members, hands in their city's report |
//! | member / applicant | themselves | their own account, applications and member record |

pub mod joining;
pub mod registry;
pub mod services;
pub mod targets;
pub mod webhooks;

use super::actor::{Actor, Grant, Role};
use crate::storage::{Sql, UserId};

/// Which part of the organisation tree an actor may see (by default: nothing). The one
/// scope mechanism: lists filter by it in SQL — by path where the rows carry one or join the
/// tree ([`OrgScope::push_filter`]), by org id otherwise ([`OrgScope::push_org_id_filter`];
/// the member list resolves the ids first with `orgs::store::ids_within`, so both databases
/// read it in its own index order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OrgScope {
    /// The whole tree.
    All,
    /// These subtrees (materialised paths); never empty.
    Subtrees(Vec<String>),
    /// No org at all (members and applicants).
    #[default]
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

    /// Append ` AND <column> IN (the orgs in scope)`; `column` holds an org id, and a row
    /// without one (province-direct) is in scope only for the whole tree.
    pub fn push_org_id_filter(&self, sql: &mut Sql, column: &str) {
        if *self != OrgScope::All {
            sql.push(&format!(" AND {column} IN "));
            self.push_org_ids(sql);
        }
    }

    /// `(SELECT id FROM org …)`: the ids of the orgs in scope, as a subquery.
    pub fn push_org_ids(&self, sql: &mut Sql) {
        sql.push("(SELECT id FROM org scoped WHERE 1 = 1");
        self.push_filter(sql, "scoped.path");
        sql.push(")");
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

    /// The workbench shows the province's work (batches to file, the council, reports): the
    /// secretariat.
    pub fn has_province_workbench(&self) -> bool {
        self.is_secretariat()
    }

    /// May enter the back office (`/admin`).
    pub fn is_staff(&self) -> bool {
        self.grants.iter().any(|g| g.role != Role::Member)
    }

    /// This is the actor's own account (their application, their member record).
    pub fn is_user(&self, user: UserId) -> bool {
        self.user_id == user
    }

    /// An administrator of the city at `org_path` (or of a city above it).
    fn administers(&self, org_path: &str) -> bool {
        self.grants.iter().any(|g| g.role == Role::CityAdmin && org_path.starts_with(g.org_path.as_str()))
    }

    /// The city this actor administers, if they are a city administrator (the first, should
    /// they hold several).
    pub fn administered_city(&self) -> Option<&Grant> {
        self.grants.iter().find(|g| g.role == Role::CityAdmin)
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

    /// Sees the whole tree (the province's roles).
    pub fn sees_everything(&self) -> bool {
        self.org_scope() == OrgScope::All
    }

    pub fn can_view_org(&self, org_path: &str) -> bool {
        self.org_scope().covers(org_path)
    }

    /// Open the organisation tree's pages: anyone who sees a part of it.
    pub fn can_view_org_tree(&self) -> bool {
        self.org_scope() != OrgScope::Nothing
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

    /// Revoke this grant: a role the actor may grant, on a node they see.
    pub fn can_revoke(&self, grant: &Grant) -> bool {
        self.can_grant(grant.role) && self.can_view_org(&grant.org_path)
    }

    /// Deactivate, reactivate or send a password link to an account holding `target` roles:
    /// an account with a role the actor could not grant is out of reach (the secretariat
    /// cannot bring back a system administrator).
    pub fn can_manage_account(&self, target: &[Grant]) -> bool {
        self.can_manage_users() && target.iter().all(|g| self.can_grant(g.role))
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
pub(super) mod tests {
    use super::*;
    use crate::auth::actor::Grant;
    use crate::storage::{GrantId, OrgId, UserId};

    /// An actor with these (role, org path) grants.
    pub fn actor(grants: &[(Role, &str)]) -> Actor {
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
        assert!(!a.can_view_org_tree());
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
    fn rows_holding_an_org_id_are_filtered_by_the_same_scope() {
        let mut sql = Sql::new("SELECT 1 FROM member m WHERE 1 = 1");
        OrgScope::Subtrees(vec!["/1/2/".into()]).push_org_id_filter(&mut sql, "m.org_id");
        assert_eq!(
            sql.text(),
            "SELECT 1 FROM member m WHERE 1 = 1 AND m.org_id IN (SELECT id FROM org scoped WHERE 1 = 1 AND (scoped.path LIKE $1))"
        );
        let mut all = Sql::new("SELECT 1 FROM member m WHERE 1 = 1");
        OrgScope::All.push_org_id_filter(&mut all, "m.org_id");
        assert_eq!(all.text(), "SELECT 1 FROM member m WHERE 1 = 1");
    }

    #[test]
    fn the_outbox_is_for_the_system_administrator() {
        assert!(actor(&[(Role::Sysadmin, "/1/")]).can_read_outbox());
        assert!(!actor(&[(Role::Secretariat, "/1/")]).can_read_outbox());
    }
}
