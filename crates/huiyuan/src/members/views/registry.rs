//! The registry's back-office pages: the member list and a member's page, and the
//! presenters that turn what the queries read into them.

use askama::Template;

use super::Options;
use crate::audit::AuditRow;
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::members::certificates::verify_url;
use crate::members::model::{Proposal, STATUSES, status_label_key, status_tag};
use crate::members::query::{Detail, Listed, OrgLabels, Visible, category_label};
use crate::members::store::{Certificate, Event, Linked, Member, Period, Row};
use crate::paths;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

/// A list row with its labels: (row, category, city, status label, status tag, masked ID).
pub type ListRow = (Row, String, String, &'static str, &'static str, String);

#[derive(Template)]
#[template(path = "members/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    /// "1,234" or "10,000+".
    pub total_label: String,
    pub q: String,
    pub city: String,
    pub category: String,
    pub kind: String,
    pub status: String,
    pub year: String,
    pub sort: String,
    pub group: String,
    pub mark: String,
    /// The marks to filter by, in the page's language.
    pub marks: Options,
    /// The group member whose individuals are listed.
    pub group_name: Option<String>,
    pub cities: Options,
    /// The city filter and column: only for those who see more than one city.
    pub show_city: bool,
    pub categories: Options,
    pub statuses: Options,
    pub years: Vec<i32>,
    pub searching: bool,
    /// `?filters` for the export links (empty without filters).
    pub export_query: String,
    /// The roster import is open to this viewer.
    pub may_import: bool,
}

/// The forms on a member's page, as typed when one was refused.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// "status", "category" or "reissue".
    pub form: &'static str,
    pub value: String,
    pub reason: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "members/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub m: Member,
    pub category: String,
    pub city: String,
    pub status_label: &'static str,
    pub status_tag: &'static str,
    /// Masked unless revealed (and logged).
    pub id_number: String,
    pub may_reveal: bool,
    pub revealed: bool,
    pub may_manage: bool,
    /// A city administrator proposes instead of changing.
    pub may_propose: bool,
    /// (proposal, from label, to label), newest first.
    pub proposals: Vec<(Proposal, String, String)>,
    pub events: Vec<(Event, String, String)>,
    pub periods: Vec<(Period, &'static str)>,
    pub certificates: Vec<Certificate>,
    pub linked: Vec<(Linked, &'static str)>,
    /// Group members: (individuals, min, max, meets).
    pub group_range: Option<(usize, usize, usize, bool)>,
    /// (entry, action label)
    pub audit: Vec<(AuditRow, String)>,
    /// "3 individual members (3–5 required)".
    pub range_rule: String,
    pub statuses: Options,
    pub categories: Options,
    pub attempt: Attempt,
    pub verify_url: String,
    /// The marks the member was imported with, in words.
    pub marks: Vec<&'static str>,
    /// The member services they used: (what, when, status, tag, purpose), the latest first.
    pub services: Vec<(String, String, &'static str, &'static str, String)>,
}

/// The list's rows with their labels.
pub fn list_rows(settings: &Settings, page: &PageCtx, orgs: &OrgLabels, listed: Listed) -> Vec<ListRow> {
    listed
        .rows
        .into_iter()
        .map(|r| {
            let category = category_label(settings, page.lang, &r.category);
            let city = orgs.place(r.org_id);
            let status = page.t(status_label_key(&r.status));
            let masked = crate::domain::mask_document(&r.id_number);
            let tag = status_tag(&r.status);
            (r, category, city, status, tag, masked)
        })
        .collect()
}

/// "1,234", or "10,000+" when the count reached the cap.
pub fn total_label(page: &PageCtx, total: i64, cap: i64) -> String {
    if total > cap { format!("{}+", page.num(cap)) } else { page.num(total) }
}

/// The statuses for a select, in the page's language.
pub fn status_options(page: &PageCtx) -> Options {
    STATUSES.iter().map(|s| (s.to_string(), page.t(status_label_key(s)).to_string())).collect()
}

/// The categories for a select (those that fit a member of `kind`, or all), in the page's
/// language.
pub fn category_options(settings: &Settings, page: &PageCtx, kind: Option<&str>) -> Options {
    settings
        .categories
        .iter()
        .filter(|c| kind.is_none_or(|k| c.kind.fits(k)))
        .map(|c| (c.code.clone(), category_label(settings, page.lang, &c.code)))
        .collect()
}

/// A member's page: the record (the ID number masked unless `revealed` by one who may),
/// its history, periods, certificates, links, proposals and audit trail, and the forms the
/// viewer may use; `attempt` re-shows a refused form as typed.
pub fn member_page(
    settings: &Settings,
    actor: &Actor,
    page: PageCtx,
    v: Visible,
    d: Detail,
    revealed: bool,
    attempt: Attempt,
) -> ShowPage {
    let (m, path) = (v.member, v.org_path.as_deref());
    let label = |kind: &str, value: &str| -> String {
        match kind {
            "status" => page.t(status_label_key(value)).to_string(),
            "category" | "joined" => category_label(settings, page.lang, value),
            _ => value.to_string(),
        }
    };
    let events = d
        .events
        .into_iter()
        .map(|e| {
            let (from, to) = (label(&e.kind, &e.from_value), label(&e.kind, &e.to_value));
            (e, from, to)
        })
        .collect();
    let periods = d
        .periods
        .into_iter()
        .map(|p| {
            let end = if p.end_status.is_empty() { "" } else { page.t(status_label_key(&p.end_status)) };
            (p, end)
        })
        .collect();
    let linked: Vec<_> = d
        .linked
        .into_iter()
        .map(|l| {
            let t = page.t(status_label_key(&l.3));
            (l, t)
        })
        .collect();
    let (min, max) = (settings.joining.group_individuals_min, settings.joining.group_individuals_max);
    let group_range = (m.kind == "group").then(|| {
        let n = linked.iter().filter(|(l, _)| l.3 == "active").count();
        (n, min, max, (min..=max).contains(&n))
    });
    let range_rule = group_range
        .map(|(n, min, max, _)| page.msg(&Msg::new("member.range_rule").arg("n", n).arg("min", min).arg("max", max)))
        .unwrap_or_default();
    let may_reveal = actor.can_reveal_member_id(path);
    let id_number =
        if revealed && may_reveal { m.id_number.clone() } else { crate::domain::mask_document(&m.id_number) };
    let proposals = d
        .proposals
        .into_iter()
        .map(|p| {
            let label = |v: &str| match p.field.as_str() {
                "status" => page.t(status_label_key(v)).to_string(),
                _ => category_label(settings, page.lang, v),
            };
            let (from, to) = (label(&p.from_value), label(&p.to_value));
            (p, from, to)
        })
        .collect();
    let audit = d
        .audit
        .into_iter()
        .map(|r| {
            let label = crate::audit::action_label(page.lang, &r.action);
            (r, label)
        })
        .collect();
    ShowPage {
        category: category_label(settings, page.lang, &m.category),
        city: d.city.unwrap_or_else(|| page.t("member.direct").to_string()),
        status_label: page.t(status_label_key(&m.status)),
        status_tag: status_tag(&m.status),
        id_number,
        may_reveal: may_reveal && !revealed && !m.id_number.is_empty(),
        revealed: revealed && may_reveal,
        may_manage: actor.can_manage_members(),
        may_propose: actor.can_propose_member_change(path),
        proposals,
        events,
        periods,
        certificates: d.certificates,
        linked,
        group_range,
        audit,
        range_rule,
        statuses: status_options(&page),
        categories: category_options(settings, &page, Some(&m.kind)),
        attempt,
        verify_url: verify_url(settings, &m.number, None),
        marks: m
            .mark_list()
            .iter()
            .filter_map(|code| crate::members::query::MARKS.iter().find(|(c, _)| c == code))
            .map(|(_, key)| page.t(key))
            .collect(),
        services: Vec::new(),
        ctx: page.title_text(m.name.clone()).crumb("menu.registry", paths::ADMIN_MEMBERS),
        m,
    }
}
