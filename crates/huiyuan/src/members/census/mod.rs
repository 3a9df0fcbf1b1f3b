//! Census and re-registration campaigns (普查、清理和重新登记). The secretariat opens a
//! campaign (a window, some or all cities, some or all categories); every active member in
//! scope gets a task — in the app and by e-mail — to confirm or correct their record; city
//! administrators follow progress and may confirm on a member's behalf with a note;
//! reminders go out once, a set number of days before the end; after the window the
//! secretariat previews who would lapse and confirms, and those members lapse (reversible
//! like any status change, with a reason).

pub mod query;
pub mod service;

use time::Date;

use crate::storage::{MemberId, OrgId};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Census {
    pub id: i64,
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub orgs_json: String,
    pub categories_json: String,
    pub remind_days: i64,
    pub status: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub lapsed_at: Option<i64>,
}

impl Census {
    pub fn orgs(&self) -> Vec<OrgId> {
        serde_json::from_str(&self.orgs_json).unwrap_or_default()
    }

    pub fn categories(&self) -> Vec<String> {
        serde_json::from_str(&self.categories_json).unwrap_or_default()
    }

    /// Members can still answer (the window is open and nobody has lapsed yet).
    pub fn answerable(&self, today: Date) -> bool {
        self.status == "open" && self.opens_on.as_str() <= today.to_string().as_str() && !self.is_over(today)
    }

    pub fn is_over(&self, today: Date) -> bool {
        self.closes_on.as_str() < today.to_string().as_str()
    }
}

/// What the secretariat fills in to open a campaign.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CensusForm {
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub remind_days: String,
    #[serde(skip)]
    pub orgs: Vec<OrgId>,
    #[serde(skip)]
    pub categories: Vec<String>,
}

/// What a member may correct in their record.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Correction {
    pub mobile: String,
    pub email: String,
    pub employer: String,
    pub note: String,
    /// The ID number of a member imported without one: the census asks for it.
    pub id_number: String,
}

/// Per city: (org, confirmed, corrected, pending, lapsed).
pub type CityCounts = (Option<OrgId>, i64, i64, i64, i64);

/// A member's line in a campaign's progress list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Progress {
    pub member_id: MemberId,
    pub number: String,
    pub name: String,
    pub org_id: Option<OrgId>,
    pub status: String,
    pub responded_at: Option<i64>,
    pub responded_by: String,
    pub on_behalf: i64,
    pub note: String,
}
