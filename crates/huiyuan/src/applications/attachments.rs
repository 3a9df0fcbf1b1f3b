//! Scans attached to an application (附件): the signed form, certificates, a licence, a
//! photo. Only PDF, JPEG and PNG, recognised by their content; a size limit and a count limit
//! from the settings. The applicant adds and removes them while the application is theirs to
//! change; whoever may see the application may download them.

use serde_json::json;

use super::model::{Application, Kind};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::files::{self, StoredFile};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{ApplicationId, Conn, FileId};

/// The extensions an attachment may have, for the form's `accept=` and the message.
pub const ACCEPTED: &str = ".pdf,.jpg,.jpeg,.png";

/// An attached file and what it is.
#[derive(Debug, sqlx::FromRow)]
pub struct Attachment {
    #[sqlx(flatten)]
    pub file: StoredFile,
    pub purpose: String,
}

pub async fn list(conn: &mut Conn, app: ApplicationId) -> Result<Vec<Attachment>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.storage_key, f.original_name, f.content_type, f.size_bytes, f.sha256, f.created_at, a.purpose
         FROM application_file a JOIN stored_file f ON f.id = a.file_id
         WHERE a.application_id = $1 ORDER BY f.id",
    )
    .bind(app)
    .fetch_all(&mut *conn)
    .await
}

/// What an attachment of this kind of application may be.
pub fn purposes(settings: &crate::config::Settings, kind: Kind) -> &[String] {
    let a = &settings.joining.attachments;
    match kind {
        Kind::Individual => &a.individual,
        Kind::Group => &a.group,
    }
}

/// Attach a file; `Ok(Err(msg))` when the file or its purpose is refused (nothing changes).
pub async fn add(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    app: &Application,
    purpose: &str,
    name: &str,
    bytes: &[u8],
) -> AppResult<Result<StoredFile, Msg>> {
    changeable(actor, app)?;
    if !purposes(&state.settings, app.kind()).iter().any(|p| p == purpose) {
        return Ok(Err(Msg::new("err.attachment_purpose")));
    }
    let limits = &state.settings.joining.attachments;
    let name = files::clean_name(name);
    let kind = match files::check_upload(&name, bytes, limits.max_bytes) {
        Ok(kind @ (files::Kind::Pdf | files::Kind::Jpeg | files::Kind::Png)) => kind,
        Ok(_) => return Ok(Err(Msg::new("err.file_type").arg("accepted", ACCEPTED))),
        Err(m) if m.key == "err.file_type" => return Ok(Err(Msg::new("err.file_type").arg("accepted", ACCEPTED))),
        Err(m) => return Ok(Err(m)),
    };
    let mut tx = state.db.begin().await?;
    lock_editable(&mut tx, app).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM application_file WHERE application_id = $1")
        .bind(app.id)
        .fetch_one(&mut *tx)
        .await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= limits.max_count {
        return Ok(Err(Msg::new("err.attachments_full").arg("max", limits.max_count)));
    }
    let file = files::save(&mut tx, state.files.as_ref(), &name, kind, bytes, Some(actor.user_id)).await?;
    sqlx::query("INSERT INTO application_file (application_id, file_id, purpose) VALUES ($1, $2, $3)")
        .bind(app.id)
        .bind(file.id)
        .bind(purpose)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("application.file_add", "application", app.id, &app.name).after(json!({
            "file": file.id, "name": file.original_name, "purpose": purpose, "bytes": file.size_bytes, "sha256": file.sha256,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(file))
}

pub async fn remove(state: &AppState, actor: &Actor, who: &Who, app: &Application, file: FileId) -> AppResult<()> {
    changeable(actor, app)?;
    let mut tx = state.db.begin().await?;
    lock_editable(&mut tx, app).await?;
    let found = list(&mut tx, app.id).await?.into_iter().find(|a| a.file.id == file).ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM application_file WHERE application_id = $1 AND file_id = $2")
        .bind(app.id)
        .bind(file)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("application.file_remove", "application", app.id, &app.name)
            .before(json!({ "file": file, "name": found.file.original_name, "purpose": found.purpose })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Only the applicant changes the attachments, and only while they may change the form.
fn changeable(actor: &Actor, app: &Application) -> AppResult<()> {
    if !actor.can_change_application(app) {
        return Err(AppError::Forbidden);
    }
    if !app.status().is_editable() {
        return Err(AppError::Conflict(Msg::new("err.app_locked")));
    }
    Ok(())
}

/// Hold the application's row for the transaction while it is still the applicant's to
/// change (a submission running now waits, or this sees it was handed in).
async fn lock_editable(tx: &mut Conn, app: &Application) -> AppResult<()> {
    use super::state::Status;
    if super::store::lock_in(tx, app.id, &[Status::Draft, Status::Returned]).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(Msg::new("err.app_locked")))
    }
}
