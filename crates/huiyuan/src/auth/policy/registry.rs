//! Who may do what in the registry (会员名册): staff read it within their scope; the
//! secretariat changes categories and statuses, reissues certificates, runs census campaigns
//! and scans for duplicates; a city's administrators import their rosters, merge their own
//! duplicates, confirm on their members' behalf and propose changes; a member reads and
//! downloads their own record.

use crate::auth::actor::{Actor, Role};
use crate::storage::UserId;

impl Actor {
    /// See the registry (会员名册): staff, each within their scope (see `can_view_member`).
    pub fn can_view_members(&self) -> bool {
        self.is_staff()
    }

    /// See one member's record: staff covering the member's city, and for province-direct
    /// members (`org_path` None) the province's roles.
    pub fn can_view_member(&self, org_path: Option<&str>) -> bool {
        self.can_view_members() && self.can_view_application(org_path)
    }

    /// The member record is the actor's own.
    pub fn owns_member_record(&self, user: Option<UserId>) -> bool {
        user.is_some_and(|u| self.is_user(u))
    }

    /// Read a member's full ID number (one logged view at a time): the secretariat and the
    /// administrators of the member's city.
    pub fn can_reveal_member_id(&self, org_path: Option<&str>) -> bool {
        self.can_read_id_numbers(org_path)
    }

    /// Exports carry full ID numbers for those who keep the dossiers: the secretariat and
    /// city administrators (whose exports hold only their own city's members).
    pub fn can_export_id_numbers(&self) -> bool {
        self.is_secretariat() || self.has(Role::CityAdmin)
    }

    /// Import a roster into this city's registry (`org_path` None: province-direct members):
    /// the secretariat, and the city's own administrators (the census is the cities' work).
    pub fn can_import_members(&self, org_path: Option<&str>) -> bool {
        self.is_secretariat() || org_path.is_some_and(|p| self.administers(p))
    }

    /// Open the roster import at all (for some city).
    pub fn can_import_any_members(&self) -> bool {
        self.is_secretariat() || self.has(Role::CityAdmin)
    }

    /// Merge duplicate records: the secretariat, or a city's administrators for records
    /// that are both their city's (`org_path` of each record is asked in turn).
    pub fn can_merge_members(&self, org_path: Option<&str>) -> bool {
        self.is_secretariat() || org_path.is_some_and(|p| self.administers(p))
    }

    /// Confirm a member's record on their behalf in a census: the secretariat, and the
    /// administrators of the member's city.
    pub fn can_confirm_for_member(&self, org_path: Option<&str>) -> bool {
        self.is_secretariat() || org_path.is_some_and(|p| self.administers(p))
    }

    /// Propose a status or category change for a member of this city: its administrators
    /// (the secretariat decides).
    pub fn can_propose_member_change(&self, org_path: Option<&str>) -> bool {
        org_path.is_some_and(|p| self.administers(p)) && !self.can_manage_members()
    }

    /// Scan the whole registry for duplicates: the secretariat.
    pub fn can_scan_duplicates(&self) -> bool {
        self.is_secretariat()
    }

    /// Change a member's category or status, reissue certificates, decide the cities'
    /// proposals, open and lapse census campaigns: the secretariat.
    pub fn can_manage_members(&self) -> bool {
        self.is_secretariat()
    }

    /// Follow a certificate batch and download its .zip: whoever asked for it, and the
    /// secretariat.
    pub fn can_read_certificate_batch(&self, requested_by: Option<UserId>) -> bool {
        requested_by.is_some_and(|u| self.is_user(u)) || self.can_manage_members()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::actor;
    use super::*;

    #[test]
    fn a_city_proposes_and_the_secretariat_decides() {
        let taiyuan = actor(&[(Role::CityAdmin, "/1/2/")]);
        assert!(taiyuan.can_propose_member_change(Some("/1/2/")));
        assert!(!taiyuan.can_propose_member_change(Some("/1/3/")));
        assert!(!taiyuan.can_propose_member_change(None));
        assert!(!taiyuan.can_manage_members());
        let sec = actor(&[(Role::Secretariat, "/1/")]);
        assert!(sec.can_manage_members() && !sec.can_propose_member_change(Some("/1/2/")));
    }

    #[test]
    fn a_city_imports_and_merges_only_its_own_members() {
        let taiyuan = actor(&[(Role::CityAdmin, "/1/2/")]);
        assert!(taiyuan.can_import_members(Some("/1/2/")) && taiyuan.can_merge_members(Some("/1/2/")));
        assert!(!taiyuan.can_import_members(Some("/1/3/")) && !taiyuan.can_import_members(None));
        assert!(taiyuan.can_import_any_members());
        let council = actor(&[(Role::Council, "/1/")]);
        assert!(!council.can_import_any_members() && council.can_view_member(None));
    }
}
