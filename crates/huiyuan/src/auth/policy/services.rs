//! Who may do what with the member services (会员服务): anyone signed in books the studio (a
//! member within the members' window, others within theirs) and sees and cancels their own
//! bookings; the secretariat runs the studio — its resources, closed days and decisions.

use crate::auth::actor::Actor;
use crate::storage::UserId;

impl Actor {
    /// Keep the studio's resources and closed days, approve or decline bookings: the
    /// secretariat.
    pub fn can_manage_studio(&self) -> bool {
        self.is_secretariat()
    }

    /// See (and cancel) a booking: its booker, or the studio's managers.
    pub fn can_see_booking(&self, booker: UserId) -> bool {
        self.is_user(booker) || self.can_manage_studio()
    }
}
