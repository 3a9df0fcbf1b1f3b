//! Who may do what in joining (入会): applicants with their own applications, a city's
//! administrators with the applications to their city and its batches, the secretariat with
//! province-direct applications, dossiers and council meetings, council members with their
//! votes. Nobody decides on their own application.

use crate::applications::model::Application;
use crate::applications::state::{Action, Status, transition};
use crate::auth::actor::{Actor, Role};

/// The decisions of a qualification review: a city's (推荐, 退回, 不予推荐), and the
/// secretariat's on a province-direct application, which it files through the dossier.
pub fn review_candidates(direct: bool) -> &'static [Action] {
    if direct { &[Action::Return, Action::Reject] } else { &[Action::Recommend, Action::Return, Action::Reject] }
}

impl Actor {
    /// The applicant themselves.
    pub fn owns_application(&self, app: &Application) -> bool {
        self.is_user(app.applicant_id)
    }

    /// Change the form and its attachments, submit, withdraw: the applicant.
    pub fn can_change_application(&self, app: &Application) -> bool {
        self.owns_application(app)
    }

    /// See an application (staff): one reviewed by a city within the actor's scope, or a
    /// province-direct one (`org_path` None) for the province's roles.
    pub fn can_view_application(&self, org_path: Option<&str>) -> bool {
        match org_path {
            Some(path) => self.is_staff() && self.can_view_org(path),
            None => self.sees_everything(),
        }
    }

    /// Read an application: its applicant (drafts too), or staff who may see it (never a
    /// draft, which is still the applicant's own).
    pub fn can_read_application(&self, app: &Application, org_path: Option<&str>) -> bool {
        self.owns_application(app) || (app.status() != Status::Draft && self.can_view_application(org_path))
    }

    /// Decide the qualification review (资格审查) of an application to this city: its own
    /// administrators (or a parent city's), not the province.
    pub fn can_review_city_application(&self, org_path: &str) -> bool {
        self.administers(org_path)
    }

    /// Decide province-direct applications (直接吸纳), which no city reviews.
    pub fn can_process_direct_application(&self) -> bool {
        self.is_secretariat()
    }

    /// Review this application at all: the city's administrators, or for a province-direct
    /// one (`org_path` None) the secretariat.
    pub fn can_review_application(&self, org_path: Option<&str>) -> bool {
        match org_path {
            Some(path) => self.can_review_city_application(path),
            None => self.can_process_direct_application(),
        }
    }

    /// The review decisions this actor may take on this application now: none on their own,
    /// none outside their review, and only those its status allows.
    pub fn review_actions(&self, app: &Application, org_path: Option<&str>) -> Vec<Action> {
        if !self.can_review_application(org_path) || self.owns_application(app) {
            return Vec::new();
        }
        review_candidates(org_path.is_none()).iter().copied().filter(|a| transition(app.status(), *a).is_ok()).collect()
    }

    /// Read an applicant's full ID document numbers: the secretariat (it keeps the dossiers),
    /// and the administrators of the city that reviews the application. Everyone else reads
    /// them masked.
    pub fn can_read_id_numbers(&self, org_path: Option<&str>) -> bool {
        self.can_process_direct_application() || org_path.is_some_and(|p| self.administers(p))
    }

    /// Read the ID numbers printed on this application's form: its applicant, and those who
    /// read them in full anyway.
    pub fn can_read_application_id_numbers(&self, app: &Application, org_path: Option<&str>) -> bool {
        self.owns_application(app) || self.can_read_id_numbers(org_path)
    }

    /// See city batches: the cities their own, the secretariat all of them.
    pub fn can_view_batches(&self) -> bool {
        self.has(Role::CityAdmin) || self.is_secretariat()
    }

    /// Make, change and forward the batches of the city at `org_path`: its administrators.
    pub fn can_batch_for(&self, org_path: &str) -> bool {
        self.administers(org_path)
    }

    /// Check a dossier and file or send back the application: the secretariat, never on
    /// their own application.
    pub fn can_keep_dossier(&self) -> bool {
        self.is_secretariat()
    }

    /// See standing council meetings: the secretariat (which runs them) and the council.
    pub fn can_view_council(&self) -> bool {
        self.has(Role::Council) || self.is_secretariat()
    }

    /// Call, run and close council meetings: the secretariat.
    pub fn can_manage_council(&self) -> bool {
        self.is_secretariat()
    }

    /// Vote at a meeting: a council member who attends it.
    pub fn can_vote(&self, attending: bool) -> bool {
        attending && self.has(Role::Council)
    }

    /// A council member does not vote on their own application (回避).
    pub fn must_recuse(&self, applicant: crate::storage::UserId) -> bool {
        self.is_user(applicant)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::actor;
    use super::*;

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
    fn council_members_vote_only_where_they_attend() {
        let council = actor(&[(Role::Council, "/1/")]);
        assert!(council.can_vote(true) && !council.can_vote(false));
        assert!(!actor(&[(Role::Secretariat, "/1/")]).can_vote(true));
    }
}
