//! Rules for notices: drafts, publishing and withdrawing (a small state machine), and
//! attachments checked by content. Only those who manage notices (the secretariat) write
//! them; each action is one transaction with its audit record.

use serde_json::json;

use super::model::{Notice, NoticeInput, NoticeStatus, parse};
use super::store;
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::{self, StoredFile};
use crate::i18n::Msg;
use crate::orgs;
use crate::state::AppState;
use crate::storage::{Conn, FileId, NoticeId};

fn allowed(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_notices() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Create a notice of the province (a draft, or published at once). Answers it.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    input: &NoticeInput,
) -> AppResult<Result<Notice, FieldErrors>> {
    allowed(actor)?;
    let mut txn = state.db.begin().await?;
    let id = match create_in(&mut txn, who, input).await? {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    let notice = store::find(&mut txn, id).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(Ok(notice))
}

/// Create a notice inside the caller's transaction — for the platform itself (the demo
/// data); people go through [`create`].
pub async fn create_in(tx: &mut Conn, who: &Who, input: &NoticeInput) -> AppResult<Result<NoticeId, FieldErrors>> {
    let fields = match parse(input) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let root = orgs::store::root(tx).await?;
    let id = store::insert(tx, root.id, who.user_id, &fields).await?;
    audit::record(
        tx,
        who,
        Entry::new("notice.create", "notice", id, &fields.title)
            .org(root.id)
            .after(json!({ "title": fields.title, "doc_number": fields.doc_number, "pinned": fields.pinned })),
    )
    .await?;
    if input.intent == "publish" {
        set_status(tx, who, id, NoticeStatus::Published).await?;
    }
    Ok(Ok(id))
}

/// Change a notice (and publish it, when asked).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    notice: &Notice,
    input: &NoticeInput,
) -> AppResult<Result<(), FieldErrors>> {
    allowed(actor)?;
    let fields = match parse(input) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let mut txn = state.db.begin().await?;
    let tx = &mut *txn;
    store::update(tx, notice.id, &fields).await?;
    audit::record(
        tx,
        who,
        Entry::new("notice.update", "notice", notice.id, &fields.title)
            .org(notice.org_id)
            .before(json!({ "title": notice.title, "doc_number": notice.doc_number, "pinned": notice.is_pinned(), "body_chars": notice.body.chars().count() }))
            .after(json!({ "title": fields.title, "doc_number": fields.doc_number, "pinned": fields.pinned, "body_chars": fields.body.chars().count() })),
    )
    .await?;
    if input.intent == "publish" && notice.status() != NoticeStatus::Published {
        set_status(tx, who, notice.id, NoticeStatus::Published).await?;
    }
    txn.commit().await?;
    Ok(Ok(()))
}

/// Publish or withdraw (`to`: the status, as sent), following `NoticeStatus::transition`
/// (409 for a move it refuses). Answers the status it moved to.
pub async fn change_status(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: NoticeId,
    to: &str,
) -> AppResult<NoticeStatus> {
    allowed(actor)?;
    let to = NoticeStatus::parse(to).ok_or_else(|| AppError::BadRequest(Msg::new("error.bad_request")))?;
    let mut tx = state.db.begin().await?;
    set_status(&mut tx, who, id, to).await?;
    tx.commit().await?;
    Ok(to)
}

async fn set_status(tx: &mut Conn, who: &Who, id: NoticeId, to: NoticeStatus) -> AppResult<Notice> {
    let notice = store::find(tx, id).await?.ok_or(AppError::NotFound)?;
    let from = notice.status();
    from.transition(to).map_err(AppError::Conflict)?;
    store::set_status(tx, id, to).await?;
    let action = if to == NoticeStatus::Published { "notice.publish" } else { "notice.withdraw" };
    audit::record(
        tx,
        who,
        Entry::new(action, "notice", id, &notice.title)
            .org(notice.org_id)
            .before(json!({ "status": from.as_str() }))
            .after(json!({ "status": to.as_str() })),
    )
    .await?;
    Ok(notice)
}

/// Check and store an upload, and attach it to the notice.
pub async fn add_file(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    notice: &Notice,
    (name, bytes): (&str, &[u8]),
) -> AppResult<Result<StoredFile, Msg>> {
    allowed(actor)?;
    let uploader = actor.user_id;
    let name = files::clean_name(name);
    let kind = match files::check_upload(&name, bytes, state.settings.uploads.max_bytes) {
        Ok(k) => k,
        Err(m) => return Ok(Err(m)),
    };
    let mut tx = state.db.begin().await?;
    let file = files::save(&mut tx, state.files.as_ref(), &name, kind, bytes, Some(uploader)).await?;
    store::attach(&mut tx, notice.id, file.id).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("notice.file_add", "notice", notice.id, &notice.title).org(notice.org_id).after(
            json!({ "file": file.id, "name": file.original_name, "bytes": file.size_bytes, "sha256": file.sha256 }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(file))
}

pub async fn remove_file(state: &AppState, actor: &Actor, who: &Who, notice: &Notice, file: FileId) -> AppResult<()> {
    allowed(actor)?;
    let mut txn = state.db.begin().await?;
    let tx = &mut *txn;
    let files = store::attachments(tx, notice.id).await?;
    let f = files.iter().find(|f| f.id == file).ok_or(AppError::NotFound)?;
    store::detach(tx, notice.id, file).await?;
    audit::record(
        tx,
        who,
        Entry::new("notice.file_remove", "notice", notice.id, &notice.title)
            .org(notice.org_id)
            .before(json!({ "file": f.id, "name": f.original_name })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
