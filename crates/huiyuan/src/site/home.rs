//! A person's own home (`/me`, 我的): their membership — number, category, city, state, the
//! certificate's last day — their applications with each one's next step, what waits for
//! their action now, and, when they have neither membership nor application, the way to
//! apply; and the member services they use (their studio bookings to come). Everything is the
//! signed-in person's own; nothing here changes state.

use crate::applications::model::Application;
use crate::applications::state::Status;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::members::model::{status_label_key, status_tag};
use crate::members::query::{self, category_label};
use crate::paths;
use crate::state::AppState;
use crate::storage::{ApplicationId, MemberId};

use super::workbench::{self, Todo};

/// One of the person's member records, as their home shows it.
pub struct Membership {
    pub id: MemberId,
    /// The codes behind the labels (for the API).
    pub status_code: String,
    pub category_code: String,
    pub name: String,
    pub number: String,
    pub category: String,
    /// The city association keeping the record (or the province, for direct members).
    pub keeper: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub active: bool,
    pub joined_at: i64,
    /// The valid certificate's last day, when there is one.
    pub valid_until: Option<String>,
}

/// One of the person's applications with what happens next.
pub struct ApplicationLine {
    pub id: ApplicationId,
    /// The codes behind the labels (for the API).
    pub status_code: &'static str,
    pub kind_code: &'static str,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub tag: &'static str,
    pub next: &'static str,
    /// Where to go: the form while it is the applicant's to change, else its status page.
    pub href: String,
    /// The applicant's to change now (a draft or returned).
    pub theirs: bool,
}

/// One of the person's studio bookings still to come.
pub struct BookingLine {
    pub id: crate::storage::BookingId,
    pub resource: String,
    /// "2026-12-08 09:00–11:00"
    pub when: String,
    pub status_code: &'static str,
    pub status: &'static str,
    pub tag: &'static str,
}

pub struct Home {
    pub memberships: Vec<Membership>,
    pub applications: Vec<ApplicationLine>,
    /// Studio bookings that hold their slot and have not ended, the soonest first.
    pub bookings: Vec<BookingLine>,
    /// What waits for this person's action (census, an application to mend).
    pub todos: Vec<Todo>,
}

impl Home {
    /// Neither a member nor an applicant yet: the page offers the way to apply.
    pub fn newcomer(&self) -> bool {
        self.memberships.is_empty() && self.applications.is_empty()
    }
}

/// The signed-in person's home.
pub async fn home(state: &AppState, actor: &Actor, lang: Lang) -> AppResult<Home> {
    let mut conn = state.db.pool().acquire().await?;
    let own = query::own_records(&mut conn, &state.settings, actor).await?;
    let names = state.org_names.all(&mut conn).await?;
    let direct = lang.t("member.direct");
    let apps = crate::applications::store::for_applicant(&mut conn, actor.user_id).await?;
    drop(conn);
    // What waits for them, from the records just read.
    let todos = workbench::member_actions(lang, &apps, &own);
    let memberships = own
        .into_iter()
        .map(|o| {
            let m = o.member;
            let keeper = m
                .org_id
                .and_then(|id| names.iter().find(|n| n.id == id))
                .map(|n| n.short_name.clone())
                .unwrap_or_else(|| direct.to_string());
            Membership {
                id: m.id,
                status_code: m.status.clone(),
                category_code: m.category.clone(),
                category: category_label(&state.settings, lang, &m.category),
                status: lang.t(status_label_key(&m.status)),
                tag: status_tag(&m.status),
                active: m.status == "active",
                joined_at: m.joined_at,
                valid_until: o.certificate.map(|c| c.valid_until),
                keeper,
                name: m.name,
                number: m.number,
            }
        })
        .collect::<Vec<_>>();
    let applications = shown_applications(apps, !memberships.is_empty()).into_iter().map(|a| line(a, lang)).collect();
    let now = crate::storage::now_ms();
    let mut lines = crate::services::studio::query::mine(state, actor).await?;
    lines.retain(|l| l.booking.status().holds_slot() && l.booking.ends_at > now);
    lines.sort_by_key(|l| l.booking.starts_at);
    let bookings = lines
        .into_iter()
        .map(|l| {
            let status = l.booking.status();
            BookingLine {
                id: l.booking.id,
                when: crate::services::studio::service::slot_label(state, l.booking.starts_at, l.booking.ends_at),
                resource: l.resource,
                status_code: status.as_str(),
                status: lang.t(status.label_key()),
                tag: status.tag(),
            }
        })
        .collect();
    Ok(Home { memberships, applications, bookings, todos })
}

/// The applications still under way; with none under way and no membership, the latest one
/// (a refusal or a withdrawal the person should still read about).
fn shown_applications(apps: Vec<Application>, member: bool) -> Vec<Application> {
    let closed = |a: &Application| {
        matches!(a.status(), Status::Approved | Status::Rejected | Status::Withdrawn | Status::NotApproved)
    };
    let open: Vec<Application> = apps.iter().filter(|a| !closed(a)).cloned().collect();
    if !open.is_empty() || member {
        return open;
    }
    apps.into_iter().take(1).collect()
}

fn line(a: Application, lang: Lang) -> ApplicationLine {
    let status = a.status();
    let theirs = matches!(status, Status::Draft | Status::Returned);
    let href = paths::with_id(if theirs { paths::APPLICATION_EDIT } else { paths::APPLICATION }, a.id);
    ApplicationLine {
        id: a.id,
        status_code: status.as_str(),
        kind_code: a.kind().as_str(),
        name: if a.name.is_empty() { lang.t("app.unnamed").to_string() } else { a.name.clone() },
        kind: lang.t(a.kind().label_key()),
        status: lang.t(status.label_key()),
        tag: status.tag(),
        next: lang.t(status.next_step_key()),
        href,
        theirs,
    }
}
