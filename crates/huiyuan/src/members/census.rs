//! Census and re-registration campaigns (普查、清理和重新登记). The secretariat opens a
//! campaign (a window, some or all cities, some or all categories); every active member in
//! scope gets a task — in the app and by e-mail — to confirm or correct their record; city
//! administrators follow progress and may confirm on a member's behalf with a note;
//! reminders go out once, a set number of days before the end; after the window the
//! secretariat previews who would lapse and confirms, and those members lapse (reversible
//! like any status change, with a reason).

use serde_json::json;
use time::Date;

use super::store::{self, Member};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::{Conn, MemberId, OrgId, Sql, now_ms};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Census {
    pub id: i64,
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub orgs_json: String,
    pub categories_json: String,
    pub remind_days: i64,
    pub status: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub lapsed_at: Option<i64>,
}

impl Census {
    pub fn orgs(&self) -> Vec<OrgId> {
        serde_json::from_str(&self.orgs_json).unwrap_or_default()
    }

    pub fn categories(&self) -> Vec<String> {
        serde_json::from_str(&self.categories_json).unwrap_or_default()
    }

    /// Members can still answer (the window is open and nobody has lapsed yet).
    pub fn answerable(&self, today: Date) -> bool {
        self.status == "open" && self.opens_on.as_str() <= today.to_string().as_str() && !self.is_over(today)
    }

    pub fn is_over(&self, today: Date) -> bool {
        self.closes_on.as_str() < today.to_string().as_str()
    }
}

const COLUMNS: &str = "id, title, opens_on, closes_on, orgs_json, categories_json, remind_days, status,
    created_by_name, created_at, lapsed_at";

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<Census>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM census WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Census>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM census ORDER BY id DESC")).fetch_all(&mut *conn).await
}

/// What the secretariat fills in to open a campaign.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CensusForm {
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub remind_days: String,
    #[serde(skip)]
    pub orgs: Vec<OrgId>,
    #[serde(skip)]
    pub categories: Vec<String>,
}

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
    let opens = crate::applications::model::parse_date(&f.opens_on).map_err(|m| e.add("opens_on", m)).ok();
    let closes = crate::applications::model::parse_date(&f.closes_on).map_err(|m| e.add("closes_on", m)).ok();
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
    let title = lang.render(&Msg::new(key).arg("title", &c.title));
    let body = lang.render(&Msg::new("census.task_body").arg("date", &c.closes_on));
    let mut sent = 0;
    for (_, name, user, email) in &rows {
        if let Some(user) = user {
            crate::notifications::notify(tx, crate::storage::UserId(*user), &title, &body, crate::paths::ME_MEMBERSHIP)
                .await?;
        }
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
        let Ok(closes) = crate::applications::model::parse_date(&c.closes_on) else { continue };
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

/// A member's open task in a campaign, if any.
pub async fn open_task(conn: &mut Conn, member: MemberId, today: Date) -> Result<Option<Census>, sqlx::Error> {
    let rows: Vec<Census> = sqlx::query_as(&format!(
        "SELECT {} FROM census c JOIN census_member x ON x.census_id = c.id
         WHERE x.member_id = $1 AND x.status = 'pending' AND c.status = 'open' ORDER BY c.id DESC",
        COLUMNS.split(", ").map(|c| format!("c.{}", c.trim())).collect::<Vec<_>>().join(", ")
    ))
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().find(|c| c.answerable(today)))
}

/// What a member may correct in their record.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Correction {
    pub mobile: String,
    pub email: String,
    pub employer: String,
    pub note: String,
}

/// A member answers: confirms their record (no correction), or corrects it. Or a city
/// administrator confirms on the member's behalf (`on_behalf`, with a note).
pub async fn respond(
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
    let mut tx = state.db.begin().await?;
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

/// Per city: (org, confirmed, corrected, pending, lapsed).
pub type CityCounts = (Option<OrgId>, i64, i64, i64, i64);

pub async fn report(conn: &mut Conn, census: i64, orgs: &Option<Vec<OrgId>>) -> Result<Vec<CityCounts>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT org_id,
            SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = 'corrected' THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END)
         FROM census_member WHERE census_id = ",
    );
    sql.bind(census);
    super::store::push_scope(&mut sql, "org_id", orgs);
    sql.push(" GROUP BY org_id ORDER BY org_id");
    sql.fetch_all(conn).await
}

/// A member's line in a campaign's progress list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Progress {
    pub member_id: MemberId,
    pub number: String,
    pub name: String,
    pub org_id: Option<OrgId>,
    pub status: String,
    pub responded_at: Option<i64>,
    pub responded_by: String,
    pub on_behalf: i64,
    pub note: String,
}

pub async fn progress(
    conn: &mut Conn,
    census: i64,
    orgs: &Option<Vec<OrgId>>,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Progress>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT x.member_id, m.number, m.name, x.org_id, x.status, x.responded_at, x.responded_by, x.on_behalf, x.note
         FROM census_member x JOIN member m ON m.id = x.member_id WHERE x.census_id = ",
    );
    sql.bind(census);
    super::store::push_scope(&mut sql, "x.org_id", orgs);
    if let Some(s) = status {
        sql.push(" AND x.status = ").bind(s.to_string());
    }
    sql.push(" ORDER BY m.number LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    sql.fetch_all(conn).await
}

/// After the window: every member still pending becomes lapsed (会籍失效), in one
/// transaction, with the campaign as the reason. Returns how many lapsed.
pub async fn lapse(state: &AppState, actor: &Actor, who: &Who, census: &Census) -> AppResult<i64> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
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
    Ok(n)
}
