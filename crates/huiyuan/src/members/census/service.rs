//! Census actions: the secretariat opens a campaign and, after the window, lapses who did
//! not answer; members answer their task; a city's administrators confirm on a member's
//! behalf; reminders go out from the worker's housekeeping. Each is one transaction with its
//! audit record, the permission decided here.

use serde_json::json;

use super::query::{find, list, open_task};
use super::{Census, CensusForm, Correction};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::members::query;
use crate::members::store::{self, Member};
use crate::notifications::Body;
use crate::state::AppState;
use crate::storage::{Conn, MemberId, Sql, UserId, now_ms};

/// Open a campaign: a task for every active member in scope, announced in the app and by
/// e-mail. Returns the campaign id and how many members it asks.
pub async fn open(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    f: &CensusForm,
) -> AppResult<Result<(i64, i64), FieldErrors>> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let title = crate::text::normalize_line(&f.title);
    if title.is_empty() {
        e.add("title", Msg::new("err.required"));
    } else if title.chars().count() > 60 {
        e.add("title", Msg::new("err.too_long").arg("max", 60));
    }
    let today = state.settings.locale.today();
    let opens = crate::domain::parse_date(&f.opens_on).map_err(|m| e.add("opens_on", m)).ok();
    let closes = crate::domain::parse_date(&f.closes_on).map_err(|m| e.add("closes_on", m)).ok();
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            e.add("closes_on", Msg::new("census.err_window"));
        } else if c < today {
            e.add("closes_on", Msg::new("census.err_past"));
        }
    }
    let remind_days = match f.remind_days.trim() {
        "" => 7,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=60).contains(&n) => n,
            _ => {
                e.add("remind_days", Msg::new("census.err_remind"));
                0
            }
        },
    };
    if f.categories.iter().any(|c| state.settings.category(c).is_none()) {
        e.add("categories", Msg::new("err.choice"));
    }
    let (Some(opens), Some(closes)) = (opens, closes) else {
        return Ok(Err(e));
    };
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO census (title, opens_on, closes_on, orgs_json, categories_json, remind_days, status,
            created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
    )
    .bind(&title)
    .bind(opens.to_string())
    .bind(closes.to_string())
    .bind(serde_json::to_string(&f.orgs).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&f.categories).unwrap_or_else(|_| "[]".into()))
    .bind(remind_days)
    .bind(&who.name)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let mut sql = Sql::new(
        "INSERT INTO census_member (census_id, member_id, org_id, status)
         SELECT ",
    );
    sql.bind(id).push(", m.id, m.org_id, 'pending' FROM member m WHERE m.status = 'active'");
    push_in(&mut sql, "m.org_id", &f.orgs);
    push_in(&mut sql, "m.category", &f.categories);
    let asked = i64::try_from(sql.execute(&mut tx).await?).unwrap_or(0);
    let census = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let sent = announce(state, &mut tx, &census, false).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("census.open", "census", id, &title).after(json!({
            "opens_on": census.opens_on, "closes_on": census.closes_on, "orgs": f.orgs,
            "categories": f.categories, "members": asked, "emails": sent,
        })),
    )
    .await?;
    tx.commit().await?;
    state.jobs.wake();
    Ok(Ok((id, asked)))
}

/// ` AND <column> IN (…)` unless `values` is empty (empty means all).
fn push_in<T>(sql: &mut Sql, column: &str, values: &[T])
where
    T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + Clone + 'static,
{
    if !values.is_empty() {
        sql.push(&format!(" AND {column} IN ")).list(values.iter().cloned());
    }
}

/// Tell the members with a pending task (all of them, or only those not reminded yet):
/// a notification for those with an account, an e-mail for those with an address.
/// Returns the number of e-mails queued.
async fn announce(state: &AppState, tx: &mut Conn, c: &Census, reminder: bool) -> AppResult<i64> {
    let rows: Vec<(i64, String, Option<i64>, String)> = sqlx::query_as(
        "SELECT m.id, m.name, m.user_id, m.email FROM census_member x JOIN member m ON m.id = x.member_id
         WHERE x.census_id = $1 AND x.status = 'pending' AND ($2 = 0 OR x.reminded_at IS NULL)",
    )
    .bind(c.id)
    .bind(i64::from(reminder))
    .fetch_all(&mut *tx)
    .await?;
    let lang = Lang::Zh;
    let site = &state.settings.association.name;
    let link = format!("{}{}", state.settings.server.base_url, crate::paths::ME_MEMBERSHIP);
    let key = if reminder { "census.remind_title" } else { "census.task_title" };
    let title_msg = Msg::new(key).arg("title", &c.title);
    let body_msg = Msg::new("census.task_body").arg("date", &c.closes_on);
    let users: Vec<UserId> = rows.iter().filter_map(|(_, _, user, _)| user.map(UserId)).collect();
    let body = Body::Msgs(std::slice::from_ref(&body_msg));
    crate::notifications::send(tx, &users, &title_msg, body, crate::paths::ME_MEMBERSHIP).await?;
    // E-mail goes to the address in the member record, which has no language of its own.
    let (title, body) = (lang.render(&title_msg), lang.render(&body_msg));
    let mut sent = 0;
    for (_, name, _, email) in &rows {
        if !email.is_empty() {
            let lines = vec![body.clone()];
            let mail = crate::mail::message::message(
                lang,
                site,
                email,
                name,
                &title,
                &lines,
                &link,
                lang.t("census.open_task"),
            )?;
            crate::mail::enqueue(tx, &mail).await?;
            sent += 1;
        }
    }
    if reminder {
        sqlx::query(
            "UPDATE census_member SET reminded_at = $1 WHERE census_id = $2 AND status = 'pending' AND reminded_at IS NULL",
        )
        .bind(now_ms())
        .bind(c.id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(sent)
}

/// Send the reminders that are due: open campaigns within `remind_days` of their end, to
/// members still pending and not reminded yet. Safe to run any number of times.
pub async fn send_reminders(state: &AppState) -> AppResult<i64> {
    let today = state.settings.locale.today();
    let mut conn = state.db.pool().acquire().await?;
    let open: Vec<Census> = list(&mut conn).await?.into_iter().filter(|c| c.status == "open").collect();
    drop(conn);
    let mut sent = 0;
    for c in open {
        let Ok(closes) = crate::domain::parse_date(&c.closes_on) else { continue };
        let due = closes - time::Duration::days(c.remind_days);
        if today < due || c.is_over(today) || !c.answerable(today) {
            continue;
        }
        let mut tx = state.db.begin().await?;
        let n = announce(state, &mut tx, &c, true).await?;
        audit::record(
            &mut tx,
            &Who::system("census-reminder"),
            Entry::new("census.remind", "census", c.id, &c.title).after(json!({ "emails": n })),
        )
        .await?;
        tx.commit().await?;
        sent += n;
    }
    if sent > 0 {
        state.jobs.wake();
    }
    Ok(sent)
}

/// A city's administrator (or the secretariat) confirms a member's record on their behalf,
/// with a note. Answers the member.
pub async fn confirm_for(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    (id, member): (i64, MemberId),
    note: &str,
) -> AppResult<Result<Member, FieldErrors>> {
    let mut conn = state.db.pool().acquire().await?;
    let census = find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let v = query::load_visible(&mut conn, actor, member).await?;
    drop(conn);
    if !actor.can_confirm_for_member(v.org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let correction = Correction { note: note.to_string(), ..Correction::default() };
    Ok(respond(state, who, &census, &v.member, Some(&correction), true).await?.map(|()| v.member))
}

/// A member answers their own open task: confirms their record, or corrects it (and so
/// confirms it). 404 for someone else's record, 409 when there is no open task.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    member: MemberId,
    correction: Option<&Correction>,
) -> AppResult<Result<(), FieldErrors>> {
    let mut conn = state.db.pool().acquire().await?;
    let m = query::load_own(&mut conn, actor, member).await?;
    let census = open_task(&mut conn, m.id, state.settings.locale.today())
        .await?
        .ok_or(AppError::Conflict(Msg::new("census.err_answered")))?;
    drop(conn);
    respond(state, who, &census, &m, correction, false).await
}

/// Record the ID number of a member imported without one: a valid number of nobody else,
/// with the birth date and gender it carries; logged as a correction of the census.
async fn complete_id(
    tx: &mut Conn,
    state: &AppState,
    member: &Member,
    typed: &str,
    census: &str,
) -> AppResult<Result<(), FieldErrors>> {
    let today = state.settings.locale.today();
    let parsed = crate::domain::ResidentId::parse_on(typed, today);
    let id = match parsed {
        Ok(id) => id,
        Err(m) => return Ok(Err(FieldErrors::single("id_number", m))),
    };
    let key = format!("resident_id:{}", id.as_str());
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM member WHERE identity_key = $1 AND id <> $2")
        .bind(&key)
        .bind(member.id)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Ok(Err(FieldErrors::single("id_number", Msg::new("census.err_id_taken"))));
    }
    let gender = match id.gender() {
        crate::domain::Gender::Male => "male",
        crate::domain::Gender::Female => "female",
    };
    let marks: Vec<&str> = member.mark_list().into_iter().filter(|m| *m != "id_to_complete").collect();
    sqlx::query(
        "UPDATE member SET id_number = $1, identity_key = $2, birth_date = $3, gender = $4, marks = $5,
            updated_at = $6 WHERE id = $7 AND id_number = ''",
    )
    .bind(id.as_str())
    .bind(&key)
    .bind(id.birth_date().to_string())
    .bind(gender)
    .bind(marks.join(" "))
    .bind(now_ms())
    .bind(member.id)
    .execute(&mut *tx)
    .await?;
    let after = crate::domain::mask_document(id.as_str());
    store::event(tx, member.id, "correction", Lang::Zh.t("mark.id_to_complete"), &after, census, None).await?;
    Ok(Ok(()))
}

/// A member answers: confirms their record (no correction), or corrects it. Or a city
/// administrator confirms on the member's behalf (`on_behalf`, with a note).
async fn respond(
    state: &AppState,
    who: &Who,
    census: &Census,
    member: &Member,
    correction: Option<&Correction>,
    on_behalf: bool,
) -> AppResult<Result<(), FieldErrors>> {
    if !census.answerable(state.settings.locale.today()) {
        return Err(AppError::Conflict(Msg::new("census.err_closed")));
    }
    let mut status = "confirmed";
    let note = correction.map(|c| crate::text::normalize_line(&c.note)).unwrap_or_default();
    if on_behalf && note.is_empty() {
        return Ok(Err(FieldErrors::single("note", Msg::new("census.err_note"))));
    }
    // A member imported without an ID number completes it now (a city confirming on their
    // behalf cannot: the number is the member's own to give).
    let completes_id = !on_behalf && member.id_to_complete();
    if completes_id && correction.is_none_or(|c| c.id_number.trim().is_empty()) {
        return Ok(Err(FieldErrors::single("id_number", Msg::new("census.err_id_needed"))));
    }
    let mut tx = state.db.begin().await?;
    if completes_id && let Some(c) = correction {
        match complete_id(&mut tx, state, member, &c.id_number, &census.title).await? {
            Ok(()) => status = "corrected",
            Err(e) => return Ok(Err(e)),
        }
    }
    if let Some(c) = correction.filter(|_| !on_behalf) {
        let mut e = FieldErrors::new();
        let mobile = crate::text::normalize(&c.mobile);
        if !mobile.is_empty() && crate::domain::Mobile::parse(&mobile).is_err() {
            e.add("mobile", Msg::new("err.mobile"));
        }
        let email = crate::text::normalize(&c.email);
        if !email.is_empty() && crate::domain::Email::parse(&email).is_err() {
            e.add("email", Msg::new("err.email"));
        }
        let employer = crate::text::normalize_line(&c.employer);
        if employer.chars().count() > 120 {
            e.add("employer", Msg::new("err.too_long").arg("max", 120));
        }
        if !e.is_empty() {
            return Ok(Err(e));
        }
        if (mobile.as_str(), email.as_str(), employer.as_str())
            != (member.mobile.as_str(), member.email.as_str(), member.employer.as_str())
        {
            status = "corrected";
            sqlx::query("UPDATE member SET mobile = $1, email = $2, employer = $3, updated_at = $4 WHERE id = $5")
                .bind(&mobile)
                .bind(&email)
                .bind(&employer)
                .bind(now_ms())
                .bind(member.id)
                .execute(&mut *tx)
                .await?;
            store::index(&mut tx, member.id).await?;
            let before = format!("{} / {} / {}", member.mobile, member.email, member.employer);
            let after = format!("{mobile} / {email} / {employer}");
            store::event(&mut tx, member.id, "correction", &before, &after, &census.title, None).await?;
        }
    }
    let done = sqlx::query(
        "UPDATE census_member SET status = $1, responded_at = $2, responded_by = $3, on_behalf = $4, note = $5
         WHERE census_id = $6 AND member_id = $7 AND status = 'pending'",
    )
    .bind(status)
    .bind(now_ms())
    .bind(&who.name)
    .bind(i64::from(on_behalf))
    .bind(&note)
    .bind(census.id)
    .bind(member.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Msg::new("census.err_answered")));
    }
    audit::record(
        &mut tx,
        who,
        Entry::new("census.respond", "member", member.id, &member.name)
            .org_opt(member.org_id)
            .after(json!({ "census": census.id, "status": status, "on_behalf": on_behalf, "note": note })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// After the window: every member still pending becomes lapsed (会籍失效), in one
/// transaction, with the campaign as the reason. Returns how many lapsed.
pub async fn lapse(state: &AppState, actor: &Actor, who: &Who, id: i64) -> AppResult<i64> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let census = &find(&mut *state.db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)?;
    let today = state.settings.locale.today();
    if !census.is_over(today) {
        return Err(AppError::Conflict(Msg::new("census.err_not_over").arg("date", &census.closes_on)));
    }
    let mut tx = state.db.begin().await?;
    let claimed = sqlx::query("UPDATE census SET status = 'lapsed', lapsed_at = $1 WHERE id = $2 AND status = 'open'")
        .bind(now_ms())
        .bind(census.id)
        .execute(&mut *tx)
        .await?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::Conflict(Msg::new("census.err_lapsed")));
    }
    let pending: Vec<(MemberId,)> = sqlx::query_as(
        "SELECT x.member_id FROM census_member x JOIN member m ON m.id = x.member_id
         WHERE x.census_id = $1 AND x.status = 'pending' AND m.status = 'active'",
    )
    .bind(census.id)
    .fetch_all(&mut *tx)
    .await?;
    let reason = Lang::Zh.render(&Msg::new("census.lapse_reason").arg("title", &census.title));
    for (id,) in &pending {
        store::set_field(&mut tx, *id, store::Field::Status, "active", "lapsed").await?;
        store::end_period(&mut tx, *id, &today.to_string(), "lapsed").await?;
        store::revoke_certificates(&mut tx, *id, &reason).await?;
        store::event(&mut tx, *id, "status", "active", "lapsed", &reason, Some((actor.user_id, &who.name))).await?;
    }
    sqlx::query("UPDATE census_member SET status = 'lapsed' WHERE census_id = $1 AND status = 'pending'")
        .bind(census.id)
        .execute(&mut *tx)
        .await?;
    let n = i64::try_from(pending.len()).unwrap_or(0);
    audit::record(
        &mut tx,
        who,
        Entry::new("census.lapse", "census", census.id, &census.title).after(json!({ "lapsed": n })),
    )
    .await?;
    tx.commit().await?;
    crate::storage::analyze_soon(&state.db, &crate::storage::MEMBER_TABLES);
    Ok(n)
}
