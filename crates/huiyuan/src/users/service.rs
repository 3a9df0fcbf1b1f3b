//! Rules for managing other people's accounts: create, grant and revoke roles, deactivate,
//! send a password link. Every check of *who may* is in `auth::policy`; this file holds the
//! rules about *what is consistent* (a role on the right level of the tree, never losing
//! the last system administrator, never locking oneself out).

use serde_json::json;

use super::store;
use crate::audit::{self, Entry, Who};
use crate::auth::model::User;
use crate::auth::service::{AccountInput, ParsedAccount, create_account, parse_account};
use crate::auth::{Actor, Role, session, store as auth_store};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::orgs::{self, Level, Org};
use crate::state::AppState;
use crate::storage::{Conn, GrantId, OrgId, UserId};

/// May `role` be held over `org`? Province-wide roles sit on the root; a city
/// administrator on a city or county; members anywhere.
pub fn role_fits(role: Role, org: &Org) -> bool {
    match role {
        Role::Sysadmin | Role::Secretariat | Role::Council => org.level() == Level::Province,
        Role::CityAdmin => org.level() != Level::Province,
        Role::Member => true,
    }
}

/// Check a grant request against policy and the tree.
pub async fn check_grant(
    conn: &mut Conn,
    actor: &Actor,
    role: Role,
    org_id: OrgId,
) -> AppResult<Result<Org, FieldErrors>> {
    if !actor.can_grant(role) {
        return Err(AppError::Forbidden);
    }
    let Some(org) = orgs::store::find(conn, org_id).await? else {
        return Ok(Err(FieldErrors::single("org_id", Msg::new("err.required"))));
    };
    if !actor.can_view_org(&org.path) {
        return Err(AppError::Forbidden);
    }
    if !role_fits(role, &org) {
        return Ok(Err(FieldErrors::single("org_id", Msg::new("err.role_level"))));
    }
    if !org.active() {
        return Ok(Err(FieldErrors::single("org_id", Msg::new("err.org_inactive"))));
    }
    Ok(Ok(org))
}

/// What the new-account form sends: the account, its first role, and optionally an initial
/// password (without one, the person gets an e-mailed link to set theirs).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewAccountInput {
    #[serde(flatten)]
    pub account: AccountInput,
    pub role: String,
    pub org_id: String,
}

/// The secretariat creates an account with a first role. Returns the new id, or the form's
/// errors.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    input: &NewAccountInput,
    lang: Lang,
) -> AppResult<Result<UserId, FieldErrors>> {
    if !actor.can_manage_users() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::new();
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.add("role", Msg::new("err.required"));
    }
    let org_id: Option<OrgId> = input.org_id.trim().parse().ok();
    if org_id.is_none() {
        errors.add("org_id", Msg::new("err.required"));
    }
    // Without a password, a random one is set and a link is sent.
    let send_link = input.account.password.is_empty() && input.account.password_confirm.is_empty();
    let mut account = input.account.clone();
    if send_link {
        let generated = format!("{}-1a", crate::auth::secrets::random_token());
        account.password = generated.clone();
        account.password_confirm = generated;
    }
    let parsed: Option<ParsedAccount> = match parse_account(&account, state.settings.security.password_min_length) {
        Ok(p) => Some(p),
        Err(e) => {
            for (field, msg) in e.iter() {
                errors.add(field, msg.clone());
            }
            None
        }
    };
    let mut tx = state.db.begin().await?;
    let org = match (role, org_id) {
        (Some(role), Some(org_id)) => match check_grant(&mut tx, actor, role, org_id).await? {
            Ok(org) => Some(org),
            Err(e) => {
                for (field, msg) in e.iter() {
                    errors.add(field, msg.clone());
                }
                None
            }
        },
        _ => None,
    };
    let (Some(parsed), Some(role), Some(org), true) = (parsed, role, org, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let user_id = match create_account(&mut tx, &parsed, lang).await? {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    auth_store::insert_grant(&mut tx, user_id, role, org.id, Some(actor.user_id)).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("user.create", "user", user_id, parsed.username.as_str()).org(org.id).after(json!({
            "username": parsed.username.as_str(),
            "display_name": parsed.display_name.as_str(),
            "email": parsed.email.as_str(),
            "mobile": parsed.mobile.as_ref().map(|m| m.as_str()),
            "role": role.as_str(),
            "org": org.name,
            "password": if send_link { "link sent" } else { "set by administrator" },
        })),
    )
    .await?;
    if send_link {
        // In the same transaction: an account is never left without a way in.
        let user = auth_store::find_user(&mut tx, user_id).await?.ok_or(AppError::NotFound)?;
        crate::auth::service::issue_reset_link(&mut tx, state, who, &user, true).await?;
    }
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok(user_id))
}

/// The secretariat gives an account it sees a role (`role`, as sent) over a node (`org`, an
/// id as sent). Answers the account.
pub async fn grant(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    user_id: UserId,
    (role, org): (&str, &str),
) -> AppResult<Result<User, FieldErrors>> {
    let mut tx = state.db.begin().await?;
    let user = super::query::load_visible(&mut tx, actor, user_id).await?;
    if !actor.can_manage_users() {
        return Err(AppError::Forbidden);
    }
    let Some(role) = Role::parse(role) else {
        let key = if role.trim().is_empty() { "err.required" } else { "err.role_unknown" };
        return Ok(Err(FieldErrors::single("role", Msg::new(key))));
    };
    let Some(org_id) = org.trim().parse::<OrgId>().ok() else {
        return Ok(Err(FieldErrors::single("org_id", Msg::new("err.required"))));
    };
    let granted = grant_in(&mut tx, actor, who, user_id, role, org_id).await?;
    if granted.is_ok() {
        tx.commit().await?;
    }
    Ok(granted.map(|()| user))
}

async fn grant_in(
    tx: &mut Conn,
    actor: &Actor,
    who: &Who,
    user_id: UserId,
    role: Role,
    org_id: OrgId,
) -> AppResult<Result<(), FieldErrors>> {
    let org = match check_grant(tx, actor, role, org_id).await? {
        Ok(org) => org,
        Err(e) => return Ok(Err(e)),
    };
    let user = auth_store::find_user(tx, user_id).await?.ok_or(AppError::NotFound)?;
    match auth_store::insert_grant(tx, user_id, role, org.id, Some(actor.user_id)).await? {
        Some(grant_id) => {
            audit::record(
                tx,
                who,
                Entry::new("user.grant", "user", user_id, &user.username)
                    .org(org.id)
                    .after(json!({ "grant": grant_id, "role": role.as_str(), "org": org.name })),
            )
            .await?;
            Ok(Ok(()))
        }
        None => Ok(Err(FieldErrors::single("role", Msg::new("err.role_held")))),
    }
}

/// The secretariat takes a role away from an account it sees (never the last system
/// administrator's, never its own). Answers the account.
pub async fn revoke(state: &AppState, actor: &Actor, who: &Who, user_id: UserId, grant_id: GrantId) -> AppResult<User> {
    let mut tx = state.db.begin().await?;
    let user = super::query::load_visible(&mut tx, actor, user_id).await?;
    if !actor.can_manage_users() {
        return Err(AppError::Forbidden);
    }
    revoke_in(&mut tx, actor, who, user_id, grant_id).await?;
    tx.commit().await?;
    Ok(user)
}

async fn revoke_in(tx: &mut Conn, actor: &Actor, who: &Who, user_id: UserId, grant_id: GrantId) -> AppResult<()> {
    crate::storage::serialize(tx, crate::storage::locks::SYSADMINS).await?;
    let grants = auth_store::grants_of(tx, user_id).await?;
    let grant = grants.iter().find(|g| g.id == grant_id).ok_or(AppError::NotFound)?;
    if !actor.can_revoke(grant) {
        return Err(AppError::Forbidden);
    }
    if grant.role == Role::Sysadmin {
        if actor.is_user(user_id) {
            return Err(AppError::Conflict(Msg::new("err.self_lockout")));
        }
        if store::count_active_with_role(tx, Role::Sysadmin.as_str()).await? <= 1 {
            return Err(AppError::Conflict(Msg::new("err.last_sysadmin")));
        }
    }
    let user = auth_store::find_user(tx, user_id).await?.ok_or(AppError::NotFound)?;
    auth_store::delete_grant(tx, user_id, grant_id).await?;
    audit::record(
        tx,
        who,
        Entry::new("user.revoke", "user", user_id, &user.username)
            .org(grant.org_id)
            .before(json!({ "grant": grant_id, "role": grant.role.as_str(), "org": grant.org_name })),
    )
    .await?;
    Ok(())
}

/// The secretariat deactivates (sessions end at once) or reactivates an account it sees.
/// Answers the account's name.
pub async fn set_active(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    user_id: UserId,
    active: bool,
) -> AppResult<String> {
    let mut tx = state.db.begin().await?;
    super::query::load_visible(&mut tx, actor, user_id).await?;
    if !actor.can_manage_users() {
        return Err(AppError::Forbidden);
    }
    let name = set_active_in(&mut tx, actor, who, user_id, active).await?;
    tx.commit().await?;
    Ok(name)
}

/// The secretariat sends an account it may manage a link to set a new password (to its
/// e-mail address). Answers the account.
pub async fn send_reset(state: &AppState, actor: &Actor, who: &Who, user_id: UserId) -> AppResult<User> {
    let mut conn = state.db.pool().acquire().await?;
    let user = super::query::load_visible(&mut conn, actor, user_id).await?;
    let grants = auth_store::grants_of(&mut conn, user_id).await?;
    drop(conn);
    if !actor.can_manage_account(&grants) {
        return Err(AppError::Forbidden);
    }
    if user.email.is_none() || !user.active() {
        return Err(AppError::Conflict(Msg::new("err.no_email")));
    }
    crate::auth::service::request_reset(state, who, &user.username, true).await?;
    Ok(user)
}

async fn set_active_in(tx: &mut Conn, actor: &Actor, who: &Who, user_id: UserId, active: bool) -> AppResult<String> {
    crate::storage::serialize(tx, crate::storage::locks::SYSADMINS).await?;
    let user = auth_store::find_user(tx, user_id).await?.ok_or(AppError::NotFound)?;
    let grants = auth_store::grants_of(tx, user_id).await?;
    if !actor.can_manage_account(&grants) {
        return Err(AppError::Forbidden);
    }
    let mut tokens = 0;
    if !active {
        if actor.is_user(user_id) {
            return Err(AppError::Conflict(Msg::new("err.self_lockout")));
        }
        if grants.iter().any(|g| g.role == Role::Sysadmin)
            && store::count_active_with_role(tx, Role::Sysadmin.as_str()).await? <= 1
        {
            return Err(AppError::Conflict(Msg::new("err.last_sysadmin")));
        }
        session::delete_for_user(tx, user_id, None).await?;
        // Tokens would otherwise come back to life with the account.
        tokens = crate::auth::tokens::revoke_all(tx, user_id).await?;
    }
    auth_store::set_active(tx, user_id, active).await?;
    let action = if active { "user.activate" } else { "user.deactivate" };
    audit::record(
        tx,
        who,
        Entry::new(action, "user", user_id, &user.username)
            .before(json!({ "active": user.active() }))
            .after(json!({ "active": active, "api_tokens_revoked": tokens })),
    )
    .await?;
    Ok(user.display_name)
}
