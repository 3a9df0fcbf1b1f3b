//! Who may subscribe other systems to events (webhooks): the secretariat for any org, a
//! city's administrators for their city. A subscription hears only what happens in its org.

use crate::auth::actor::Actor;

impl Actor {
    /// Register, remove and follow the subscriptions of the org at `org_path`.
    pub fn can_manage_webhooks(&self, org_path: &str) -> bool {
        self.is_secretariat() || self.administers(org_path)
    }

    /// Open the webhooks page: the secretariat and the cities' administrators.
    pub fn can_use_webhooks(&self) -> bool {
        self.is_secretariat() || self.administered_city().is_some()
    }
}
