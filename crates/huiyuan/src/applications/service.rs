//! Rules of joining: drafts, submission, withdrawal and the city's qualification review.
//! Every move goes through `state::transition`, updates the row only if it is still in the
//! status the move started from (a double click or a retry never applies twice), and writes
//! the timeline event, the audit record, the applicant's notification and e-mail in the same
//! transaction.

use serde_json::json;

use super::fields::Facts;
use super::group::GroupForm;
use super::individual::IndividualForm;
use super::model::{Application, Kind, Readable};
use super::state::{Action, Status, transition};
use super::store::{self, Fields, NewEvent};
use crate::audit::{self, Entry, Who};
use crate::auth::policy::joining::review_candidates;
use crate::auth::{Actor, store as auth_store};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::state::AppState;
use crate::storage::{ApplicationId, Conn, OrgId, is_unique_violation};

/// The unique "one open application per person (institution)" constraint, as a field error.
fn open_conflict(e: &sqlx::Error, kind: Kind) -> Option<FieldErrors> {
    let (field, key) = match kind {
        Kind::Individual => ("id_number", "err.app_open_exists"),
        Kind::Group => ("code", "err.group_open_exists"),
    };
    is_unique_violation(e, "application", &["open_key"]).then(|| FieldErrors::single(field, Msg::new(key)))
}

/// What became of a save.
pub enum Saved {
    /// Kept as a draft (or still returned); the id to continue with.
    Draft(ApplicationId),
    Submitted(ApplicationId),
    /// Not submitted: the form has errors. The form was kept (as the id's draft).
    Invalid(ApplicationId, FieldErrors),
}

/// An application form of one kind: how it is normalised, identified and checked.
pub trait ApplicationForm: serde::Serialize + Clone {
    const KIND: Kind;
    fn normalized(self) -> Self;
    /// The identity key of a draft, once its document or code is well-formed.
    fn identity_key(&self) -> Option<String>;
    fn name(&self) -> &str;
    fn category(&self) -> &str;
    fn city(&self) -> &str;
    fn check(&self, settings: &crate::config::Settings, cities: &[OrgId]) -> Result<Facts, FieldErrors>;
    /// The people the form registers, well-formed rows only (groups).
    fn registered_people(&self) -> Vec<(usize, String, String)>;
}

/// Both forms carry `name`, `category` and `city` and have the same inherent methods.
macro_rules! application_form {
    ($form:ty, $kind:expr, people: $people:expr) => {
        impl ApplicationForm for $form {
            const KIND: Kind = $kind;
            fn normalized(self) -> Self {
                <$form>::normalized(self)
            }
            fn identity_key(&self) -> Option<String> {
                <$form>::identity_key(self)
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn category(&self) -> &str {
                &self.category
            }
            fn city(&self) -> &str {
                &self.city
            }
            fn check(&self, settings: &crate::config::Settings, cities: &[OrgId]) -> Result<Facts, FieldErrors> {
                <$form>::check(self, settings, cities)
            }
            fn registered_people(&self) -> Vec<(usize, String, String)> {
                let people: fn(&Self) -> Vec<(usize, String, String)> = $people;
                people(self)
            }
        }
    };
}

application_form!(IndividualForm, Kind::Individual, people: |_| Vec::new());
application_form!(GroupForm, Kind::Group, people: |f| f.registered_people(&mut FieldErrors::new()));

/// Save an application (new when `existing` is None) and, when `submit`, hand it in. A form
/// with errors is still kept, so nothing typed is lost.
pub async fn save_form<F: ApplicationForm>(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    existing: Option<&Application>,
    form: F,
    submit: bool,
) -> AppResult<Result<Saved, FieldErrors>> {
    if let Some(app) = existing {
        if !actor.can_change_application(app) {
            return Err(AppError::Forbidden);
        }
        if app.kind() != F::KIND {
            return Err(AppError::NotFound);
        }
        if !app.status().is_editable() {
            return Err(AppError::Conflict(Msg::new("err.app_locked")));
        }
    }
    let form = form.normalized();
    let mut tx = state.db.begin().await?;
    let cities: Vec<OrgId> = store::cities(&mut tx).await?.into_iter().map(|(id, _)| id).collect();
    let checked = if submit { Some(form.check(&state.settings, &cities)) } else { None };
    let data = serde_json::to_string(&form).map_err(anyhow::Error::from)?;
    let identity = form.identity_key();
    let org_id = form.city().parse::<OrgId>().ok().filter(|id| cities.contains(id));
    let fields =
        Fields { name: form.name(), identity_key: identity.as_deref(), category: form.category(), org_id, data: &data };
    let saved = match existing {
        Some(app) => store::update_form(&mut tx, app, &fields).await.map(|kept| kept.then_some(app.id)),
        None => store::insert_draft(&mut tx, F::KIND, actor.user_id, &fields).await.map(Some),
    };
    let id = match saved {
        Ok(Some(id)) => id,
        // Handed in meanwhile: what was submitted stays as it was.
        Ok(None) => return Err(AppError::Conflict(Msg::new("err.app_locked"))),
        Err(e) => return open_conflict(&e, F::KIND).map(Err).ok_or(AppError::Database(e)),
    };
    let app = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let action = if existing.is_none() { "application.create" } else { "application.save" };
    audit::record(&mut tx, who, Entry::new(action, "application", id, form.name())).await?;
    let Some(checked) = checked else {
        tx.commit().await?;
        return Ok(Ok(Saved::Draft(id)));
    };
    // Facts only the database knows, reported with the form's own problems: a member does
    // not join twice (said now rather than at the council's resolution), and a group's
    // people are members or applicants.
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if let Some(key) = identity.as_deref().filter(|_| F::KIND == Kind::Individual)
        && let Some(member) = crate::members::store::by_identity(&mut tx, key).await?
        && errors.get("id_number").is_none()
    {
        errors.add("id_number", Msg::new("err.already_member_number").arg("number", member.number));
    }
    let people = resolve_people(&mut tx, &form.registered_people(), &mut errors).await?;
    let facts = match checked {
        Ok(facts) if errors.is_empty() => facts,
        _ => {
            tx.commit().await?;
            return Ok(Ok(Saved::Invalid(id, errors)));
        }
    };
    let fields = Fields {
        name: &facts.name,
        identity_key: Some(&facts.identity_key),
        category: &facts.category,
        org_id: facts.org_id,
        data: &data,
    };
    if !store::update_form(&mut tx, &app, &fields).await? {
        return Err(AppError::Conflict(Msg::new("err.app_locked")));
    }
    store::replace_people(&mut tx, id, &people).await?;
    let app = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    apply(&mut tx, state, actor, who, &app, Action::Submit, None, "", json!({})).await?;
    store::insert_version(&mut tx, id, app.version + 1, &data).await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok(Saved::Submitted(id)))
}

/// Each person a group registers must be an individual member, or have an individual
/// application in (submitted, not closed without approval), under the same name. Answers
/// (row, name, identity key) for each; a mismatch gets the same message as an unknown number,
/// so the form cannot be used to find out who is a member.
async fn resolve_people(
    tx: &mut Conn,
    people: &[(usize, String, String)],
    errors: &mut FieldErrors,
) -> AppResult<Vec<(usize, String, String)>> {
    let mut out = Vec::new();
    for (row, name, number) in people {
        let keys = super::group::identity_keys(number);
        let found = store::person_by_identity(tx, &keys).await?;
        match found {
            Some((found_name, key)) if found_name == *name => out.push((*row, name.clone(), key)),
            _ => errors.add(super::group::PERSON_FIELDS[*row], Msg::new("err.person_unknown")),
        }
    }
    Ok(out)
}

/// The applicant takes the application back.
/// A reviewer reads the application's ID numbers in full (个人信息保护法: each full view is
/// logged, as on a member's page): the application's city and the secretariat. `what`: the
/// page, or the printed form.
pub async fn reveal_id_numbers(state: &AppState, actor: &Actor, who: &Who, r: &Readable, what: &str) -> AppResult<()> {
    if !actor.can_read_id_numbers(r.org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let mut conn = state.db.pool().acquire().await?;
    audit::record(
        &mut conn,
        who,
        Entry::new("application.id_view", "application", r.app.id, &r.app.name)
            .org_opt(r.app.org_id)
            .after(json!({ "read": what })),
    )
    .await?;
    Ok(())
}

pub async fn withdraw(state: &AppState, actor: &Actor, who: &Who, app: &Application) -> AppResult<()> {
    if !actor.can_change_application(app) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    apply(&mut tx, state, actor, who, app, Action::Withdraw, None, "", json!({})).await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(())
}

/// A reviewer's decision: the checklist ticks (indexes into the settings' list for the
/// application's kind) and the opinion, or what to fix, or the reason.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub action: Option<Action>,
    pub ticks: Vec<usize>,
    pub note: String,
}

/// What the city's review ticks for an application of this kind (settings).
pub fn city_checklist<'a>(settings: &'a crate::config::Settings, app: &Application) -> &'a [String] {
    match app.kind() {
        Kind::Individual => &settings.joining.city_checklist.individual,
        Kind::Group => &settings.joining.city_checklist.group,
    }
}

/// The city's qualification review (资格审查): recommend, return for correction or reject.
/// For province-direct applications the secretariat decides instead (return, reject, or
/// file the dossier).
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    r: &Readable,
    decision: &Decision,
) -> AppResult<Result<(), FieldErrors>> {
    let Some(action) = decision.action else {
        return Ok(Err(FieldErrors::single("action", Msg::new("err.required"))));
    };
    let app = &r.app;
    if !actor.can_review_application(r.org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    if actor.owns_application(app) {
        return Err(AppError::Conflict(Msg::new("err.own_application")));
    }
    // Filing a province-direct application is the dossier's job (dossiers.rs).
    if !review_candidates(r.org_path.is_none()).contains(&action) {
        return Err(AppError::Conflict(Msg::new("err.app_action_not_here")));
    }
    let acting_org = app.org_id;
    let checklist = city_checklist(&state.settings, app);
    let note = decision.note.trim();
    let mut errors = FieldErrors::new();
    match action {
        Action::Recommend if (0..checklist.len()).any(|i| !decision.ticks.contains(&i)) => {
            errors.add("checklist", Msg::new("err.checklist_incomplete"));
        }
        Action::Return | Action::Reject if note.chars().count() < 2 => {
            errors.add(
                "note",
                Msg::new(if action == Action::Return { "err.return_needs_note" } else { "err.reject_needs_reason" }),
            );
        }
        _ => {}
    }
    if note.chars().count() > 2000 {
        errors.add("note", Msg::new("err.too_long").arg("max", 2000));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let ticked: Vec<&String> =
        checklist.iter().enumerate().filter(|(i, _)| decision.ticks.contains(i)).map(|(_, c)| c).collect();
    let mut tx = state.db.begin().await?;
    let acting = match acting_org {
        Some(org) => org,
        None => crate::orgs::store::root(&mut tx).await?.id,
    };
    apply(&mut tx, state, actor, who, app, action, Some(acting), note, json!({ "checklist": ticked })).await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok(()))
}

/// 409 for a move that does not apply to an application in `status`, naming the status
/// (in the reader's language on pages; `current_status` in the API).
pub fn not_in_status(status: Status) -> AppError {
    AppError::StatusConflict(
        Msg::new("err.app_transition_human").arg_key("status", status.label_key()),
        status.as_str().to_string(),
    )
}

/// Make one move: the state machine, the conditional update, the timeline event, the audit
/// record, and the applicant's notification and e-mail — all on `tx`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply(
    tx: &mut Conn,
    state: &AppState,
    actor: &Actor,
    who: &Who,
    app: &Application,
    action: Action,
    acting_org: Option<OrgId>,
    note: &str,
    detail: serde_json::Value,
) -> AppResult<Status> {
    let from = app.status();
    let to = transition(from, action).map_err(|_| not_in_status(from))?;
    let moved = match store::move_status(tx, app, from, to).await {
        Ok(moved) => moved,
        Err(e) if open_conflict(&e, app.kind()).is_some() => {
            return Err(AppError::Conflict(Msg::new("err.app_open_exists")));
        }
        Err(e) => return Err(e.into()),
    };
    if !moved {
        // Someone (or a second click) moved it first.
        return Err(AppError::Conflict(Msg::new("err.app_changed")));
    }
    let event = NewEvent {
        action: action.as_str(),
        from,
        to,
        actor: Some(actor.user_id),
        acting_org,
        note,
        detail: detail.clone(),
    };
    store::add_event(tx, app.id, &event).await?;
    if from == Status::Recommended && to != Status::Forwarded {
        // Back with the applicant (or withdrawn): out of the city's open batch, which only
        // holds applications it recommends.
        sqlx::query(
            "DELETE FROM batch_item WHERE application_id = $1
             AND batch_id IN (SELECT id FROM batch WHERE status = 'open')",
        )
        .bind(app.id)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        tx,
        who,
        Entry::new(audit_action(action), "application", app.id, &app.name)
            .before(json!({ "status": from.as_str() }))
            .after(json!({ "status": to.as_str(), "note": note, "detail": detail })),
    )
    .await?;
    tell_applicant(tx, state, app, to, note).await?;
    // Other systems hear of it after the change commits (no ID numbers).
    let data = json!({
        "application_id": app.id, "kind": app.kind, "name": app.name, "category": app.category,
        "city_id": app.org_id, "from": from.as_str(), "to": to.as_str(),
    });
    crate::webhooks::emit(tx, "application.status_changed", app.org_id, data).await?;
    Ok(to)
}

fn audit_action(action: Action) -> &'static str {
    match action {
        Action::Submit => "application.submit",
        Action::Withdraw => "application.withdraw",
        Action::Recommend => "application.recommend",
        Action::Return => "application.return",
        Action::Reject => "application.reject",
        Action::Forward => "application.forward",
        Action::SendBack => "application.send_back",
        Action::File => "application.file",
        Action::Schedule => "application.schedule",
        Action::Unschedule => "application.unschedule",
        Action::Approve => "application.approve",
        Action::Decline => "application.decline",
    }
}

/// The applicant hears of every change: in the app and by e-mail, in their language.
async fn tell_applicant(tx: &mut Conn, state: &AppState, app: &Application, to: Status, note: &str) -> AppResult<()> {
    let Some(user) = auth_store::find_user(tx, app.applicant_id).await? else {
        return Ok(());
    };
    let lang = Lang::parse(&user.locale).unwrap_or_default();
    let link = paths::with_id(paths::APPLICATION, app.id);
    let title = lang.render(&Msg::new("app.notify_title").arg("status", lang.t(to.label_key())));
    let body = lang.render(&Msg::new(to.next_step_key()));
    crate::notifications::notify(tx, user.id, &title, &body, &link).await?;
    if let Some(email) = &user.email {
        let mail = super::emails::status_changed(state, lang, &user.display_name, email, &app.name, to, note, &link)?;
        crate::mail::enqueue(tx, &mail).await?;
    }
    Ok(())
}
