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
