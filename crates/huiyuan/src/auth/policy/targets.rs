//! Who may do what with targets and progress (目标任务): staff see them (a city's
//! administrator their own city's), the secretariat changes targets and reviews the cities'
//! progress reports, a city's administrator hands in its report.

use crate::auth::actor::{Actor, Role};
use crate::storage::OrgId;

impl Actor {
    /// See city targets and progress: staff (a city's administrator, their city's).
    pub fn can_view_targets(&self) -> bool {
        self.is_staff()
    }

    /// Change city targets: the secretariat.
    pub fn can_edit_targets(&self) -> bool {
        self.is_secretariat()
    }

    /// Hand in a city's progress report (发展情况报告): that city's own administrator.
    pub fn can_report_for(&self, org: OrgId) -> bool {
        self.grants.iter().any(|g| g.role == Role::CityAdmin && g.org_id == org)
    }

    /// Accept or return the cities' progress reports: the secretariat.
    pub fn can_review_reports(&self) -> bool {
        self.is_secretariat()
    }
}
