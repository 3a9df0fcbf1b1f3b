//! The one state machine of an application (入会申请), from draft to member.
//!
//! ```text
//! draft ─submit─▶ submitted ─recommend─▶ recommended ─forward─▶ forwarded ─file─▶ ready
//!   │               │  ▲  │                │    │                 │                 │
//!   │               │  │  └─reject─▶ rejected    └─return─┐        └─send_back─▶ sent_back
//!   │               │  └──submit── returned ◀─return───────┘                (city: recommend,
//!   └─withdraw──────┴──────────────────────────▶ withdrawn                    return, reject)
//!
//! submitted ─file─▶ ready              (province-direct applications: the secretariat files)
//! ready ─schedule─▶ on_agenda ─approve─▶ approved      on_agenda ─decline─▶ not_approved
//!                   on_agenda ─unschedule─▶ ready      ready ─send_back─▶ sent_back
//! ```
//!
//! `transition` is pure: who may take an action, and on which channel, is decided by the
//! service and the policy; this decides only which moves exist.

use serde::Serialize;

use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Returned,
    Recommended,
    Rejected,
    Withdrawn,
    Forwarded,
    SentBack,
    Ready,
    OnAgenda,
    Approved,
    NotApproved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The applicant hands the form in (again, after a return).
    Submit,
    /// The applicant takes it back before a decision.
    Withdraw,
    /// The city recommends it to the province (推荐).
    Recommend,
    /// Back to the applicant for correction (退回修改).
    Return,
    /// The city turns it down, with a reason.
    Reject,
    /// Sent to the province in a batch (汇总报送).
    Forward,
    /// The secretariat sends it back to the city with a reason.
    SendBack,
    /// The secretariat's dossier is complete: ready for the council (入会档案).
    File,
    /// Put on a council meeting's agenda.
    Schedule,
    /// Taken off the agenda again.
    Unschedule,
    /// Approved by the council's resolution.
    Approve,
    /// Not approved by the council's resolution.
    Decline,
}

impl Status {
    pub const ALL: [Status; 12] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Recommended,
        Status::Rejected,
        Status::Withdrawn,
        Status::Forwarded,
        Status::SentBack,
        Status::Ready,
        Status::OnAgenda,
        Status::Approved,
        Status::NotApproved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Recommended => "recommended",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Forwarded => "forwarded",
            Status::SentBack => "sent_back",
            Status::Ready => "ready",
            Status::OnAgenda => "on_agenda",
            Status::Approved => "approved",
            Status::NotApproved => "not_approved",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::Draft => "app.status_draft",
            Status::Submitted => "app.status_submitted",
            Status::Returned => "app.status_returned",
            Status::Recommended => "app.status_recommended",
            Status::Rejected => "app.status_rejected",
            Status::Withdrawn => "app.status_withdrawn",
            Status::Forwarded => "app.status_forwarded",
            Status::SentBack => "app.status_sent_back",
            Status::Ready => "app.status_ready",
            Status::OnAgenda => "app.status_on_agenda",
            Status::Approved => "app.status_approved",
            Status::NotApproved => "app.status_not_approved",
        }
    }

    /// Status tag colours as users know them: 待审核 orange, 已推荐 blue, 已通过 green,
    /// 已退回/不予批准 red, 已撤回 grey.
    pub fn tag(self) -> &'static str {
        match self {
            Status::Draft | Status::Withdrawn => "tag-grey",
            Status::Submitted | Status::SentBack => "tag-orange",
            Status::Recommended | Status::Forwarded | Status::Ready | Status::OnAgenda => "tag-blue",
            Status::Approved => "tag-green",
            Status::Returned | Status::Rejected | Status::NotApproved => "tag-red",
        }
    }

    /// Still going somewhere (counts against "one open application per person").
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Rejected | Status::Withdrawn | Status::Approved | Status::NotApproved)
    }

    /// The applicant may change the form.
    pub fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }

    /// One sentence on what happens next, for the applicant (a catalog key).
    pub fn next_step_key(self) -> &'static str {
        match self {
            Status::Draft => "app.next_draft",
            Status::Submitted => "app.next_submitted",
            Status::Returned => "app.next_returned",
            Status::Recommended => "app.next_recommended",
            Status::Rejected => "app.next_rejected",
            Status::Withdrawn => "app.next_withdrawn",
            Status::Forwarded => "app.next_forwarded",
            Status::SentBack => "app.next_sent_back",
            Status::Ready => "app.next_ready",
            Status::OnAgenda => "app.next_on_agenda",
            Status::Approved => "app.next_approved",
            Status::NotApproved => "app.next_not_approved",
        }
    }
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::Submit,
        Action::Withdraw,
        Action::Recommend,
        Action::Return,
        Action::Reject,
        Action::Forward,
        Action::SendBack,
        Action::File,
        Action::Schedule,
        Action::Unschedule,
        Action::Approve,
        Action::Decline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::Recommend => "recommend",
            Action::Return => "return",
            Action::Reject => "reject",
            Action::Forward => "forward",
            Action::SendBack => "send_back",
            Action::File => "file",
            Action::Schedule => "schedule",
            Action::Unschedule => "unschedule",
            Action::Approve => "approve",
            Action::Decline => "decline",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Action::Submit => "app.action_submit",
            Action::Withdraw => "app.action_withdraw",
            Action::Recommend => "app.action_recommend",
            Action::Return => "app.action_return",
            Action::Reject => "app.action_reject",
            Action::Forward => "app.action_forward",
            Action::SendBack => "app.action_send_back",
            Action::File => "app.action_file",
            Action::Schedule => "app.action_schedule",
            Action::Unschedule => "app.action_unschedule",
            Action::Approve => "app.action_approve",
            Action::Decline => "app.action_decline",
        }
    }
}

/// Where `action` takes an application in `from`, or why it cannot.
pub fn transition(from: Status, action: Action) -> Result<Status, Msg> {
    use Action as A;
    use Status as S;
    let to = match (from, action) {
        (S::Draft | S::Returned, A::Submit) => S::Submitted,
        (S::Draft | S::Submitted | S::Returned | S::Recommended, A::Withdraw) => S::Withdrawn,
        (S::Submitted | S::SentBack, A::Recommend) => S::Recommended,
        (S::Submitted | S::Recommended | S::SentBack, A::Return) => S::Returned,
        (S::Submitted | S::SentBack, A::Reject) => S::Rejected,
        (S::Recommended, A::Forward) => S::Forwarded,
        (S::Forwarded | S::Ready, A::SendBack) => S::SentBack,
        (S::Forwarded | S::Submitted, A::File) => S::Ready,
        (S::Ready, A::Schedule) => S::OnAgenda,
        (S::OnAgenda, A::Unschedule) => S::Ready,
        (S::OnAgenda, A::Approve) => S::Approved,
        (S::OnAgenda, A::Decline) => S::NotApproved,
        _ => {
            return Err(Msg::new("err.app_transition").arg("status", from.as_str()).arg("action", action.as_str()));
        }
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Status as S;

    /// Every (status, action) pair: the allowed moves and their targets; all else refused.
    #[test]
    fn the_whole_table() {
        let allowed: &[(Status, Action, Status)] = &[
            (S::Draft, A::Submit, S::Submitted),
            (S::Draft, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Recommend, S::Recommended),
            (S::Submitted, A::Return, S::Returned),
            (S::Submitted, A::Reject, S::Rejected),
            (S::Submitted, A::File, S::Ready),
            (S::Returned, A::Submit, S::Submitted),
            (S::Returned, A::Withdraw, S::Withdrawn),
            (S::Recommended, A::Withdraw, S::Withdrawn),
            (S::Recommended, A::Return, S::Returned),
            (S::Recommended, A::Forward, S::Forwarded),
            (S::Forwarded, A::SendBack, S::SentBack),
            (S::Forwarded, A::File, S::Ready),
            (S::SentBack, A::Recommend, S::Recommended),
            (S::SentBack, A::Return, S::Returned),
            (S::SentBack, A::Reject, S::Rejected),
            (S::Ready, A::Schedule, S::OnAgenda),
            (S::Ready, A::SendBack, S::SentBack),
            (S::OnAgenda, A::Unschedule, S::Ready),
            (S::OnAgenda, A::Approve, S::Approved),
            (S::OnAgenda, A::Decline, S::NotApproved),
        ];
        for from in Status::ALL {
            for action in Action::ALL {
                let expected = allowed.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                match (transition(from, action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} {action:?}"),
                    (Err(msg), None) => assert_eq!(msg.key, "err.app_transition"),
                    (got, want) => panic!("{from:?} {action:?}: got {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn closed_applications_go_nowhere() {
        for from in [S::Rejected, S::Withdrawn, S::Approved, S::NotApproved] {
            assert!(!from.is_open());
            assert!(Action::ALL.iter().all(|a| transition(from, *a).is_err()));
        }
        assert!(S::Draft.is_open() && S::OnAgenda.is_open());
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }
}
