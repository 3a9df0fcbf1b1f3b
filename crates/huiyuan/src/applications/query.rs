//! Reads of joining with the reader's scope, for the pages and the API alike: the review
//! queue and its filters, one application as its applicant or a reviewer may read it (and
//! everything its pages show, each in one read), the applicant's own applications, the
//! city's batches and the council's meetings.

use serde::Deserialize;

use super::attachments::{self, Attachment};
use super::batches::{self, Batch};
use super::council::{self, Meeting};
use super::dossiers::{self, Dossier};
use super::model::EventRow;
use super::model::{Application, Kind, Readable};
use super::state::Status;
use super::store::{self, QueueFilter, QueueRow};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::orgs::Org;
use crate::paths::encode_filters;
use crate::storage::{ApplicationId, BatchId, Conn, Db, MeetingId, OrgId, UserId};

/// The review queue's filters, as the page's query string and the API's parameters carry
/// them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QueueFilters {
    /// A status, or a stage of several separated by commas (`returned,sent_back`).
    pub status: String,
    /// `individual` or `group`.
    pub kind: String,
    /// A city's id, or `direct` for the province's own applications.
    pub city: String,
    /// Part of the applicant's (or institution's) name.
    pub q: String,
    /// A batch's id: only its applications.
    pub batch: String,
    /// `oldest` (default: the longest waiting first) or `newest`.
    pub sort: String,
}

impl QueueFilters {
    pub fn filter(&self) -> QueueFilter {
        QueueFilter {
            statuses: self.status.split(',').filter_map(|s| Status::parse(s.trim())).collect(),
            kind: Kind::parse(&self.kind),
            org: self.city.parse::<i64>().ok().map(OrgId),
            direct: self.city == "direct",
            q: crate::text::normalize_line(&self.q),
            batch: self.batch.parse::<i64>().ok().map(BatchId),
            newest_first: self.sort == "newest",
        }
    }

    /// The filters as a query string (empty ones left out).
    pub fn encoded(&self) -> String {
        let filter = self.filter();
        encode_filters(&[
            ("status", &self.status),
            ("kind", &self.kind),
            ("city", &self.city),
            ("q", &filter.q),
            ("batch", &self.batch),
            ("sort", &self.sort),
        ])
    }
}

/// A page of the queue in the actor's scope, its total, and how many applications are in
/// each status (the tabs), whatever the status filter.
pub struct Queue {
    pub filter: QueueFilter,
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub counts: Vec<(String, i64)>,
}

/// The actor's queue (staff only; never a draft, which is still the applicant's own).
pub async fn queue(
    conn: &mut Conn,
    actor: &Actor,
    filters: &QueueFilters,
    offset: i64,
    limit: i64,
) -> AppResult<Queue> {
    if !actor.is_staff() {
        return Err(AppError::Forbidden);
    }
    let scope = actor.org_scope();
    let filter = filters.filter();
    let (rows, total) = store::queue(conn, &scope, &filter, offset, limit).await?;
    let counts = store::counts(conn, &scope, &filter).await?;
    Ok(Queue { filter, rows, total, counts })
}

/// The cities the queue can be narrowed to: every city for the province's roles (a city's
/// own staff see only theirs anyway, so none).
pub async fn queue_cities(conn: &mut Conn, actor: &Actor) -> AppResult<Vec<(OrgId, String)>> {
    Ok(if actor.sees_everything() { store::cities(conn).await? } else { Vec::new() })
}

/// The active city associations an applicant may choose, in the settings' order.
pub async fn cities(db: &Db) -> AppResult<Vec<(OrgId, String)>> {
    Ok(store::cities(&mut *db.pool().acquire().await?).await?)
}

/// The name the actor's next batch gets by default ("太原市2026年第3批"), for a city's
/// administrator.
pub async fn next_batch_name(conn: &mut Conn, actor: &Actor, year: i32) -> AppResult<Option<String>> {
    let Some(city) = actor.administered_city() else { return Ok(None) };
    let n = batches::count_for_org(conn, city.org_id).await? + 1;
    Ok(Some(batches::default_name(&city.org_name, year, n)))
}

async fn org_path(conn: &mut Conn, app: &Application) -> AppResult<Option<String>> {
    Ok(match app.org_id {
        Some(org) => crate::orgs::store::find(conn, org).await?.map(|o| o.path),
        None => None,
    })
}

/// The application for its applicant (drafts too) or for staff who may see it: 404 when
/// there is none (or it is someone else's draft), 403 outside scope.
pub async fn load_readable(conn: &mut Conn, actor: &Actor, id: ApplicationId) -> AppResult<Readable> {
    let app = store::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !actor.owns_application(&app) && app.status() == Status::Draft {
        return Err(AppError::NotFound);
    }
    let org_path = org_path(conn, &app).await?;
    if !actor.can_read_application(&app, org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    Ok(Readable { app, org_path, reader: actor.user_id })
}

/// [`load_readable`] on a connection of its own.
pub async fn readable(db: &Db, actor: &Actor, id: ApplicationId) -> AppResult<Readable> {
    load_readable(&mut *db.pool().acquire().await?, actor, id).await
}

/// The application as staff see it (never a draft: 404; outside scope: 403), also when the
/// viewer applied themselves.
pub async fn for_review(db: &Db, actor: &Actor, id: ApplicationId) -> AppResult<Readable> {
    let mut conn = db.pool().acquire().await?;
    let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if app.status() == Status::Draft {
        return Err(AppError::NotFound);
    }
    let org_path = org_path(&mut conn, &app).await?;
    if !actor.can_view_application(org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    Ok(Readable { app, org_path, reader: actor.user_id })
}

/// Whose status page an application's address opens: its applicant's own (`Some`), or —
/// for staff who may see it, come by a paper form's QR code — their review page (`None`);
/// 403 for anyone else.
pub async fn status_page(db: &Db, actor: &Actor, id: ApplicationId) -> AppResult<Option<Application>> {
    let mut conn = db.pool().acquire().await?;
    let app = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if actor.owns_application(&app) {
        return Ok(Some(app));
    }
    let path = org_path(&mut conn, &app).await?;
    if actor.can_view_application(path.as_deref()) { Ok(None) } else { Err(AppError::Forbidden) }
}

/// The applicant's own application (403 for anyone else).
pub async fn own(db: &Db, actor: &Actor, id: ApplicationId) -> AppResult<Application> {
    let app = store::find(&mut *db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)?;
    if !actor.owns_application(&app) {
        return Err(AppError::Forbidden);
    }
    Ok(app)
}

/// The actor's own applications, newest first.
pub async fn mine(db: &Db, actor: &Actor) -> AppResult<Vec<Application>> {
    Ok(store::for_applicant(&mut *db.pool().acquire().await?, actor.user_id).await?)
}

/// What an application's pages show besides the form, read on one connection.
pub struct Detail {
    pub events: Vec<EventRow>,
    /// The reviewing city's name (None: province-direct).
    pub reviewer: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Approved: the member number it became.
    pub member_number: Option<String>,
    /// The batch it was forwarded in (or sits in): (id, name).
    pub batch: Option<(BatchId, String)>,
    /// The secretariat's dossier, as saved.
    pub dossier: Option<Dossier>,
}

pub async fn detail(db: &Db, app: &Application) -> AppResult<Detail> {
    let mut conn = db.pool().acquire().await?;
    let reviewer = match app.org_id {
        Some(org) => crate::orgs::store::find(&mut conn, org).await?.map(|o| o.name),
        None => None,
    };
    let member_number = if app.status() == Status::Approved {
        crate::members::store::for_application(&mut conn, app.id).await?.map(|m| m.number)
    } else {
        None
    };
    Ok(Detail {
        events: store::events(&mut conn, app.id).await?,
        reviewer,
        attachments: attachments::list(&mut conn, app.id).await?,
        member_number,
        batch: batches::of_application(&mut conn, app.id).await?.map(|b| (b.id, b.name)),
        dossier: dossiers::find(&mut conn, app.id).await?,
    })
}

/// What the reviewer asked to fix, when the application is back with the applicant.
pub fn returned_note(app: &Application, events: &[EventRow]) -> Option<String> {
    if app.status() != Status::Returned {
        return None;
    }
    events.iter().rev().find(|e| e.to_status == Status::Returned.as_str()).map(|e| e.note.clone())
}

/// A batch and its city, for those who may see it: 404 when there is none, 403 outside
/// scope.
pub async fn batch(db: &Db, actor: &Actor, id: BatchId) -> AppResult<(Batch, Org)> {
    if !actor.can_view_batches() {
        return Err(AppError::Forbidden);
    }
    let mut conn = db.pool().acquire().await?;
    let batch = batches::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let org = crate::orgs::store::find(&mut conn, batch.org_id).await?.ok_or(AppError::NotFound)?;
    if !actor.can_view_org(&org.path) {
        return Err(AppError::Forbidden);
    }
    Ok((batch, org))
}

/// The batches the actor may see (a city's own; the province's all).
pub async fn batches(db: &Db, actor: &Actor) -> AppResult<Vec<batches::BatchRow>> {
    if !actor.can_view_batches() {
        return Err(AppError::Forbidden);
    }
    Ok(batches::list(&mut *db.pool().acquire().await?, &actor.org_scope()).await?)
}

/// 403 for anyone who may not call council meetings (before their form is read).
pub fn council_manager(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_council() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// 403 for anyone who makes no batches: only a city's administrators do (before their form
/// is read).
pub fn batch_maker(actor: &Actor) -> AppResult<()> {
    if actor.administered_city().is_some() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A council meeting, for the council and the secretariat.
pub async fn meeting(db: &Db, actor: &Actor, id: MeetingId) -> AppResult<Meeting> {
    if !actor.can_view_council() {
        return Err(AppError::Forbidden);
    }
    council::find(&mut *db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)
}

/// Every meeting, newest first, and how many filed applications wait for one.
pub async fn meetings(db: &Db, actor: &Actor) -> AppResult<(Vec<Meeting>, i64)> {
    if !actor.can_view_council() {
        return Err(AppError::Forbidden);
    }
    let mut conn = db.pool().acquire().await?;
    Ok((council::list(&mut conn).await?, council::count_ready(&mut conn).await?))
}

/// What a meeting's page shows, read on one connection: who attends, the votes, the agenda.
pub struct MeetingDetail {
    pub attendees: Vec<(UserId, String)>,
    pub votes: Vec<council::VoteRow>,
    pub agenda: Vec<council::AgendaRow>,
}

pub async fn meeting_detail(db: &Db, meeting: &Meeting) -> AppResult<MeetingDetail> {
    let mut conn = db.pool().acquire().await?;
    Ok(MeetingDetail {
        attendees: council::attendees(&mut conn, meeting.id).await?,
        votes: council::votes(&mut conn, meeting.id).await?,
        agenda: council::agenda(&mut conn, meeting.id).await?,
    })
}

/// The council's members and the filed applications, for the new-meeting form (the
/// secretariat).
pub async fn meeting_choices(db: &Db, actor: &Actor) -> AppResult<(Vec<(UserId, String)>, Vec<Application>)> {
    if !actor.can_manage_council() {
        return Err(AppError::Forbidden);
    }
    let mut conn = db.pool().acquire().await?;
    Ok((council::council_members(&mut conn).await?, council::ready_applications(&mut conn).await?))
}
