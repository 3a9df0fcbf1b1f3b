use askama::Template;

use super::store::{Delivery, Webhook};
use crate::error::FieldErrors;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

/// A subscription in the list: it, its events' labels, and (pending, delivered, failed).
pub struct HookRow {
    pub hook: Webhook,
    pub events: Vec<&'static str>,
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    pub href: String,
}

/// What the new-subscription form holds.
#[derive(Debug, Clone, Default)]
pub struct HookForm {
    pub org: String,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

impl HookForm {
    pub fn has(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

#[derive(Template)]
#[template(path = "webhooks/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub rows: Vec<HookRow>,
    /// (event, label key) to choose from.
    pub events: Vec<(&'static str, &'static str)>,
    /// The orgs the form may choose (the secretariat); empty: the caller's own city.
    pub orgs: Vec<(String, String)>,
    pub form: HookForm,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "webhooks/created.html")]
pub struct CreatedPage {
    pub ctx: PageCtx,
    pub hook: Webhook,
    pub secret: String,
    pub href: String,
}

pub struct DeliveryRow {
    pub d: Delivery,
    pub event_label: &'static str,
    pub status_label: &'static str,
    pub status_tag: &'static str,
}

#[derive(Template)]
#[template(path = "webhooks/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub hook: Webhook,
    pub events: Vec<&'static str>,
    pub rows: Vec<DeliveryRow>,
    pub pager: Pager,
}

/// The label key of an event.
pub fn event_label(event: &str) -> &'static str {
    match event {
        "application.status_changed" => "webhook.ev_application",
        "member.created" => "webhook.ev_member_created",
        "member.status_changed" => "webhook.ev_member_status",
        "member.category_changed" => "webhook.ev_member_category",
        "certificate.issued" => "webhook.ev_certificate",
        "report.submitted" => "webhook.ev_report",
        "booking.status_changed" => "webhook.ev_booking",
        _ => "webhook.ev_unknown",
    }
}

pub fn status_of(status: &str) -> (&'static str, &'static str) {
    match status {
        "delivered" => ("webhook.s_delivered", "tag-green"),
        "failed" => ("webhook.s_failed", "tag-red"),
        _ => ("webhook.s_pending", "tag-orange"),
    }
}
