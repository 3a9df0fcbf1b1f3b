//! The secretariat's dossier (入会档案): the completeness check of a forwarded application
//! (for a province-direct one, the qualification check too), the paper copies received of the
//! form filed in triplicate (一式三份), and the decision — file it for the council, or send
//! it back to the city with a reason.

use serde::Serialize;
use serde_json::json;
use sqlx::FromRow;

use super::model::{Application, Kind};
use super::service::apply;
use super::state::{Action, Status};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{ApplicationId, Conn, now_ms};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Dossier {
    pub checklist: String,
    pub copies_expected: i64,
    pub copies_received: i64,
    pub note: String,
    pub updated_at: i64,
}

impl Dossier {
    pub fn ticked(&self) -> Vec<usize> {
        serde_json::from_str(&self.checklist).unwrap_or_default()
    }
}

pub async fn find(conn: &mut Conn, app: ApplicationId) -> Result<Option<Dossier>, sqlx::Error> {
    sqlx::query_as(
        "SELECT checklist, copies_expected, copies_received, note, updated_at FROM dossier WHERE application_id = $1",
    )
    .bind(app)
    .fetch_optional(&mut *conn)
    .await
}

/// The conditions the secretariat ticks for this application: for a province-direct one the
/// qualification checklist comes first (no city checked it), then the dossier checklist.
pub fn checklist(settings: &crate::config::Settings, app: &Application) -> Vec<String> {
    let j = &settings.joining;
    let mut out = Vec::new();
    if app.is_direct() {
        out.extend(match app.kind() {
            Kind::Individual => j.city_checklist.individual.clone(),
            Kind::Group => j.city_checklist.group.clone(),
        });
    }
    out.extend(j.dossier.checklist.iter().filter(|c| !(app.is_direct() && c.contains("市协会"))).cloned());
    out
}

/// Is the dossier the secretariat's to work on now?
pub fn open_for_dossier(app: &Application) -> bool {
    match app.status() {
        Status::Forwarded => true,
        Status::Submitted => app.is_direct(),
        _ => false,
    }
}

#[derive(Debug, Clone, Default)]
pub struct DossierInput {
    pub ticks: Vec<usize>,
    pub copies: String,
    pub note: String,
    /// None: save the dossier; File: ready for the council; SendBack: to the city.
    pub action: Option<Action>,
}

pub async fn record(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    app: &Application,
    input: &DossierInput,
) -> AppResult<Result<(), FieldErrors>> {
    if !actor.can_keep_dossier() {
        return Err(AppError::Forbidden);
    }
    if actor.owns_application(app) {
        return Err(AppError::Conflict(Msg::new("err.own_application")));
    }
    if !open_for_dossier(app) {
        return Err(super::service::not_in_status(app.status()));
    }
    let list = checklist(&state.settings, app);
    let expected = state.settings.joining.dossier.paper_copies;
    let mut errors = FieldErrors::new();
    let copies: i64 = match crate::text::normalize(&input.copies).parse() {
        Ok(n) if (0..=expected).contains(&n) => n,
        _ => {
            errors.add("copies", Msg::new("err.copies").arg("max", expected));
            0
        }
    };
    let note = input.note.trim();
    match input.action {
        Some(Action::File) => {
            if (0..list.len()).any(|i| !input.ticks.contains(&i)) {
                errors.add("checklist", Msg::new("err.dossier_incomplete"));
            }
            if copies != expected {
                errors.add("copies", Msg::new("err.copies_missing").arg("expected", expected));
            }
        }
        Some(Action::SendBack) if note.chars().count() < 2 => {
            errors.add("note", Msg::new("err.send_back_needs_reason"))
        }
        Some(Action::SendBack) if app.is_direct() => {
            return Err(AppError::Conflict(Msg::new("err.app_action_not_here")));
        }
        Some(Action::SendBack) | None => {}
        Some(_) => return Err(AppError::Conflict(Msg::new("err.app_action_not_here"))),
    }
    if note.chars().count() > 2000 {
        errors.add("note", Msg::new("err.too_long").arg("max", 2000));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let ticks: Vec<usize> = input.ticks.iter().copied().filter(|i| *i < list.len()).collect();
    let mut tx = state.db.begin().await?;
    // Still where it was when the form was checked (not filed or sent back meanwhile).
    if !super::store::lock_in(&mut tx, app.id, &[app.status()]).await? {
        return Err(AppError::Conflict(Msg::new("err.app_changed")));
    }
    sqlx::query(
        "INSERT INTO dossier (application_id, checklist, copies_expected, copies_received, note, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (application_id) DO UPDATE SET checklist = $2, copies_expected = $3, copies_received = $4,
             note = $5, updated_by = $6, updated_at = $7",
    )
    .bind(app.id)
    .bind(serde_json::to_string(&ticks).map_err(anyhow::Error::from)?)
    .bind(expected)
    .bind(copies)
    .bind(note)
    .bind(actor.user_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    let ticked: Vec<&String> = list.iter().enumerate().filter(|(i, _)| ticks.contains(i)).map(|(_, c)| c).collect();
    audit::record(
        &mut tx,
        who,
        Entry::new("application.dossier", "application", app.id, &app.name)
            .after(json!({ "checklist": ticked, "copies_received": copies, "copies_expected": expected })),
    )
    .await?;
    if let Some(action) = input.action {
        let root = crate::orgs::store::root(&mut tx).await?.id;
        apply(
            &mut tx,
            state,
            actor,
            who,
            app,
            action,
            Some(root),
            note,
            json!({ "checklist": ticked, "copies_received": copies }),
        )
        .await?;
    }
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok(()))
}
