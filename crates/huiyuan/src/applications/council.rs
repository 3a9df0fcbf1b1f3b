//! The standing council (常务理事会): the secretariat calls a meeting with its attending
//! council members and puts filed applications on the agenda; members vote in the app (or the
//! secretariat records the minutes of a meeting held offline); closing the meeting checks the
//! quorum, decides each application by the settings' majority, gives the resolution its
//! number, and turns each approved application into a member with a unified number — all in
//! one transaction.

use serde::Serialize;
use serde_json::json;
use sqlx::FromRow;

use super::model::Application;
use super::service::apply;
use super::state::{Action, Status};
use super::store as app_store;
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::domain::parse_date;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::members::{numbering, store as member_store};
use crate::state::AppState;
use crate::storage::{ApplicationId, Conn, MeetingId, UserId, is_unique_violation, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub held_on: String,
    pub session: String,
    pub mode: String,
    pub status: String,
    pub council_size: i64,
    pub resolution_number: Option<String>,
    pub closed_at: Option<i64>,
}

impl Meeting {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    pub fn by_votes(&self) -> bool {
        self.mode == "votes"
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AgendaRow {
    pub application_id: ApplicationId,
    pub applicant_id: UserId,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub approve: i64,
    pub reject: i64,
    pub abstain: i64,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct VoteRow {
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub display_name: String,
    pub choice: String,
    pub comment: String,
}

const MEETING_COLUMNS: &str = "id, held_on, session, mode, status, council_size, resolution_number, closed_at";

pub async fn find(conn: &mut Conn, id: MeetingId) -> Result<Option<Meeting>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {MEETING_COLUMNS} FROM council_meeting WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Meeting>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {MEETING_COLUMNS} FROM council_meeting ORDER BY held_on DESC, id DESC"))
        .fetch_all(&mut *conn)
        .await
}

pub async fn agenda(conn: &mut Conn, id: MeetingId) -> Result<Vec<AgendaRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.application_id, a.applicant_id, a.name, a.kind, a.category, i.approve, i.reject, i.abstain, i.outcome
         FROM agenda_item i JOIN application a ON a.id = i.application_id WHERE i.meeting_id = $1 ORDER BY a.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

pub async fn attendees(conn: &mut Conn, id: MeetingId) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM meeting_attendee m JOIN app_user u ON u.id = m.user_id
         WHERE m.meeting_id = $1 ORDER BY u.display_name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

pub async fn votes(conn: &mut Conn, id: MeetingId) -> Result<Vec<VoteRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.application_id, v.user_id, u.display_name, v.choice, v.comment
         FROM vote v JOIN app_user u ON u.id = v.user_id WHERE v.meeting_id = $1 ORDER BY v.application_id, u.display_name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

/// Active accounts holding the council role (on an active node).
pub async fn council_members(conn: &mut Conn) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT u.id, u.display_name FROM role_grant g JOIN app_user u ON u.id = g.user_id JOIN org o ON o.id = g.org_id
         WHERE g.role = 'council' AND u.is_active = 1 AND o.is_active = 1 ORDER BY u.display_name",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Applications filed and waiting for a meeting.
pub async fn ready_applications(conn: &mut Conn) -> Result<Vec<Application>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.kind, a.applicant_id, a.org_id, a.status, a.name, a.identity_key, a.category, a.data,
                a.version, a.submitted_at, a.created_at, a.updated_at
         FROM application a WHERE a.status = 'ready' ORDER BY a.id",
    )
    .fetch_all(&mut *conn)
    .await
}

/// How many filed applications wait for a meeting.
pub async fn count_ready(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM application WHERE status = 'ready'").fetch_one(&mut *conn).await?;
    Ok(n)
}

/// What the new-meeting form sends.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub held_on: String,
    pub session: String,
    pub mode: String,
    pub attendees: Vec<UserId>,
    pub agenda: Vec<ApplicationId>,
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    input: &MeetingInput,
) -> AppResult<Result<MeetingId, FieldErrors>> {
    if !actor.can_manage_council() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::new();
    let held_on = parse_date(&input.held_on).map_err(|m| errors.add("held_on", m)).ok();
    let session = crate::text::normalize_line(&input.session);
    if session.is_empty() {
        errors.add("session", Msg::new("err.required"));
    } else if session.chars().count() > 80 {
        errors.add("session", Msg::new("err.too_long").arg("max", 80));
    }
    if !matches!(input.mode.as_str(), "votes" | "minutes") {
        errors.add("mode", Msg::new("err.choice"));
    }
    if input.agenda.is_empty() {
        errors.add("agenda", Msg::new("err.agenda_empty"));
    }
    let mut tx = state.db.begin().await?;
    let council = council_members(&mut tx).await?;
    if input.attendees.iter().any(|a| !council.iter().any(|(id, _)| id == a)) {
        errors.add("attendees", Msg::new("err.choice"));
    }
    let mut apps = Vec::new();
    for id in &input.agenda {
        match app_store::find(&mut tx, *id).await? {
            Some(app) if app.status() == Status::Ready => apps.push(app),
            _ => errors.add("agenda", Msg::new("err.agenda_not_ready")),
        }
    }
    let Some(held_on) = held_on.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO council_meeting (held_on, session, mode, status, council_size, created_by, created_at)
         VALUES ($1, $2, $3, 'open', $4, $5, $6) RETURNING id",
    )
    .bind(held_on.to_string())
    .bind(&session)
    .bind(&input.mode)
    .bind(i64::try_from(council.len()).unwrap_or(0))
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let id = MeetingId(id);
    for user in &input.attendees {
        sqlx::query("INSERT INTO meeting_attendee (meeting_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    }
    let root = crate::orgs::store::root(&mut tx).await?.id;
    for app in &apps {
        sqlx::query("INSERT INTO agenda_item (meeting_id, application_id) VALUES ($1, $2)")
            .bind(id)
            .bind(app.id)
            .execute(&mut *tx)
            .await?;
        apply(&mut tx, state, actor, who, app, Action::Schedule, Some(root), &session, json!({ "meeting": id }))
            .await?;
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("council.create", "meeting", id, &session).after(json!({
            "held_on": held_on.to_string(), "mode": input.mode, "council_size": council.len(),
            "attendees": input.attendees, "agenda": input.agenda,
        })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok(id))
}

/// Take an application off an open meeting's agenda (back to `ready`).
pub async fn unschedule(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    meeting: &Meeting,
    app: ApplicationId,
) -> AppResult<()> {
    if !actor.can_manage_council() {
        return Err(AppError::Forbidden);
    }
    if !meeting.is_open() {
        return Err(AppError::Conflict(Msg::new("err.meeting_closed")));
    }
    let mut tx = state.db.begin().await?;
    let app = app_store::find(&mut tx, app).await?.ok_or(AppError::NotFound)?;
    let removed = sqlx::query("DELETE FROM agenda_item WHERE meeting_id = $1 AND application_id = $2")
        .bind(meeting.id)
        .bind(app.id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM vote WHERE meeting_id = $1 AND application_id = $2")
        .bind(meeting.id)
        .bind(app.id)
        .execute(&mut *tx)
        .await?;
    let root = crate::orgs::store::root(&mut tx).await?.id;
    apply(&mut tx, state, actor, who, &app, Action::Unschedule, Some(root), "", json!({ "meeting": meeting.id }))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// One council member's votes on the agenda (changeable until the meeting closes).
pub async fn vote(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    meeting: &Meeting,
    choices: &[(ApplicationId, String, String)],
) -> AppResult<Result<(), FieldErrors>> {
    let mut tx = state.db.begin().await?;
    let attending = attendees(&mut tx, meeting.id).await?.iter().any(|(id, _)| actor.is_user(*id));
    if !actor.can_vote(attending) {
        return Err(AppError::Forbidden);
    }
    // Lock the meeting while it is open: closing waits for this vote (and counts it), or this
    // vote sees the meeting closed.
    let open = sqlx::query("UPDATE council_meeting SET status = status WHERE id = $1 AND status = 'open'")
        .bind(meeting.id)
        .execute(&mut *tx)
        .await?;
    if open.rows_affected() != 1 || !meeting.by_votes() {
        return Err(AppError::Conflict(Msg::new("err.meeting_closed")));
    }
    let items = agenda(&mut tx, meeting.id).await?;
    let mut errors = FieldErrors::new();
    for (app, choice, comment) in choices {
        if !items.iter().any(|i| i.application_id == *app) {
            return Err(AppError::NotFound);
        }
        // A council member does not vote on their own application (回避).
        if app_store::find(&mut tx, *app).await?.is_some_and(|a| actor.must_recuse(a.applicant_id)) {
            return Err(AppError::Conflict(Msg::new("err.recuse")));
        }
        if choice.is_empty() {
            let name = items.iter().find(|i| i.application_id == *app).map(|i| i.name.as_str()).unwrap_or("");
            errors.add("choice", Msg::new("err.vote_missing").arg("name", name));
        } else if !matches!(choice.as_str(), "approve" | "reject" | "abstain") {
            errors.add("choice", Msg::new("err.choice"));
        }
        if comment.chars().count() > 1000 {
            errors.add("comment", Msg::new("err.too_long").arg("max", 1000));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    for (app, choice, comment) in choices {
        sqlx::query(
            "INSERT INTO vote (meeting_id, application_id, user_id, choice, comment, at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (meeting_id, application_id, user_id) DO UPDATE SET choice = $4, comment = $5, at = $6",
        )
        .bind(meeting.id)
        .bind(app)
        .bind(actor.user_id)
        .bind(choice)
        .bind(comment.trim())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    let summary: Vec<serde_json::Value> =
        choices.iter().map(|(a, c, _)| json!({ "application": a, "choice": c })).collect();
    audit::record(
        &mut tx,
        who,
        Entry::new("council.vote", "meeting", meeting.id, &meeting.session).after(json!({ "votes": summary })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The minutes of an offline meeting: (application, approve, reject, abstain).
pub type Minutes = Vec<(ApplicationId, i64, i64, i64)>;

/// What closing decided.
#[derive(Debug, Default)]
pub struct Closed {
    pub approved: Vec<(String, String)>,
    pub declined: Vec<String>,
}

/// Close the meeting: quorum, tally, resolution number, and each application approved
/// (becoming a member with a number) or declined — in one transaction.
pub async fn close(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    meeting: &Meeting,
    resolution: &str,
    minutes: &Minutes,
) -> AppResult<Result<Closed, FieldErrors>> {
    if !actor.can_manage_council() {
        return Err(AppError::Forbidden);
    }
    let resolution = crate::text::normalize_line(resolution);
    if resolution.is_empty() {
        return Ok(Err(FieldErrors::single("resolution", Msg::new("err.required"))));
    }
    if resolution.chars().count() > 60 {
        return Ok(Err(FieldErrors::single("resolution", Msg::new("err.too_long").arg("max", 60))));
    }
    let mut tx = state.db.begin().await?;
    let closing = sqlx::query("UPDATE council_meeting SET status = 'closed', resolution_number = $1, closed_at = $2 WHERE id = $3 AND status = 'open'")
        .bind(&resolution)
        .bind(now_ms())
        .bind(meeting.id)
        .execute(&mut *tx)
        .await;
    match closing {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Err(AppError::Conflict(Msg::new("err.meeting_closed"))),
        Err(e) if is_unique_violation(&e, "council_meeting", &["resolution_number"]) => {
            return Ok(Err(FieldErrors::single("resolution", Msg::new("err.resolution_taken"))));
        }
        Err(e) => return Err(e.into()),
    }
    let present = i64::try_from(attendees(&mut tx, meeting.id).await?.len()).unwrap_or(0);
    if !state.settings.council.quorate(present, meeting.council_size) {
        return Err(AppError::Conflict(
            Msg::new("err.no_quorum").arg("present", present).arg("size", meeting.council_size),
        ));
    }
    let items = agenda(&mut tx, meeting.id).await?;
    let tallies: Vec<(ApplicationId, i64, i64, i64)> = if meeting.by_votes() {
        let votes = votes(&mut tx, meeting.id).await?;
        items
            .iter()
            .map(|i| {
                let count = |c: &str| {
                    i64::try_from(
                        votes.iter().filter(|v| v.application_id == i.application_id && v.choice == c).count(),
                    )
                    .unwrap_or(0)
                };
                (i.application_id, count("approve"), count("reject"), count("abstain"))
            })
            .collect()
    } else {
        let mut out = Vec::new();
        for i in &items {
            let Some(m) = minutes.iter().find(|m| m.0 == i.application_id) else {
                return Ok(Err(FieldErrors::single("minutes", Msg::new("err.minutes_missing").arg("name", &i.name))));
            };
            if m.1 < 0 || m.2 < 0 || m.3 < 0 || m.1 + m.2 + m.3 > present {
                return Ok(Err(FieldErrors::single(
                    "minutes",
                    Msg::new("err.minutes_count").arg("name", &i.name).arg("present", present),
                )));
            }
            out.push(*m);
        }
        out
    };
    let mut closed = Closed::default();
    let root = crate::orgs::store::root(&mut tx).await?.id;
    for (app_id, approve, reject, abstain) in tallies {
        let app = app_store::find(&mut tx, app_id).await?.ok_or(AppError::NotFound)?;
        let passed = state.settings.council.passes(approve, reject, abstain);
        sqlx::query("UPDATE agenda_item SET approve = $1, reject = $2, abstain = $3, outcome = $4 WHERE meeting_id = $5 AND application_id = $6")
            .bind(approve)
            .bind(reject)
            .bind(abstain)
            .bind(if passed { "approved" } else { "declined" })
            .bind(meeting.id)
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
        let tally = json!({ "meeting": meeting.id, "resolution": resolution, "approve": approve, "reject": reject, "abstain": abstain });
        if passed {
            let number = make_member(&mut tx, state, &app, &resolution).await?;
            audit::record(
                &mut tx,
                who,
                Entry::new("member.create", "application", app.id, &app.name)
                    .org_opt(app.org_id)
                    .after(json!({ "number": number, "category": app.category, "resolution": resolution })),
            )
            .await?;
            apply(
                &mut tx,
                state,
                actor,
                who,
                &app,
                Action::Approve,
                Some(root),
                &format!("{resolution} · {number}"),
                tally,
            )
            .await?;
            closed.approved.push((app.name.clone(), number));
        } else {
            apply(&mut tx, state, actor, who, &app, Action::Decline, Some(root), &resolution, tally).await?;
            closed.declined.push(app.name.clone());
        }
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("council.close", "meeting", meeting.id, &meeting.session).after(json!({
            "resolution": resolution, "present": present, "council_size": meeting.council_size,
            "approved": closed.approved, "declined": closed.declined,
        })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok(closed))
}

/// Create the member of an approved application, with its unified number.
/// The record details a new member takes from the application form.
fn member_details(app: &Application) -> member_store::Details {
    match app.kind() {
        super::model::Kind::Individual => {
            let f = app.individual_form();
            member_store::Details {
                gender: f.gender,
                birth_date: f.birth_date,
                id_number: f.id_number,
                mobile: f.mobile,
                email: f.email,
                employer: f.employer,
            }
        }
        super::model::Kind::Group => {
            let f = app.group_form();
            member_store::Details {
                id_number: f.code,
                mobile: f.contact_mobile,
                email: f.contact_email,
                employer: f.contact_name,
                ..member_store::Details::default()
            }
        }
    }
}

async fn make_member(tx: &mut Conn, state: &AppState, app: &Application, resolution: &str) -> AppResult<String> {
    let city_code = match app.org_id {
        Some(org) => Some(crate::orgs::store::find(tx, org).await?.ok_or(AppError::NotFound)?.code),
        None => None,
    };
    let unit = state.settings.number_unit(city_code.as_deref()).ok_or_else(|| {
        AppError::Conflict(Msg::new("err.no_number_unit").arg("code", city_code.clone().unwrap_or_default()))
    })?;
    let class = state.settings.category(&app.category).map(|c| c.number_class.clone()).unwrap_or_else(|| "M".into());
    let number = numbering::allocate(tx, &state.settings, unit, &class).await.map_err(|e| match e {
        numbering::NumberError::Database(e) => AppError::Database(e),
        other => AppError::Conflict(Msg::new("err.numbers_used_up").arg("detail", other)),
    })?;
    let identity = app.identity_key.as_deref();
    let inserted = member_store::insert(
        tx,
        &member_store::NewMember {
            kind: &app.kind,
            number: &number,
            name: &app.name,
            category: &app.category,
            org_id: app.org_id,
            application_id: Some(app.id),
            user_id: Some(app.applicant_id),
            identity_key: identity,
            resolution,
            details: member_details(app),
        },
        &state.settings.locale.today().to_string(),
    )
    .await;
    match inserted {
        Ok(member) => {
            member_store::link_group_people(tx, member, app.id, identity).await?;
            Ok(number)
        }
        Err(e) if is_unique_violation(&e, "member", &["identity_key"]) => {
            Err(AppError::Conflict(Msg::new("err.already_member").arg("name", &app.name)))
        }
        Err(e) => Err(e.into()),
    }
}
