//! The registry's vocabulary: a member's statuses (会籍状态) with their labels, and a city's
//! proposal of a change.

use crate::storage::UserId;

/// A member's statuses (会籍状态).
pub const STATUSES: [&str; 6] = ["active", "suspended", "lapsed", "withdrawn", "expelled", "deceased"];

/// Statuses that end a membership period (and the certificate's validity).
pub fn ends_membership(status: &str) -> bool {
    matches!(status, "lapsed" | "withdrawn" | "expelled" | "deceased")
}

pub fn status_label_key(status: &str) -> &'static str {
    match status {
        "active" => "member.s_active",
        "suspended" => "member.s_suspended",
        "lapsed" => "member.s_lapsed",
        "withdrawn" => "member.s_withdrawn",
        "expelled" => "member.s_expelled",
        "deceased" => "member.s_deceased",
        _ => "member.s_unknown",
    }
}

pub fn status_tag(status: &str) -> &'static str {
    match status {
        "active" => "tag-green",
        "suspended" => "tag-orange",
        "expelled" => "tag-red",
        _ => "tag-grey",
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Proposal {
    pub id: i64,
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub proposed_by: Option<UserId>,
    pub proposed_by_name: String,
    pub status: String,
    pub decided_by_name: String,
    pub decision_note: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}
