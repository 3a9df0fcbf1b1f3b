//! Pages of the review chain after the city's review: batches to the province, and the
//! standing council's meetings.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::batches::{self, Batch};
use super::council::{self, Meeting, MeetingInput};
use super::model::Kind;
use super::routes::{QueueQuery, queue_view};
use super::state::Status;
use super::store as app_store;
use super::views::*;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::orgs::Org;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{ApplicationId, BatchId, MeetingId, UserId};
use crate::web::{PageCtx, Staff, allow, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_BATCHES, batch_list)
        .post(paths::ADMIN_BATCHES, batch_create)
        .get(paths::ADMIN_BATCH, batch_show)
        .post(paths::ADMIN_BATCH_FORWARD, batch_forward)
        .post(paths::ADMIN_BATCH_REMOVE, batch_remove)
        .get(paths::ADMIN_COUNCIL, council_list)
        .post(paths::ADMIN_COUNCIL, meeting_create)
        .get(paths::ADMIN_COUNCIL_NEW, meeting_new)
        .get(paths::ADMIN_MEETING, meeting_show)
        .post(paths::ADMIN_MEETING_VOTES, meeting_votes)
        .post(paths::ADMIN_MEETING_CLOSE, meeting_close)
        .post(paths::ADMIN_MEETING_REMOVE, meeting_remove)
}

/// Form pairs, as sent (checkbox lists repeat a name).
type Pairs = Vec<(String, String)>;

fn field(pairs: &Pairs, name: &str) -> String {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The ids sent under `name`, each once, in the order sent.
fn ids<T: std::str::FromStr + PartialEq>(pairs: &Pairs, name: &str) -> AppResult<Vec<T>> {
    let mut out: Vec<T> = Vec::new();
    for (_, v) in pairs.iter().filter(|(n, _)| n == name) {
        let id = v.parse::<T>().map_err(|_| AppError::BadRequest(Msg::new("error.bad_request")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

// ---- batches ----

/// The batch and its city, if the viewer may see it.
pub(super) async fn visible_batch(state: &AppState, actor: &Actor, id: BatchId) -> AppResult<(Batch, Org)> {
    allow(actor.can_view_batches())?;
    let mut conn = state.db.pool().acquire().await?;
    let batch = batches::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let org = crate::orgs::store::find(&mut conn, batch.org_id).await?.ok_or(AppError::NotFound)?;
    allow(actor.can_view_org(&org.path))?;
    Ok((batch, org))
}

fn batch_status(page: &PageCtx, status: &str) -> (&'static str, &'static str) {
    if status == "open" {
        (page.t("batch.status_open"), "tag-orange")
    } else {
        (page.t("batch.status_forwarded"), "tag-blue")
    }
}

async fn batch_list(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    allow(actor.can_view_batches())?;
    let mut conn = state.db.pool().acquire().await?;
    let rows = batches::list(&mut conn, &actor.org_scope())
        .await?
        .into_iter()
        .map(|b| {
            let (label, tag) = batch_status(&page, &b.status);
            (b, label, tag)
        })
        .collect();
    let view =
        BatchListPage { ctx: page.title("batch.list_title").crumb("menu.joining", paths::ADMIN_APPLICATIONS), rows };
    Ok(render(&view)?.into_response())
}

async fn batch_create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    allow(actor.has(Role::CityAdmin))?;
    let apps: Vec<ApplicationId> = ids(&pairs, "app")?;
    let name = field(&pairs, "name");
    // The batch belongs to the city of the applications in it (or, with none picked, the
    // administrator's own city, for the message).
    let mut conn = state.db.pool().acquire().await?;
    let org_id = match apps.first() {
        Some(id) => app_store::find(&mut conn, *id).await?.ok_or(AppError::NotFound)?.org_id,
        None => actor.grants.iter().find(|g| g.role == Role::CityAdmin).map(|g| g.org_id),
    };
    let org = match org_id {
        Some(id) => crate::orgs::store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?,
        None => return Err(AppError::Forbidden),
    };
    drop(conn);
    match batches::create(&state, &actor, &ctx.who(), &org, &name, &apps).await? {
        Ok(id) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_BATCH, id),
            &Msg::new("flash.batch_created").arg("name", crate::text::normalize_line(&name)),
        )),
        Err(errors) => {
            let q = QueueQuery { status: Status::Recommended.as_str().to_string(), ..QueueQuery::default() };
            let view = queue_view(&state, &actor, page, q, Some((name, apps, errors))).await?;
            render_refused(&view)
        }
    }
}

async fn batch_show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<BatchId>,
) -> AppResult<Response> {
    let (batch, org) = visible_batch(&state, &actor, id).await?;
    let mut conn = state.db.pool().acquire().await?;
    let items = batches::items(&mut conn, batch.id)
        .await?
        .into_iter()
        .map(|a| {
            let status = a.status();
            BatchItemView {
                id: a.id.to_string(),
                kind: page.t(a.kind().label_key()),
                category: state.settings.category(&a.category).map(|c| c.name.clone()).unwrap_or_default(),
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
    let view = BatchPage {
        ctx: page.title_text(batch.name.clone()).crumb("batch.list_title", paths::ADMIN_BATCHES),
        id: batch.id.to_string(),
        open: batch.is_open(),
        created_at: batch.created_at,
        forwarded_at: batch.forwarded_at,
        items,
        can_change: actor.can_review_city_application(&org.path),
        city: org.name,
        name: batch.name,
    };
    Ok(render(&view)?.into_response())
}

async fn batch_forward(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<BatchId>,
) -> AppResult<Response> {
    let (batch, org) = visible_batch(&state, &actor, id).await?;
    batches::forward(&state, &actor, &ctx.who(), &batch, &org).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_BATCH, id),
        &Msg::new("flash.batch_forwarded").arg("name", &batch.name),
    ))
}

async fn batch_remove(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, app)): Path<(BatchId, ApplicationId)>,
) -> AppResult<Response> {
    let (batch, org) = visible_batch(&state, &actor, id).await?;
    batches::remove_item(&state, &actor, &ctx.who(), &batch, &org, app).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_BATCH, id), &Msg::new("flash.batch_item_removed")))
}

// ---- the standing council ----

async fn council_list(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    allow(actor.can_view_council())?;
    let mut conn = state.db.pool().acquire().await?;
    let meetings = council::list(&mut conn)
        .await?
        .into_iter()
        .map(|m| {
            let (status, tag) = meeting_status(&page, &m);
            MeetingRow {
                id: m.id.to_string(),
                held_on: m.held_on,
                session: m.session,
                status,
                tag,
                resolution: m.resolution_number.unwrap_or_default(),
            }
        })
        .collect();
    let waiting = council::count_ready(&mut conn).await?;
    let view = CouncilPage {
        ctx: page.title("council.title").crumb("menu.joining", paths::ADMIN_APPLICATIONS),
        meetings,
        can_manage: actor.can_process_direct_application(),
        waiting,
    };
    Ok(render(&view)?.into_response())
}

fn meeting_status(page: &PageCtx, m: &Meeting) -> (&'static str, &'static str) {
    if m.is_open() {
        (page.t("council.status_open"), "tag-orange")
    } else {
        (page.t("council.status_closed"), "tag-green")
    }
}

async fn new_meeting_page(
    state: &AppState,
    page: PageCtx,
    input: Option<&MeetingInput>,
    errors: FieldErrors,
) -> AppResult<NewMeetingPage> {
    let mut conn = state.db.pool().acquire().await?;
    let members = council::council_members(&mut conn).await?;
    let ready = council::ready_applications(&mut conn).await?;
    // A new form starts with everyone attending and everything ready on the agenda.
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
    let today = state.settings.locale.today();
    Ok(NewMeetingPage {
        held_on: input.map(|i| i.held_on.clone()).unwrap_or_else(|| today.to_string()),
        session: input.map(|i| i.session.clone()).unwrap_or_default(),
        mode: input.map(|i| i.mode.clone()).unwrap_or_else(|| "votes".into()),
        council,
        ready,
        errors,
        ctx: page.title("council.new").crumb("council.title", paths::ADMIN_COUNCIL),
    })
}

async fn meeting_new(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    allow(actor.can_process_direct_application())?;
    Ok(render(&new_meeting_page(&state, page, None, FieldErrors::new()).await?)?.into_response())
}

async fn meeting_create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    allow(actor.can_process_direct_application())?;
    let input = MeetingInput {
        held_on: field(&pairs, "held_on"),
        session: field(&pairs, "session"),
        mode: field(&pairs, "mode"),
        attendees: ids::<UserId>(&pairs, "attendee")?,
        agenda: ids::<ApplicationId>(&pairs, "agenda")?,
    };
    match council::create(&state, &actor, &ctx.who(), &input).await? {
        Ok(id) => {
            Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEETING, id), &Msg::new("flash.meeting_created")))
        }
        Err(errors) => {
            let view = new_meeting_page(&state, page, Some(&input), errors).await?;
            render_refused(&view)
        }
    }
}

async fn visible_meeting(state: &AppState, actor: &Actor, id: MeetingId) -> AppResult<Meeting> {
    allow(actor.can_view_council())?;
    let mut conn = state.db.pool().acquire().await?;
    council::find(&mut conn, id).await?.ok_or(AppError::NotFound)
}

/// What a refused form sent, shown again: votes (application, choice, comment), the
/// resolution number and the minutes.
#[derive(Default)]
struct MeetingAttempt {
    votes: Vec<(ApplicationId, String, String)>,
    resolution: String,
    minutes: Vec<(ApplicationId, [String; 3])>,
    errors: FieldErrors,
}

fn choice_key(choice: &str) -> &'static str {
    match choice {
        "approve" => "council.approve",
        "reject" => "council.reject",
        "abstain" => "council.abstain",
        _ => "council.voted",
    }
}

async fn meeting_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    meeting: &Meeting,
    attempt: MeetingAttempt,
) -> AppResult<MeetingPage> {
    let mut conn = state.db.pool().acquire().await?;
    let attendees = council::attendees(&mut conn, meeting.id).await?;
    let votes = council::votes(&mut conn, meeting.id).await?;
    let agenda = council::agenda(&mut conn, meeting.id).await?;
    drop(conn);
    let open = meeting.is_open();
    let can_vote =
        open && meeting.by_votes() && actor.has(Role::Council) && attendees.iter().any(|(id, _)| *id == actor.user_id);
    let items = agenda
        .into_iter()
        .map(|i| {
            let mine = votes.iter().find(|v| v.application_id == i.application_id && v.user_id == actor.user_id);
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
                category: state.settings.category(&i.category).map(|c| c.name.clone()).unwrap_or_default(),
                approve: i.approve,
                reject: i.reject,
                abstain: i.abstain,
                outcome_label,
                outcome_tag,
                recuse: i.applicant_id == actor.user_id,
                my_choice,
                my_comment,
                minutes,
                votes: item_votes,
                name: i.name,
            }
        })
        .collect();
    let present = i64::try_from(attendees.len()).unwrap_or(0);
    Ok(MeetingPage {
        ctx: page.title_text(meeting.session.clone()).crumb("council.title", paths::ADMIN_COUNCIL),
        id: meeting.id.to_string(),
        held_on: meeting.held_on.clone(),
        session: meeting.session.clone(),
        by_votes: meeting.by_votes(),
        open,
        council_size: meeting.council_size,
        quorate: state.settings.council.quorate(present, meeting.council_size),
        attendees: attendees.into_iter().map(|(_, name)| name).collect(),
        resolution: if open { attempt.resolution } else { meeting.resolution_number.clone().unwrap_or_default() },
        items,
        can_manage: actor.can_process_direct_application(),
        can_vote,
        errors: attempt.errors,
    })
}

async fn meeting_show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &actor, id).await?;
    Ok(render(&meeting_page(&state, &actor, page, &meeting, MeetingAttempt::default()).await?)?.into_response())
}

async fn meeting_votes(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &actor, id).await?;
    let choices: Vec<(ApplicationId, String, String)> = ids::<ApplicationId>(&pairs, "item")?
        .into_iter()
        .map(|app| (app, field(&pairs, &format!("choice_{app}")), field(&pairs, &format!("comment_{app}"))))
        .collect();
    match council::vote(&state, &actor, &ctx.who(), &meeting, &choices).await? {
        Ok(()) => Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEETING, id), &Msg::new("flash.votes_saved"))),
        Err(errors) => {
            let attempt = MeetingAttempt { votes: choices, errors, ..MeetingAttempt::default() };
            let view = meeting_page(&state, &actor, page, &meeting, attempt).await?;
            render_refused(&view)
        }
    }
}

async fn meeting_close(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &actor, id).await?;
    allow(actor.can_process_direct_application())?;
    let mut conn = state.db.pool().acquire().await?;
    let agenda = council::agenda(&mut conn, meeting.id).await?;
    drop(conn);
    let resolution = field(&pairs, "resolution");
    // The minutes as typed; a count that is not a number reads as -1, which the tally refuses.
    let typed: Vec<(ApplicationId, [String; 3])> = agenda
        .iter()
        .filter(|i| pairs.iter().any(|(n, _)| *n == format!("approve_{}", i.application_id)))
        .map(|i| {
            let get = |k: &str| field(&pairs, &format!("{k}_{}", i.application_id));
            (i.application_id, [get("approve"), get("reject"), get("abstain")])
        })
        .collect();
    let count = |s: &str| crate::text::normalize(s).trim().parse::<i64>().unwrap_or(-1);
    let minutes: council::Minutes = typed.iter().map(|(app, [a, r, b])| (*app, count(a), count(r), count(b))).collect();
    let refused = match council::close(&state, &actor, &ctx.who(), &meeting, &resolution, &minutes).await {
        Ok(Ok(closed)) => {
            // The flash carries one argument: the outcome, worded in the viewer's language.
            let outcome = page.lang.render(
                &Msg::new("council.outcome_summary")
                    .arg("approved", closed.approved.len())
                    .arg("declined", closed.declined.len()),
            );
            let msg = Msg::new("flash.meeting_closed").arg("name", outcome);
            return Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEETING, id), &msg));
        }
        Ok(Err(errors)) => errors,
        // No quorum: say so on the meeting page, with what was typed.
        Err(AppError::Conflict(msg)) if msg.key == "err.no_quorum" => FieldErrors::single("quorum", msg),
        Err(e) => return Err(e),
    };
    let attempt = MeetingAttempt { resolution, minutes: typed, errors: refused, ..MeetingAttempt::default() };
    let view = meeting_page(&state, &actor, page, &meeting, attempt).await?;
    render_refused(&view)
}

async fn meeting_remove(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, app)): Path<(MeetingId, ApplicationId)>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &actor, id).await?;
    council::unschedule(&state, &actor, &ctx.who(), &meeting, app).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEETING, id), &Msg::new("flash.agenda_item_removed")))
}
