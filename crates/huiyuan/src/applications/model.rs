//! An application (入会申请) as stored: its kind, status and the form it carries as JSON.

use serde::Serialize;
use sqlx::FromRow;

use super::group::GroupForm;
use super::individual::IndividualForm;
use super::state::Status;
use crate::storage::{OrgId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Individual,
    Group,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Individual => "individual",
            Kind::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "individual" => Some(Kind::Individual),
            "group" => Some(Kind::Group),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Kind::Individual => "app.kind_individual",
            Kind::Group => "app.kind_group",
        }
    }
}

/// An application row.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Application {
    pub id: crate::storage::ApplicationId,
    pub kind: String,
    pub applicant_id: UserId,
    pub org_id: Option<OrgId>,
    pub status: String,
    pub name: String,
    #[serde(skip)]
    pub identity_key: Option<String>,
    pub category: String,
    #[serde(skip)]
    pub data: String,
    pub version: i64,
    pub submitted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Application {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Individual)
    }

    pub fn individual_form(&self) -> IndividualForm {
        serde_json::from_str(&self.data).unwrap_or_default()
    }

    pub fn group_form(&self) -> GroupForm {
        serde_json::from_str(&self.data).unwrap_or_default()
    }

    /// Province-direct (直接吸纳): no city reviews it.
    pub fn is_direct(&self) -> bool {
        self.org_id.is_none()
    }

    /// The steps of joining with where this application stands: (label, state, date).
    pub fn steps(&self, events: &[EventRow]) -> Vec<Step> {
        let direct = self.is_direct();
        // Each step is done once the application reached one of these statuses.
        let mut plan: Vec<(&'static str, &'static [&'static str])> = vec![("app.step_submit", &["submitted"])];
        if direct {
            plan.push(("app.step_secretariat_review", &["ready"]));
        } else {
            plan.push(("app.step_city_review", &["recommended"]));
            plan.push(("app.step_forward", &["forwarded"]));
            plan.push(("app.step_dossier", &["ready"]));
        }
        plan.push(("app.step_council", &["approved", "not_approved"]));
        plan.push(("app.step_member", &["approved"]));
        let reached =
            |targets: &[&str]| events.iter().rev().find(|e| targets.contains(&e.to_status.as_str())).map(|e| e.at);
        let status = self.status();
        let stopped = matches!(status, Status::Rejected | Status::Withdrawn | Status::NotApproved);
        let mut out = Vec::new();
        let mut current_marked = false;
        for (label, targets) in plan {
            // A return sends the application back to the applicant: later steps start again.
            let at = reached(targets).filter(|t| {
                events.iter().filter(|e| e.to_status == "returned" || e.to_status == "sent_back").all(|r| r.at <= *t)
            });
            let done = at.is_some() && !(label == "app.step_member" && status != Status::Approved);
            let state = if done {
                "done"
            } else if !current_marked {
                current_marked = true;
                if stopped { "stopped" } else { "current" }
            } else {
                "todo"
            };
            out.push(Step { label, state, at: if done { at } else { None } });
        }
        out
    }
}

/// One step of joining (提交 → 市协会审核 → …): its label (a catalog key), its state
/// (`done`, `current`, `stopped` or `todo`) and, once done, when.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub label: &'static str,
    pub state: &'static str,
    pub at: Option<i64>,
}

/// An application someone may read, with the path of its reviewing city (None:
/// province-direct). Only `query` makes one, so a service given one knows the reader was
/// checked.
pub struct Readable {
    pub app: Application,
    pub org_path: Option<String>,
    pub(super) reader: UserId,
}

impl Readable {
    /// The account this application was checked for.
    pub fn reader(&self) -> UserId {
        self.reader
    }
}

/// One step in an application's history, as its timeline shows it.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct EventRow {
    pub at: i64,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    /// The acting body's short name (never the staff member's).
    pub acting_org: Option<String>,
    pub note: String,
    pub detail: String,
}
