//! The standing council's pages (常务理事会): the meetings, calling one, a meeting with its
//! agenda, voting, taking an application off the agenda, and closing with the resolution.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::{Pairs, field, ids};
use crate::applications::council::{self, MeetingInput};
use crate::applications::query;
use crate::applications::views::chain::{MeetingAttempt, meeting_page, meeting_status, new_meeting_page};
use crate::applications::views::{CouncilPage, MeetingPage, MeetingRow};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, MeetingId, UserId};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_COUNCIL, list)
        .post(paths::ADMIN_COUNCIL, create)
        .get(paths::ADMIN_COUNCIL_NEW, new)
        .get(paths::ADMIN_MEETING, show)
        .post(paths::ADMIN_MEETING_VOTES, votes)
        .post(paths::ADMIN_MEETING_CLOSE, close)
        .post(paths::ADMIN_MEETING_REMOVE, remove)
}

async fn list(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    let (meetings, waiting) = query::meetings(&state.db, &actor).await?;
    let meetings = meetings
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
    let view = CouncilPage {
        ctx: page.title("council.title").crumb("menu.joining", paths::ADMIN_APPLICATIONS),
        meetings,
        can_manage: actor.can_manage_council(),
        waiting,
    };
    Ok(render(&view)?.into_response())
}

async fn new(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    let choices = query::meeting_choices(&state.db, &actor).await?;
    let today = state.settings.locale.today();
    Ok(render(&new_meeting_page(today, page, choices, None, FieldErrors::new()))?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    query::council_manager(&actor)?;
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
            let choices = query::meeting_choices(&state.db, &actor).await?;
            let today = state.settings.locale.today();
            render_refused(&new_meeting_page(today, page, choices, Some(&input), errors))
        }
    }
}

async fn view(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    id: MeetingId,
    a: MeetingAttempt,
) -> AppResult<MeetingPage> {
    let meeting = query::meeting(&state.db, actor, id).await?;
    let d = query::meeting_detail(&state.db, &meeting).await?;
    Ok(meeting_page(&state.settings, actor, page, &meeting, d, a))
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    Ok(render(&view(&state, &actor, page, id, MeetingAttempt::default()).await?)?.into_response())
}

async fn votes(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let meeting = query::meeting(&state.db, &actor, id).await?;
    let choices: Vec<(ApplicationId, String, String)> = ids::<ApplicationId>(&pairs, "item")?
        .into_iter()
        .map(|app| (app, field(&pairs, &format!("choice_{app}")), field(&pairs, &format!("comment_{app}"))))
        .collect();
    match council::vote(&state, &actor, &ctx.who(), &meeting, &choices).await? {
        Ok(()) => Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEETING, id), &Msg::new("flash.votes_saved"))),
        Err(errors) => {
            let attempt = MeetingAttempt { votes: choices, errors, ..MeetingAttempt::default() };
            render_refused(&view(&state, &actor, page, id, attempt).await?)
        }
    }
}

async fn close(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let meeting = query::meeting(&state.db, &actor, id).await?;
    let resolution = field(&pairs, "resolution");
    // The minutes as typed, per agenda item; a count that is not a number reads as -1,
    // which the tally refuses.
    let typed: Vec<(ApplicationId, [String; 3])> = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("approve_")?.parse::<ApplicationId>().ok())
        .map(|app| {
            let get = |k: &str| field(&pairs, &format!("{k}_{app}"));
            (app, [get("approve"), get("reject"), get("abstain")])
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
    render_refused(&view(&state, &actor, page, id, attempt).await?)
}

async fn remove(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, app)): Path<(MeetingId, ApplicationId)>,
) -> AppResult<Response> {
    let meeting = query::meeting(&state.db, &actor, id).await?;
    council::unschedule(&state, &actor, &ctx.who(), &meeting, app).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_MEETING, id), &Msg::new("flash.agenda_item_removed")))
}
