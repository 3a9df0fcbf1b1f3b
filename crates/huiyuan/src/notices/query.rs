//! Reads of notices, for the pages and the API alike: the published ones (everybody), one
//! notice as the reader may read it (drafts for those who manage notices), the managers'
//! list of every notice, and a notice's files.

use serde::Deserialize;

use super::model::{Notice, NoticeStatus};
use super::store;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::files::StoredFile;
use crate::storage::{Conn, Db, FileId, NoticeId};

/// The notice lists' filters: words of the title or body, and (managers) a status.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoticeFilters {
    pub q: String,
    pub status: String,
}

impl NoticeFilters {
    pub fn query(&self) -> String {
        crate::text::normalize_line(&self.q)
    }
}

/// Published notices, pinned first, newest first, and how many there are.
pub async fn published(
    conn: &mut Conn,
    filters: &NoticeFilters,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Notice>, i64)> {
    Ok(store::list_published(conn, &filters.query(), offset, limit).await?)
}

/// Every notice, for those who manage notices.
pub async fn managed_list(
    conn: &mut Conn,
    actor: &Actor,
    filters: &NoticeFilters,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Notice>, i64)> {
    if !actor.can_manage_notices() {
        return Err(AppError::Forbidden);
    }
    let status = NoticeStatus::parse(&filters.status);
    Ok(store::list(conn, status, &filters.query(), offset, limit, false).await?)
}

/// A notice the reader may read: published ones for everybody, any for notice managers
/// (`true`: a draft or withdrawn one, read as a preview). 404 for everything else.
pub async fn readable(conn: &mut Conn, actor: Option<&Actor>, id: NoticeId) -> AppResult<(Notice, bool)> {
    let notice = store::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if notice.is_published() {
        return Ok((notice, false));
    }
    match actor {
        Some(a) if a.can_manage_notices() => Ok((notice, true)),
        _ => Err(AppError::NotFound),
    }
}

/// 403 for anyone who may not write notices (the form for a new one).
pub fn writer(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_notices() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A notice to change, for those who manage notices.
pub async fn managed(db: &Db, actor: &Actor, id: NoticeId) -> AppResult<Notice> {
    if !actor.can_manage_notices() {
        return Err(AppError::Forbidden);
    }
    store::find(&mut *db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)
}

/// A notice's files.
pub async fn files(conn: &mut Conn, id: NoticeId) -> AppResult<Vec<StoredFile>> {
    Ok(store::attachments(conn, id).await?)
}

/// A file of a notice the reader may read.
pub async fn file(conn: &mut Conn, actor: Option<&Actor>, id: NoticeId, file: FileId) -> AppResult<StoredFile> {
    readable(conn, actor, id).await?;
    files(conn, id).await?.into_iter().find(|f| f.id == file).ok_or(AppError::NotFound)
}
