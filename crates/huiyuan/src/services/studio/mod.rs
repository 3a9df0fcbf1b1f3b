//! The provincial youth science studio (省青少年科学工作室, §二.4): its resources (`Resource` —
//! 资源: rooms, exhibition space, equipment) with opening hours and closed days, and their
//! bookings (`Booking` — 预约) for exhibit exchange, science activities and the like.
//! Members book first: they may book further ahead than others (the settings' window). A
//! studio manager approves or declines; a booker cancels until a set time before. Two
//! bookings of one resource that hold their slot (pending or approved) never overlap: the
//! booking decides under a lock on the resource row (see `store::hold`).

pub mod calendar;
pub mod demo;
pub mod query;
pub mod resources;
pub mod routes;
pub mod service;
pub mod slot;
pub mod store;
pub mod views;

use serde::Serialize;
use sqlx::FromRow;

use crate::storage::{BookingId, Flag, MemberId, OrgId, ResourceId, UserId};

/// A resource of the studio.
#[derive(Debug, Clone, FromRow)]
pub struct Resource {
    pub id: ResourceId,
    pub name: String,
    /// room, space or equipment.
    pub kind: String,
    pub description: String,
    pub capacity: i64,
    /// What it may be used for, one purpose per line (empty: any of the settings').
    pub purposes: String,
    /// Local opening hours, HH:MM.
    pub opens_at: String,
    pub closes_at: String,
    /// ISO weekdays it is closed (1 = Monday), space-separated.
    pub closed_weekdays: String,
    pub active: Flag,
}

impl Resource {
    /// The purposes it may be booked for, from those of the settings.
    pub fn purposes_from<'a>(&'a self, settings: &'a [String]) -> Vec<&'a str> {
        let own: Vec<&str> = self.purposes.lines().map(str::trim).filter(|p| !p.is_empty()).collect();
        if own.is_empty() { settings.iter().map(String::as_str).collect() } else { own }
    }

    pub fn closed_on(&self, weekday: time::Weekday) -> bool {
        let n = weekday.number_from_monday().to_string();
        self.closed_weekdays.split_whitespace().any(|d| d == n)
    }

    pub fn kind_key(&self) -> &'static str {
        match self.kind.as_str() {
            "room" => "studio.kind_room",
            "space" => "studio.kind_space",
            _ => "studio.kind_equipment",
        }
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Asked for, waiting for a manager (待审批); holds its slot.
    Pending,
    /// Approved (已批准); holds its slot.
    Approved,
    /// Declined by a manager (未批准).
    Declined,
    /// Cancelled by the booker or a manager (已取消).
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Pending, Status::Approved, Status::Declined, Status::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::Pending => "studio.s_pending",
            Status::Approved => "studio.s_approved",
            Status::Declined => "studio.s_declined",
            Status::Cancelled => "studio.s_cancelled",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Status::Pending => "tag-orange",
            Status::Approved => "tag-green",
            Status::Declined => "tag-red",
            Status::Cancelled => "tag-grey",
        }
    }

    /// Does a booking in this state keep others off its slot?
    pub fn holds_slot(self) -> bool {
        matches!(self, Status::Pending | Status::Approved)
    }
}

/// A booking of a resource.
#[derive(Debug, Clone, FromRow)]
pub struct Booking {
    pub id: BookingId,
    pub resource_id: ResourceId,
    pub user_id: UserId,
    pub booker_name: String,
    pub member_id: Option<MemberId>,
    pub org_id: Option<OrgId>,
    /// UTC milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
    pub purpose: String,
    pub participants: i64,
    pub note: String,
    pub status: String,
    pub decided_name: String,
    pub decided_at: Option<i64>,
    pub decision_note: String,
    pub created_at: i64,
}

impl Booking {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Cancelled)
    }
}
