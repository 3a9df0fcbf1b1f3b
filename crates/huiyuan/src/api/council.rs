//! The standing council (常务理事会) through the API: its meetings, calling one, a
//! member's votes and the resolution that makes members — the pages' service functions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::applications::council::{self, MeetingInput};
use crate::applications::query;
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, MeetingId, UserId};
use crate::web::Staff;

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_MEETINGS, meetings)
        .post(paths::API_MEETINGS, meeting_create)
        .get(paths::API_MEETING, meeting_show)
        .post(paths::API_MEETING_VOTES, votes)
        .post(paths::API_MEETING_CLOSE, close)
}

/// A meeting of the standing council (常务理事会).
#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: i64,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub session: String,
    /// votes (members vote in the app) or minutes (counts typed from the minutes).
    pub mode: String,
    /// open or closed.
    pub status: String,
    pub council_size: i64,
    pub resolution_number: Option<String>,
    pub closed_at: Option<i64>,
}

fn meeting_out(m: council::Meeting) -> MeetingOut {
    MeetingOut {
        id: m.id.0,
        held_on: m.held_on,
        session: m.session,
        mode: m.mode,
        status: m.status,
        council_size: m.council_size,
        resolution_number: m.resolution_number,
        closed_at: m.closed_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgendaOut {
    pub application_id: i64,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub approve: i64,
    pub reject: i64,
    pub abstain: i64,
    /// approved or declined, once closed.
    pub outcome: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VoteOut {
    pub application_id: i64,
    pub user_id: i64,
    pub name: String,
    /// approve, reject or abstain.
    pub choice: String,
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDetailOut {
    pub meeting: MeetingOut,
    /// (user id, name) of those attending.
    pub attendees: Vec<(i64, String)>,
    pub agenda: Vec<AgendaOut>,
    pub votes: Vec<VoteOut>,
}

async fn meeting_detail(state: &AppState, actor: &crate::auth::Actor, id: MeetingId) -> AppResult<MeetingDetailOut> {
    let meeting = query::meeting(&state.db, actor, id).await?;
    let d = query::meeting_detail(&state.db, &meeting).await?;
    Ok(MeetingDetailOut {
        meeting: meeting_out(meeting),
        attendees: d.attendees.into_iter().map(|(id, name)| (id.0, name)).collect(),
        agenda: d
            .agenda
            .into_iter()
            .map(|a| AgendaOut {
                application_id: a.application_id.0,
                name: a.name,
                kind: a.kind,
                category: a.category,
                approve: a.approve,
                reject: a.reject,
                abstain: a.abstain,
                outcome: a.outcome,
            })
            .collect(),
        votes: d
            .votes
            .into_iter()
            .map(|v| VoteOut {
                application_id: v.application_id.0,
                user_id: v.user_id.0,
                name: v.display_name,
                choice: v.choice,
                comment: v.comment,
            })
            .collect(),
    })
}

/// The council's meetings, newest first (the council and the secretariat).
#[utoipa::path(get, path = "/api/v1/council/meetings", tag = "joining",
    responses((status = 200, body = Vec<MeetingOut>), (status = 403, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn meetings(State(state): State<AppState>, Staff(actor, _): Staff) -> AppResult<Json<Vec<MeetingOut>>> {
    let (list, _) = query::meetings(&state.db, &actor).await?;
    Ok(Json(list.into_iter().map(meeting_out).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingCreate {
    /// YYYY-MM-DD.
    pub held_on: String,
    pub session: String,
    /// votes or minutes.
    pub mode: String,
    /// Council members' user ids.
    #[serde(default)]
    pub attendees: Vec<i64>,
    /// Filed (ready) applications.
    pub agenda: Vec<i64>,
}

/// Call a meeting (the secretariat): 201; the agenda's applications move to on_agenda.
#[utoipa::path(post, path = "/api/v1/council/meetings", tag = "joining", request_body = MeetingCreate,
    responses((status = 201, body = MeetingDetailOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn meeting_create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    ApiJson(body): ApiJson<MeetingCreate>,
) -> AppResult<Response> {
    query::council_manager(&actor)?;
    let input = MeetingInput {
        held_on: body.held_on,
        session: body.session,
        mode: body.mode,
        attendees: body.attendees.into_iter().map(UserId).collect(),
        agenda: body.agenda.into_iter().map(ApplicationId).collect(),
    };
    let id = council::create(&state, &actor, &ctx.who(), &input).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(meeting_detail(&state, &actor, id).await?)).into_response())
}

/// A meeting with its attendees, agenda and votes.
#[utoipa::path(get, path = "/api/v1/council/meetings/{id}", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingDetailOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 404, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn meeting_show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<MeetingId>,
) -> AppResult<Json<MeetingDetailOut>> {
    Ok(Json(meeting_detail(&state, &actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VoteIn {
    pub application_id: i64,
    /// approve, reject or abstain.
    pub choice: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
pub struct VotesBody {
    pub votes: Vec<VoteIn>,
}

/// An attending council member's votes (changeable until the meeting closes; never on
/// their own application).
#[utoipa::path(post, path = "/api/v1/council/meetings/{id}/votes", tag = "joining", params(("id" = i64, Path)), request_body = VotesBody,
    responses((status = 200, body = MeetingDetailOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn votes(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MeetingId>,
    ApiJson(body): ApiJson<VotesBody>,
) -> AppResult<Json<MeetingDetailOut>> {
    let meeting = query::meeting(&state.db, &actor, id).await?;
    let choices: Vec<(ApplicationId, String, String)> =
        body.votes.into_iter().map(|v| (ApplicationId(v.application_id), v.choice, v.comment)).collect();
    council::vote(&state, &actor, &ctx.who(), &meeting, &choices).await?.map_err(AppError::Validation)?;
    Ok(Json(meeting_detail(&state, &actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MinutesIn {
    pub application_id: i64,
    pub approve: i64,
    pub reject: i64,
    pub abstain: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    /// The resolution's number, e.g. 晋青科教〔2026〕12号.
    pub resolution: String,
    /// A minutes meeting: the counts of each agenda item.
    #[serde(default)]
    pub minutes: Vec<MinutesIn>,
}

/// What closing decided: each approved application with its new member number.
#[derive(Serialize, ToSchema)]
pub struct ClosedOut {
    pub meeting: MeetingDetailOut,
    /// (name, member number).
    pub approved: Vec<(String, String)>,
    pub declined: Vec<String>,
}

/// Close a meeting with its resolution (the secretariat): the tally decides each item;
/// approved applicants become members with a number. 409 without a quorum or once closed.
#[utoipa::path(post, path = "/api/v1/council/meetings/{id}/close", tag = "joining", params(("id" = i64, Path)), request_body = CloseBody,
    responses((status = 200, body = ClosedOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn close(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MeetingId>,
    ApiJson(body): ApiJson<CloseBody>,
) -> AppResult<Json<ClosedOut>> {
    let meeting = query::meeting(&state.db, &actor, id).await?;
    let minutes: council::Minutes =
        body.minutes.iter().map(|m| (ApplicationId(m.application_id), m.approve, m.reject, m.abstain)).collect();
    let closed = council::close(&state, &actor, &ctx.who(), &meeting, &body.resolution, &minutes)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(ClosedOut {
        meeting: meeting_detail(&state, &actor, id).await?,
        approved: closed.approved,
        declined: closed.declined,
    }))
}
