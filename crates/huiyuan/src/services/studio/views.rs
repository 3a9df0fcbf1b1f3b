//! The studio's pages: its resources, a resource's week, the booking form, a person's
//! bookings, and the managers' page — templates and the presenters that fill them.

use askama::Template;
use time::{Date, Duration};

use super::query::Line;
use super::resources::ResourceForm;
use super::service::{BookingInput, slot_label};
use super::{Booking, Resource, Status};
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::FieldErrors;
use crate::state::AppState;
use crate::web::PageCtx;

/// The catalog key of an ISO weekday's short name (1 = Monday).
fn weekday_key(day: u8) -> Option<&'static str> {
    const KEYS: [&str; 7] = [
        "studio.weekday_1",
        "studio.weekday_2",
        "studio.weekday_3",
        "studio.weekday_4",
        "studio.weekday_5",
        "studio.weekday_6",
        "studio.weekday_7",
    ];
    KEYS.get(usize::from(day).checked_sub(1)?).copied()
}

/// A resource as the pages show it.
pub struct ResourceView {
    pub r: Resource,
    pub kind: &'static str,
    pub purposes: Vec<String>,
    /// "周六、周日" / "每天开放".
    pub closed: String,
}

pub fn resource_view(settings: &Settings, page: &PageCtx, r: Resource) -> ResourceView {
    let closed: Vec<&str> = r
        .closed_weekdays
        .split_whitespace()
        .filter_map(|d| d.parse::<u8>().ok())
        .filter_map(weekday_key)
        .map(|k| page.t(k))
        .collect();
    let closed =
        if closed.is_empty() { page.t("studio.closed_none").to_string() } else { closed.join(page.t("punct.list")) };
    ResourceView {
        kind: page.t(r.kind_key()),
        purposes: r
            .purposes_from(&settings.studio.purposes)
            .iter()
            .map(|p| page.lang.setting(settings, p).to_string())
            .collect(),
        closed,
        r,
    }
}

#[derive(Template)]
#[template(path = "studio/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub intro: String,
    pub resources: Vec<ResourceView>,
}

/// One booking in a day of the week.
pub struct Entry {
    pub time: String,
    pub purpose: String,
    pub status: &'static str,
    pub tag: &'static str,
    /// The booker, for the booker themselves and the managers.
    pub booker: Option<String>,
    /// The booking, when this viewer may cancel it now (its booker in time, a manager until
    /// it ends).
    pub cancel: Option<i64>,
}

/// One day of a resource's week.
pub struct Day {
    pub date: String,
    pub weekday: &'static str,
    pub closed: bool,
    pub entries: Vec<Entry>,
    /// May a booking for this day be asked for (not past, not closed)?
    pub bookable: bool,
}

#[derive(Template)]
#[template(path = "studio/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub res: ResourceView,
    pub days: Vec<Day>,
    pub prev: String,
    pub next: String,
    pub signed_in: bool,
}

/// The time of a booking within its day, "09:00–11:00".
fn times(state: &AppState, b: &Booking) -> String {
    let label = slot_label(state, b.starts_at, b.ends_at);
    label.split_once(' ').map(|(_, t)| t.to_string()).unwrap_or(label)
}

/// May this viewer cancel the booking now (the service decides again when they do)?
fn may_cancel(state: &AppState, actor: &Actor, b: &Booking) -> bool {
    let now = crate::storage::now_ms();
    let limit = b.starts_at - state.settings.studio.cancel_hours_before * 3_600_000;
    b.status().holds_slot()
        && ((actor.can_manage_studio() && now < b.ends_at) || (actor.is_user(b.user_id) && now < limit))
}

/// A resource's week from `monday`: each day with its bookings.
pub fn show_page(
    state: &AppState,
    page: PageCtx,
    actor: Option<&Actor>,
    res: ResourceView,
    (monday, closed_days): (Date, &[Date]),
    bookings: Vec<Booking>,
) -> ShowPage {
    let today = state.settings.locale.today();
    let offset = state.settings.locale.utc_offset();
    let days = (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            let closed = res.r.closed_on(date.weekday()) || closed_days.contains(&date);
            let entries = bookings
                .iter()
                .filter(|b| {
                    time::OffsetDateTime::from_unix_timestamp(b.starts_at / 1000)
                        .map(|t| t.to_offset(offset).date() == date)
                        .unwrap_or(false)
                })
                .map(|b| Entry {
                    time: times(state, b),
                    purpose: page.lang.setting(&state.settings, &b.purpose).to_string(),
                    status: page.t(b.status().label_key()),
                    tag: b.status().tag(),
                    booker: actor.filter(|a| a.can_see_booking(b.user_id)).map(|_| b.booker_name.clone()),
                    cancel: actor.filter(|a| may_cancel(state, a, b)).map(|_| b.id.0),
                })
                .collect();
            let weekday = page.t(weekday_key(date.weekday().number_from_monday()).unwrap_or("studio.weekday_7"));
            Day { date: date.to_string(), weekday, closed, entries, bookable: !closed && date >= today }
        })
        .collect();
    let name = res.r.name.clone();
    ShowPage {
        ctx: page.title_text(name).crumb("studio.title", crate::paths::STUDIO),
        prev: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        signed_in: actor.is_some(),
        res,
        days,
    }
}

#[derive(Template)]
#[template(path = "studio/book.html")]
pub struct BookPage {
    pub ctx: PageCtx,
    pub res: ResourceView,
    pub form: BookingInput,
    pub errors: FieldErrors,
    /// A refusal of the whole booking (the slot is taken).
    pub alert: Option<String>,
    pub window: String,
    /// (value, label) choices.
    pub times: Vec<String>,
    pub purposes: Vec<(String, String)>,
}

pub fn book_page(
    settings: &Settings,
    page: PageCtx,
    res: ResourceView,
    member: bool,
    attempt: (BookingInput, FieldErrors, Option<String>),
) -> BookPage {
    let st = &settings.studio;
    let window = if member {
        page.t1("studio.window_member", "n", st.member_days_ahead)
    } else {
        page.lang.render(
            &crate::i18n::Msg::new("studio.window_other")
                .arg("n", st.others_days_ahead)
                .arg("members", st.member_days_ahead),
        )
    };
    let (opens, closes) = (super::slot::parse_time(&res.r.opens_at), super::slot::parse_time(&res.r.closes_at));
    let mut times = Vec::new();
    if let (Some(o), Some(c)) = (opens, closes) {
        let (mut m, end) =
            (i64::from(o.hour()) * 60 + i64::from(o.minute()), i64::from(c.hour()) * 60 + i64::from(c.minute()));
        while m <= end {
            times.push(format!("{:02}:{:02}", m / 60, m % 60));
            m += st.slot_minutes.max(1);
        }
    }
    let purposes = res
        .r
        .purposes_from(&st.purposes)
        .iter()
        .map(|p| (p.to_string(), page.lang.setting(settings, p).to_string()))
        .collect();
    let (form, errors, alert) = attempt;
    let title = page.t1("studio.book_title", "name", res.r.name.as_str());
    let href = crate::paths::with_id(crate::paths::STUDIO_RESOURCE, res.r.id);
    BookPage {
        ctx: page.title_text(title).crumb("studio.title", crate::paths::STUDIO).crumb_text(res.r.name.clone(), &href),
        res,
        form,
        errors,
        alert,
        window,
        times,
        purposes,
    }
}

/// A booking in a person's list or the managers' queue.
pub struct LineView {
    pub id: i64,
    pub resource: String,
    pub when: String,
    pub purpose: String,
    pub participants: i64,
    pub booker: String,
    pub member: bool,
    pub note: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub next: String,
    pub decision_note: String,
    pub cancellable: bool,
}

pub fn line_view(state: &AppState, page: &PageCtx, l: Line) -> LineView {
    let b = l.booking;
    let status = b.status();
    let next = match status {
        Status::Pending => page.t("studio.next_pending").to_string(),
        Status::Approved => page.t1("studio.next_approved", "hours", state.settings.studio.cancel_hours_before),
        Status::Declined => page.t("studio.next_declined").to_string(),
        Status::Cancelled => page.t("studio.next_cancelled").to_string(),
    };
    LineView {
        id: b.id.0,
        when: slot_label(state, b.starts_at, b.ends_at),
        purpose: page.lang.setting(&state.settings, &b.purpose).to_string(),
        participants: b.participants,
        member: b.member_id.is_some(),
        status: page.t(status.label_key()),
        tag: status.tag(),
        // The booker's own rule: until the settings' hours before the start.
        cancellable: status.holds_slot()
            && crate::storage::now_ms() < b.starts_at - state.settings.studio.cancel_hours_before * 3_600_000,
        resource: l.resource,
        booker: b.booker_name,
        note: b.note,
        decision_note: b.decision_note,
        next,
    }
}

#[derive(Template)]
#[template(path = "studio/mine.html")]
pub struct MinePage {
    pub ctx: PageCtx,
    pub bookings: Vec<LineView>,
}

#[derive(Template)]
#[template(path = "studio/admin.html")]
pub struct AdminPage {
    pub ctx: PageCtx,
    pub pending: Vec<LineView>,
    pub resources: Vec<ResourceView>,
    /// The closed-day form as typed, with what is wrong.
    pub closed_form: (String, String, String),
    pub errors: FieldErrors,
    /// (note typed, errors) of a refused decision, by booking.
    pub refused: Option<(i64, String, FieldErrors)>,
}

#[derive(Template)]
#[template(path = "studio/resource_form.html")]
pub struct ResourcePage {
    pub ctx: PageCtx,
    /// None: a new resource.
    pub id: Option<i64>,
    pub form: ResourceForm,
    pub errors: FieldErrors,
}
