//! Account rules: sign-in with throttling, sign-up, password change and reset. Each action
//! is one transaction with its audit record; e-mail is queued inside it and sent after.

use serde_json::json;

use super::model::{DisplayName, Email, Mobile, Username, login_key};
use super::session::{self, SessionRecord};
use super::store::{self, NewUser};
use super::{Role, password, secrets};
use crate::audit::{self, Entry, Who};
use crate::cpu;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::orgs;
use crate::state::AppState;
use crate::storage::{UserId, is_unique_violation, now_ms};

/// A fresh session for a signed-in user.
pub struct SignedIn {
    pub user_id: UserId,
    pub cookie_token: String,
    pub session: SessionRecord,
}

/// Why a sign-in was refused. The message never says whether the account exists.
pub enum SignInRefused {
    Invalid,
    Deactivated,
    Throttled(Msg),
}

/// Check a login and password and start a session; `old_session` (the anonymous one that
/// carried the form) ends, so a session id is never reused across sign-in.
pub async fn sign_in(
    state: &AppState,
    who: &Who,
    user_agent: &str,
    login: &str,
    password_typed: &str,
    old_session: Option<&str>,
) -> AppResult<Result<SignedIn, SignInRefused>> {
    let key = login_key(login);
    if key.is_empty() || password_typed.is_empty() {
        return Ok(Err(SignInRefused::Invalid));
    }
    let security = &state.settings.security;
    let window_ms = security.login_window_minutes * 60 * 1000;
    let mut conn = state.db.pool().acquire().await?;
    let user = store::find_by_login(&mut conn, &key).await?;
    let user_id = user.as_ref().map(|u| u.id);
    // Counted before the (slow) password check, this attempt included, so that parallel
    // guesses count against each other.
    let attempt = store::begin_attempt(&mut conn, &key, user_id, &who.client_addr).await?;
    let (by_account, by_addr) =
        store::recent_failures(&mut conn, &key, user_id, &who.client_addr, now_ms() - window_ms).await?;
    drop(conn);
    if by_account > security.login_max_failures_per_account {
        let msg = Msg::new("auth.throttled_account").arg("minutes", security.login_window_minutes);
        return Ok(Err(SignInRefused::Throttled(msg)));
    }
    if by_addr > security.login_max_failures_per_address {
        let msg = Msg::new("auth.throttled_address").arg("minutes", security.login_window_minutes);
        return Ok(Err(SignInRefused::Throttled(msg)));
    }
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let typed = password_typed.to_string();
    let matches = cpu::run(move |off| {
        // Someone unknown costs the same time as a wrong password.
        let stored = stored.as_deref().unwrap_or_else(|| password::dummy_hash(off));
        password::verify(&typed, stored, off)
    })
    .await?;

    let user = match user {
        Some(u) if matches => u,
        _ => return Ok(Err(SignInRefused::Invalid)),
    };
    if !user.active() {
        return Ok(Err(SignInRefused::Deactivated));
    }
    let mut tx = state.db.begin().await?;
    store::attempt_succeeded(&mut tx, attempt).await?;
    if let Some(old) = old_session {
        session::delete(&mut tx, old).await?;
    }
    let (cookie_token, record) =
        session::create(&mut tx, Some(user.id), &who.client_addr, user_agent, security).await?;
    store::mark_signed_in(&mut tx, user.id).await?;
    let who = Who { user_id: Some(user.id), name: format!("{} ({})", user.display_name, user.username), ..who.clone() };
    audit::record(&mut tx, &who, Entry::new("auth.sign_in", "user", user.id, &user.username)).await?;
    tx.commit().await?;
    Ok(Ok(SignedIn { user_id: user.id, cookie_token, session: record }))
}

pub async fn sign_out(state: &AppState, who: &Who, session_id: &str) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    session::delete(&mut tx, session_id).await?;
    if let Some(user_id) = who.user_id {
        audit::record(&mut tx, who, Entry::new("auth.sign_out", "user", user_id, &who.name)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What the sign-up form sends (also used by administrators creating accounts).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub mobile: String,
    pub password: String,
    pub password_confirm: String,
}

/// A new account's fields, parsed.
pub struct ParsedAccount {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Email,
    pub mobile: Option<Mobile>,
    pub password: String,
}

pub fn parse_account(input: &AccountInput, min_len: usize) -> Result<ParsedAccount, FieldErrors> {
    let mut errors = FieldErrors::new();
    let username = Username::parse(&input.username).map_err(|m| errors.add("username", m)).ok();
    let display_name = DisplayName::parse(&input.display_name).map_err(|m| errors.add("display_name", m)).ok();
    let email = Email::parse(&input.email).map_err(|m| errors.add("email", m)).ok();
    let mobile = if input.mobile.trim().is_empty() {
        None
    } else {
        Mobile::parse(&input.mobile).map_err(|m| errors.add("mobile", m)).ok()
    };
    if let Some(m) = password::weakness(&input.password, username.as_ref().map(|u| u.as_str()).unwrap_or(""), min_len) {
        errors.add("password", m);
    } else if input.password != input.password_confirm {
        errors.add("password_confirm", Msg::new("err.password_mismatch"));
    }
    match (username, display_name, email, errors.is_empty()) {
        (Some(username), Some(display_name), Some(email), true) => {
            Ok(ParsedAccount { username, display_name, email, mobile, password: input.password.clone() })
        }
        _ => Err(errors),
    }
}

/// Insert an account with `role` over `org` — inside the caller's transaction; unique
/// violations come back as field errors.
pub async fn create_account(
    tx: &mut crate::storage::Conn,
    a: &ParsedAccount,
    lang: Lang,
) -> AppResult<Result<UserId, FieldErrors>> {
    let pw = a.password.clone();
    let hash = cpu::run(move |off| password::hash(&pw, off)).await??;
    let new = NewUser {
        username: a.username.as_str(),
        email: Some(a.email.as_str()),
        mobile: a.mobile.as_ref().map(|m| m.as_str()),
        display_name: a.display_name.as_str(),
        password_hash: &hash,
        locale: lang.code(),
    };
    match store::insert_user(tx, &new).await {
        Ok(id) => Ok(Ok(id)),
        Err(e) => {
            for (col, key) in
                [("username", "err.username_taken"), ("email", "err.email_taken"), ("mobile", "err.mobile_taken")]
            {
                if is_unique_violation(&e, "app_user", &[col]) {
                    return Ok(Err(FieldErrors::single(col, Msg::new(key))));
                }
            }
            Err(e.into())
        }
    }
}

/// Sign-up: an applicant's own account (role: member, over the root), signed in at once.
pub async fn sign_up(
    state: &AppState,
    who: &Who,
    user_agent: &str,
    input: &AccountInput,
    lang: Lang,
    old_session: Option<&str>,
) -> AppResult<Result<SignedIn, FieldErrors>> {
    let parsed = match parse_account(input, state.settings.security.password_min_length) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = state.db.begin().await?;
    let user_id = match create_account(&mut tx, &parsed, lang).await? {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    let root = orgs::store::root(&mut tx).await?;
    store::insert_grant(&mut tx, user_id, Role::Member, root.id, None).await?;
    if let Some(old) = old_session {
        session::delete(&mut tx, old).await?;
    }
    let (cookie_token, record) =
        session::create(&mut tx, Some(user_id), &who.client_addr, user_agent, &state.settings.security).await?;
    let who = Who {
        user_id: Some(user_id),
        name: format!("{} ({})", parsed.display_name.as_str(), parsed.username.as_str()),
        ..who.clone()
    };
    audit::record(
        &mut tx,
        &who,
        Entry::new("auth.sign_up", "user", user_id, parsed.username.as_str()).after(json!({
            "username": parsed.username.as_str(),
            "display_name": parsed.display_name.as_str(),
            "email": parsed.email.as_str(),
            "mobile": parsed.mobile.as_ref().map(|m| m.as_str()),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(SignedIn { user_id, cookie_token, session: record }))
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordChange {
    pub current: String,
    pub password: String,
    pub password_confirm: String,
}

/// Change one's own password; every other session of the account ends.
pub async fn change_password(
    state: &AppState,
    who: &Who,
    user_id: UserId,
    keep_session: Option<&str>,
    input: &PasswordChange,
) -> AppResult<Result<(), FieldErrors>> {
    let mut conn = state.db.pool().acquire().await?;
    let user = store::find_user(&mut conn, user_id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let (typed, stored) = (input.current.clone(), user.password_hash.clone());
    let current_ok = cpu::run(move |off| password::verify(&typed, &stored, off)).await?;
    let mut errors = FieldErrors::new();
    if !current_ok {
        errors.add("current", Msg::new("err.password_current"));
    }
    check_new_password(state, &user.username, &input.password, &input.password_confirm, &mut errors);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let pw = input.password.clone();
    let hash = cpu::run(move |off| password::hash(&pw, off)).await??;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, user_id, &hash).await?;
    let ended = session::delete_for_user(&mut tx, user_id, keep_session).await?;
    let tokens = super::tokens::revoke_all(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("auth.password_change", "user", user_id, &user.username)
            .after(json!({ "other_sessions_ended": ended, "api_tokens_revoked": tokens })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

fn check_new_password(state: &AppState, username: &str, pw: &str, confirm: &str, errors: &mut FieldErrors) {
    if let Some(m) = password::weakness(pw, username, state.settings.security.password_min_length) {
        errors.add("password", m);
    } else if pw != confirm {
        errors.add("password_confirm", Msg::new("err.password_mismatch"));
    }
}

/// At most this many reset links per account per hour (no mail bombing through the form).
const RESETS_PER_HOUR: i64 = 3;

/// Send a one-time reset link to the account's e-mail, if the login names an active account
/// with an e-mail. The caller always shows the same answer.
pub async fn request_reset(state: &AppState, who: &Who, login: &str, requested_by_admin: bool) -> AppResult<bool> {
    let key = login_key(login);
    let mut tx = state.db.begin().await?;
    let Some(user) = store::find_by_login(&mut tx, &key).await? else {
        return Ok(false);
    };
    let sent = issue_reset_link(&mut tx, state, who, &user, requested_by_admin).await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(sent)
}

/// Create a reset link for `user` and queue the e-mail with it, inside the caller's
/// transaction (call `state.jobs.wake()` after the commit). Returns false when nothing was
/// sent: no active account with an e-mail, or the hourly limit (which administrators skip).
pub async fn issue_reset_link(
    tx: &mut crate::storage::Conn,
    state: &AppState,
    who: &Who,
    user: &super::model::User,
    requested_by_admin: bool,
) -> AppResult<bool> {
    let Some(email) = user.email.clone().filter(|_| user.active()) else {
        return Ok(false);
    };
    let now = now_ms();
    let (recent,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM password_reset WHERE user_id = $1 AND created_at > $2")
            .bind(user.id)
            .bind(now - 3_600_000)
            .fetch_one(&mut *tx)
            .await?;
    if recent >= RESETS_PER_HOUR && !requested_by_admin {
        tracing::info!(user = %user.id, "password reset not sent: hourly limit reached");
        return Ok(false);
    }
    let token = secrets::random_token();
    let minutes = state.settings.security.reset_link_valid_minutes;
    sqlx::query("INSERT INTO password_reset (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(user.id)
        .bind(secrets::sha256_hex(&token))
        .bind(now)
        .bind(now + minutes * 60_000)
        .execute(&mut *tx)
        .await?;
    let lang = Lang::parse(&user.locale).unwrap_or_default();
    let link = format!("{}{}?token={token}", state.settings.server.base_url, crate::paths::PASSWORD_RESET);
    let mail = super::emails::password_reset(state, lang, &user.display_name, &email, &link, minutes)?;
    crate::mail::enqueue(tx, &mail).await?;
    audit::record(
        tx,
        who,
        Entry::new("auth.password_reset_request", "user", user.id, &user.username)
            .after(json!({ "sent_to": email, "by_admin": requested_by_admin })),
    )
    .await?;
    Ok(true)
}

/// Is this reset token usable (unused and unexpired)?
pub async fn reset_token_valid(state: &AppState, token: &str) -> AppResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM password_reset WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(secrets::sha256_hex(token))
            .bind(now_ms())
            .fetch_optional(state.db.pool())
            .await?;
    Ok(row.is_some())
}

pub enum ResetRefused {
    /// Unknown, used or expired link.
    LinkInvalid,
    Fields(FieldErrors),
}

/// Set a new password with a reset link: the link is used up, every session of the account
/// ends, and other outstanding links stop working.
pub async fn reset_password(
    state: &AppState,
    who: &Who,
    token: &str,
    pw: &str,
    confirm: &str,
) -> AppResult<Result<(), ResetRefused>> {
    let hash_of_token = secrets::sha256_hex(token);
    let mut conn = state.db.pool().acquire().await?;
    let row: Option<(UserId,)> = sqlx::query_as(
        "SELECT user_id FROM password_reset WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(&hash_of_token)
    .bind(now_ms())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((user_id,)) = row else {
        return Ok(Err(ResetRefused::LinkInvalid));
    };
    let user = store::find_user(&mut conn, user_id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let mut errors = FieldErrors::new();
    check_new_password(state, &user.username, pw, confirm, &mut errors);
    if !errors.is_empty() {
        return Ok(Err(ResetRefused::Fields(errors)));
    }
    let pw = pw.to_string();
    let hash = cpu::run(move |off| password::hash(&pw, off)).await??;
    let mut tx = state.db.begin().await?;
    let now = now_ms();
    // Use the link up inside the transaction: of two concurrent submissions one wins.
    let used = sqlx::query(
        "UPDATE password_reset SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(&hash_of_token)
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(Err(ResetRefused::LinkInvalid));
    }
    sqlx::query("UPDATE password_reset SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    store::set_password(&mut tx, user_id, &hash).await?;
    let ended = session::delete_for_user(&mut tx, user_id, None).await?;
    let tokens = super::tokens::revoke_all(&mut tx, user_id).await?;
    let who = Who { user_id: Some(user_id), name: format!("{} ({})", user.display_name, user.username), ..who.clone() };
    audit::record(
        &mut tx,
        &who,
        Entry::new("auth.password_reset", "user", user_id, &user.username)
            .after(json!({ "sessions_ended": ended, "api_tokens_revoked": tokens })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Remember the language choice of a signed-in user.
pub async fn set_language(state: &AppState, who: &Who, user_id: UserId, lang: Lang) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let user = store::find_user(&mut tx, user_id).await?.ok_or(AppError::NotFound)?;
    store::set_locale(&mut tx, user_id, lang.code()).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("user.update", "user", user_id, &user.username)
            .before(json!({ "locale": user.locale }))
            .after(json!({ "locale": lang.code() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
