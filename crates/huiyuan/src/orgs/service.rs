//! Rules for the organisation tree: seeding from the settings on first start; the
//! secretariat adds, renames, deactivates and (when nothing refers to it) deletes nodes —
//! each one transaction with its audit record, the permission decided here.

use serde_json::json;

use super::model::{Level, Org, OrgFields, OrgInput, parse_fields};
use super::store;
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{Conn, Db, OrgId, is_foreign_key_violation, is_unique_violation};

/// On an empty database, write the province and its cities from the settings.
pub async fn seed_from_settings(db: &Db, settings: &Settings) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    if store::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    let a = &settings.association;
    let root_fields = OrgFields {
        code: a.region_code.clone(),
        name: a.name.clone(),
        short_name: a.short_name.clone(),
        sort_order: 0,
    };
    let root_id = store::insert(&mut tx, None, Level::Province, &root_fields).await?;
    let root = store::find(&mut tx, root_id).await?.ok_or_else(|| anyhow::anyhow!("root vanished"))?;
    for (i, c) in settings.cities.iter().enumerate() {
        let f = OrgFields {
            code: c.code.clone(),
            name: c.name.clone(),
            short_name: c.short_name.clone(),
            sort_order: i64::try_from(i).unwrap_or(0),
        };
        store::insert(&mut tx, Some(&root), Level::City, &f).await?;
    }
    audit::record(
        &mut tx,
        &Who::system("first-run"),
        Entry::new("system.first_run", "org", root_id, &a.name)
            .org(root_id)
            .after(json!({ "cities": settings.cities.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

fn fields_json(f: &OrgFields) -> serde_json::Value {
    json!({ "code": f.code, "name": f.name, "short_name": f.short_name, "sort_order": f.sort_order })
}

fn org_json(o: &Org) -> serde_json::Value {
    json!({ "code": o.code, "name": o.name, "short_name": o.short_name, "sort_order": o.sort_order, "active": o.active() })
}

/// Map the tree's UNIQUE constraints to field errors.
fn unique_errors(e: &sqlx::Error) -> Option<FieldErrors> {
    if is_unique_violation(e, "org", &["code"]) {
        return Some(FieldErrors::single("code", Msg::new("err.org_code_taken")));
    }
    if is_unique_violation(e, "org", &["parent_id", "name"]) {
        return Some(FieldErrors::single("name", Msg::new("err.org_name_taken")));
    }
    None
}

/// The secretariat adds a node under `input.parent_id`.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    input: &OrgInput,
) -> AppResult<Result<Org, FieldErrors>> {
    if !actor.can_manage_org_tree() {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let id = match create_in(&mut tx, who, input).await? {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    let org = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    state.org_names.forget();
    Ok(Ok(org))
}

/// What a change sets of a node (None: keeps it): its code, names and order, and whether it
/// is active.
#[derive(Debug, Clone, Default)]
pub struct OrgChange {
    pub code: Option<String>,
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub sort_order: Option<String>,
    pub active: Option<bool>,
}

/// The secretariat changes a node it sees: the fields named, and its state when that differs
/// (with its subtree), in one transaction. Answers the node as it is now.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: OrgId,
    change: &OrgChange,
) -> AppResult<Result<Org, FieldErrors>> {
    if !actor.can_manage_org_tree() {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let org = super::query::load_visible(&mut tx, actor, id).await?;
    let named = [&change.code, &change.name, &change.short_name, &change.sort_order];
    if named.iter().any(|f| f.is_some()) {
        let or = |v: &Option<String>, current: &str| v.clone().unwrap_or_else(|| current.to_string());
        let input = OrgInput {
            parent_id: String::new(),
            code: or(&change.code, &org.code),
            name: or(&change.name, &org.name),
            short_name: or(&change.short_name, &org.short_name),
            sort_order: or(&change.sort_order, &org.sort_order.to_string()),
        };
        if let Err(e) = update_in(&mut tx, who, &org, &input).await? {
            return Ok(Err(e));
        }
    }
    if let Some(active) = change.active.filter(|a| *a != org.active()) {
        set_active_in(&mut tx, who, &org, active).await?;
    }
    let now = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    state.org_names.forget();
    Ok(Ok(now))
}

/// The secretariat deactivates a node it sees with everything under it, or reactivates it
/// with its subtree (the root stays active). Answers the node as it was.
pub async fn set_active(state: &AppState, actor: &Actor, who: &Who, id: OrgId, active: bool) -> AppResult<Org> {
    if !actor.can_manage_org_tree() {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let org = super::query::load_visible(&mut tx, actor, id).await?;
    set_active_in(&mut tx, who, &org, active).await?;
    tx.commit().await?;
    state.org_names.forget();
    Ok(org)
}

/// The secretariat deletes a node nothing refers to.
pub async fn delete(state: &AppState, actor: &Actor, who: &Who, id: OrgId) -> AppResult<Org> {
    if !actor.can_manage_org_tree() {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let org = super::query::load_visible(&mut tx, actor, id).await?;
    delete_in(&mut tx, who, &org).await?;
    tx.commit().await?;
    state.org_names.forget();
    Ok(org)
}

/// Add a node under `input.parent_id`.
async fn create_in(tx: &mut Conn, who: &Who, input: &OrgInput) -> AppResult<Result<OrgId, FieldErrors>> {
    let parent_id: OrgId = input
        .parent_id
        .trim()
        .parse()
        .map_err(|_| AppError::Validation(FieldErrors::single("parent_id", Msg::new("err.required"))))?;
    let parent = store::find(tx, parent_id)
        .await?
        .ok_or_else(|| AppError::Validation(FieldErrors::single("parent_id", Msg::new("err.required"))))?;
    let Some(level) = parent.level().child() else {
        return Ok(Err(FieldErrors::single("parent_id", Msg::new("err.org_too_deep"))));
    };
    let fields = match parse_fields(input, Some(&parent)) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let id = match store::insert(tx, Some(&parent), level, &fields).await {
        Ok(id) => id,
        Err(e) => return unique_errors(&e).map(Err).ok_or(AppError::Database(e)),
    };
    audit::record(tx, who, Entry::new("org.create", "org", id, &fields.name).org(id).after(fields_json(&fields)))
        .await?;
    Ok(Ok(id))
}

/// Rename a node or change its code or order.
async fn update_in(tx: &mut Conn, who: &Who, org: &Org, input: &OrgInput) -> AppResult<Result<(), FieldErrors>> {
    let parent = match org.parent_id {
        Some(p) => store::find(tx, p).await?,
        None => None,
    };
    let fields = match parse_fields(input, parent.as_ref()) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    if let Err(e) = store::update(tx, org.id, &fields).await {
        return unique_errors(&e).map(Err).ok_or(AppError::Database(e));
    }
    audit::record(
        tx,
        who,
        Entry::new("org.update", "org", org.id, &fields.name)
            .org(org.id)
            .before(org_json(org))
            .after(fields_json(&fields)),
    )
    .await?;
    Ok(Ok(()))
}

/// Deactivate (with everything under it) or reactivate a node. The root stays active.
async fn set_active_in(tx: &mut Conn, who: &Who, org: &Org, active: bool) -> AppResult<u64> {
    if org.parent_id.is_none() && !active {
        return Err(AppError::Conflict(Msg::new("err.org_root")));
    }
    if active && let Some(parent_id) = org.parent_id {
        let parent = store::find(tx, parent_id).await?.ok_or(AppError::NotFound)?;
        if !parent.active() {
            return Err(AppError::Conflict(Msg::new("err.org_parent_inactive")));
        }
    }
    let changed = store::set_active_subtree(tx, org, active).await?;
    let action = if active { "org.activate" } else { "org.deactivate" };
    audit::record(
        tx,
        who,
        Entry::new(action, "org", org.id, &org.name)
            .org(org.id)
            .before(json!({ "active": org.active() }))
            .after(json!({ "active": active, "nodes": changed })),
    )
    .await?;
    Ok(changed)
}

/// Delete a node nothing refers to (no children, people, notices or — later — members and
/// applications, which the database's foreign keys protect).
async fn delete_in(tx: &mut Conn, who: &Who, org: &Org) -> AppResult<()> {
    if org.parent_id.is_none() {
        return Err(AppError::Conflict(Msg::new("err.org_root")));
    }
    if let Err(e) = store::delete(tx, org.id).await {
        return Err(if is_foreign_key_violation(&e) {
            AppError::Conflict(Msg::new("err.org_in_use"))
        } else {
            e.into()
        });
    }
    audit::record(tx, who, Entry::new("org.delete", "org", org.id, &org.name).before(org_json(org))).await?;
    Ok(())
}
