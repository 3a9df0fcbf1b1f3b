//! The pages of the review chain after the city's review: a city's batches, and the
//! standing council's meetings with their agenda and votes.

use super::*;
use crate::applications::batches::Batch;
use crate::applications::council::{Meeting, MeetingInput};
use crate::applications::model::{Application, Kind};
use crate::applications::query::MeetingDetail;
use crate::auth::Actor;
use crate::config::Settings;
use crate::orgs::Org;
use crate::paths;
use crate::storage::{ApplicationId, UserId};

pub fn batch_status(page: &PageCtx, status: &str) -> (&'static str, &'static str) {
    if status == "open" {
        (page.t("batch.status_open"), "tag-orange")
    } else {
        (page.t("batch.status_forwarded"), "tag-blue")
    }
}

/// A batch's page: its applications and, for its city's administrators while it is open,
/// the forward and remove buttons.
pub fn batch_page(
    settings: &Settings,
    actor: &Actor,
    page: PageCtx,
    batch: Batch,
    org: Org,
    apps: Vec<Application>,
) -> BatchPage {
    let items = apps
        .into_iter()
        .map(|a| {
            let status = a.status();
            BatchItemView {
                id: a.id.to_string(),
                kind: page.t(a.kind().label_key()),
                category: crate::members::query::category_label(settings, page.lang, &a.category),
                employer: match a.kind() {
                    Kind::Individual => a.individual_form().employer,
                    Kind::Group => a.group_form().institution_type,
                },
                status: page.t(status.label_key()),
                tag: status.tag(),
                name: a.name,
            }
        })
        .collect();
    BatchPage {
        ctx: page.title_text(batch.name.clone()).crumb("batch.list_title", paths::ADMIN_BATCHES),
        id: batch.id.to_string(),
        open: batch.is_open(),
        created_at: batch.created_at,
        forwarded_at: batch.forwarded_at,
        items,
        can_change: actor.can_batch_for(&org.path),
        city: org.name,
        name: batch.name,
    }
}

pub fn meeting_status(page: &PageCtx, m: &Meeting) -> (&'static str, &'static str) {
    if m.is_open() {
        (page.t("council.status_open"), "tag-orange")
    } else {
        (page.t("council.status_closed"), "tag-green")
    }
}

/// The new-meeting form: a new one starts with everyone attending and everything ready on
/// the agenda; a refused one shows what was typed.
pub fn new_meeting_page(
    today: time::Date,
    page: PageCtx,
    (members, ready): (Vec<(UserId, String)>, Vec<Application>),
    input: Option<&MeetingInput>,
    errors: FieldErrors,
) -> NewMeetingPage {
    let council = members
        .into_iter()
        .map(|(id, name)| (id.to_string(), name, input.is_none_or(|i| i.attendees.contains(&id))))
        .collect();
    let ready = ready
        .into_iter()
        .map(|a| {
            (
                a.id.to_string(),
                a.name.clone(),
                page.t(a.kind().label_key()),
                input.is_none_or(|i| i.agenda.contains(&a.id)),
            )
        })
        .collect();
    NewMeetingPage {
        held_on: input.map(|i| i.held_on.clone()).unwrap_or_else(|| today.to_string()),
        session: input.map(|i| i.session.clone()).unwrap_or_default(),
        mode: input.map(|i| i.mode.clone()).unwrap_or_else(|| "votes".into()),
        council,
        ready,
        errors,
        ctx: page.title("council.new").crumb("council.title", paths::ADMIN_COUNCIL),
    }
}

/// What a refused form sent, shown again: votes (application, choice, comment), the
/// resolution number and the minutes.
#[derive(Default)]
pub struct MeetingAttempt {
    pub votes: Vec<(ApplicationId, String, String)>,
    pub resolution: String,
    pub minutes: Vec<(ApplicationId, [String; 3])>,
    pub errors: FieldErrors,
}

fn choice_key(choice: &str) -> &'static str {
    match choice {
        "approve" => "council.approve",
        "reject" => "council.reject",
        "abstain" => "council.abstain",
        _ => "council.voted",
    }
}

/// A meeting's page: the agenda with the votes (who voted what once it is closed), the
/// viewer's own votes and, for the secretariat, the close form.
pub fn meeting_page(
    settings: &Settings,
    actor: &Actor,
    page: PageCtx,
    meeting: &Meeting,
    d: MeetingDetail,
    attempt: MeetingAttempt,
) -> MeetingPage {
    let MeetingDetail { attendees, votes, agenda } = d;
    let open = meeting.is_open();
    let attending = attendees.iter().any(|(id, _)| actor.is_user(*id));
    let can_vote = open && meeting.by_votes() && actor.can_vote(attending);
    let items = agenda
        .into_iter()
        .map(|i| {
            let mine = votes.iter().find(|v| v.application_id == i.application_id && actor.is_user(v.user_id));
            let typed = attempt.votes.iter().find(|v| v.0 == i.application_id);
            let (my_choice, my_comment) = match (typed, mine) {
                (Some((_, c, m)), _) => (c.clone(), m.clone()),
                (None, Some(v)) => (v.choice.clone(), v.comment.clone()),
                (None, None) => (String::new(), String::new()),
            };
            // Who voted what is shown once the meeting is closed; while it is open, only who
            // has voted.
            let item_votes = votes
                .iter()
                .filter(|v| v.application_id == i.application_id)
                .map(|v| {
                    if open {
                        (v.display_name.clone(), page.t("council.voted"), String::new())
                    } else {
                        (v.display_name.clone(), page.t(choice_key(&v.choice)), v.comment.clone())
                    }
                })
                .collect();
            let minutes = attempt
                .minutes
                .iter()
                .find(|m| m.0 == i.application_id)
                .map(|(_, [a, r, b])| (a.clone(), r.clone(), b.clone()))
                .unwrap_or_else(|| ("0".into(), "0".into(), "0".into()));
            let (outcome_label, outcome_tag) = match i.outcome.as_deref() {
                Some("approved") => ("council.outcome_approved", "tag-green"),
                Some(_) => ("council.outcome_declined", "tag-red"),
                None => ("", ""),
            };
            AgendaView {
                id: i.application_id.to_string(),
                kind: Kind::parse(&i.kind).map(|k| page.t(k.label_key())).unwrap_or(""),
                category: crate::members::query::category_label(settings, page.lang, &i.category),
                approve: i.approve,
                reject: i.reject,
                abstain: i.abstain,
                outcome_label,
                outcome_tag,
                recuse: actor.must_recuse(i.applicant_id),
                my_choice,
                my_comment,
                minutes,
                votes: item_votes,
                name: i.name,
            }
        })
        .collect();
    let present = i64::try_from(attendees.len()).unwrap_or(0);
    MeetingPage {
        ctx: page.title_text(meeting.session.clone()).crumb("council.title", paths::ADMIN_COUNCIL),
        id: meeting.id.to_string(),
        held_on: meeting.held_on.clone(),
        session: meeting.session.clone(),
        by_votes: meeting.by_votes(),
        open,
        council_size: meeting.council_size,
        quorate: settings.council.quorate(present, meeting.council_size),
        attendees: attendees.into_iter().map(|(_, name)| name).collect(),
        resolution: if open { attempt.resolution } else { meeting.resolution_number.clone().unwrap_or_default() },
        items,
        can_manage: actor.can_manage_council(),
        can_vote,
        errors: attempt.errors,
    }
}
