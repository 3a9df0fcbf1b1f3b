//! Reminders to city administrators before the progress report's deadline (the settings'
//! `targets.reminder_days`): to each city whose report is not in, or which is below either
//! lower bound of its target, an e-mail and an in-app notification per administrator. A row
//! in `target_reminder` per year, city and reminder day makes each reminder go out once,
//! however often the job runs; one that was missed while the platform was down is not
//! sent late once a later reminder day has come.

use std::collections::HashMap;

use serde_json::json;
use time::Date;

use super::progress::{self, CityProgress};
use super::report::{self, ReportStatus};
use super::{Standing, Target, store};
use crate::audit::{self, Entry, Who};
use crate::error::AppResult;
use crate::i18n::{Lang, Msg};
use crate::notifications::Body;
use crate::state::AppState;
use crate::storage::{Conn, OrgId, UserId, now_ms};

/// Why a city is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The report is not in (never handed in, or returned and not handed in again).
    ReportMissing,
    /// New group or individual members below the target's lower bound.
    BelowTarget,
}

/// The reminder day that applies on `today` for a deadline: the nearest of `days` before
/// the deadline that has come (so a missed earlier one is not sent late), none after the
/// deadline or before the first.
pub fn due_day(days: &[i64], deadline: Date, today: Date) -> Option<i64> {
    if today > deadline {
        return None;
    }
    let left = (deadline - today).whole_days();
    days.iter().copied().filter(|d| *d >= left).min()
}

/// The reasons to remind a city, if any.
pub fn reasons(p: &CityProgress, report: Option<ReportStatus>) -> Vec<Reason> {
    let mut out = Vec::new();
    if matches!(report, None | Some(ReportStatus::Returned)) {
        out.push(Reason::ReportMissing);
    }
    if p.groups_standing == Standing::Below || p.individuals_standing == Standing::Below {
        out.push(Reason::BelowTarget);
    }
    out
}

/// A city administrator: user id, display name, e-mail address (may be empty).
type Recipient = (UserId, String, Option<String>);

async fn recipients(conn: &mut Conn, org: OrgId) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.email FROM role_grant g JOIN app_user u ON u.id = g.user_id
         WHERE g.role = 'city_admin' AND g.org_id = $1 AND u.is_active = 1 ORDER BY u.id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await
}

/// Send the reminders due today. Returns the number of cities reminded.
pub async fn send_reminders(state: &AppState) -> AppResult<usize> {
    send_reminders_on(state, state.settings.locale.today()).await
}

/// Send the reminders due on `today` (the job passes the association's today; tests pass a
/// day of their choosing). Safe to run any number of times.
pub async fn send_reminders_on(state: &AppState, today: Date) -> AppResult<usize> {
    let days = &state.settings.targets.reminder_days;
    if days.is_empty() {
        return Ok(0);
    }
    let year = today.year();
    let mut conn = state.db.pool().acquire().await?;
    let mut targets = store::for_year(&mut conn, year).await?;
    if targets.is_empty() {
        let mut tx = state.db.begin().await?;
        store::ensure_year(&mut tx, &state.settings, year).await?;
        tx.commit().await?;
        targets = store::for_year(&mut conn, year).await?;
    }
    let due: Vec<(Target, i64, Date)> = targets
        .into_iter()
        .filter_map(|t| {
            let deadline = t.ranges.deadline()?;
            let day = due_day(days, deadline, today)?;
            Some((t, day, deadline))
        })
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let sent: Vec<(i64, i64)> = sqlx::query_as("SELECT org_id, days_before FROM target_reminder WHERE year = $1")
        .bind(i64::from(year))
        .fetch_all(&mut *conn)
        .await?;
    let due: Vec<(Target, i64, Date)> =
        due.into_iter().filter(|(t, day, _)| !sent.contains(&(t.org_id.0, *day))).collect();
    if due.is_empty() {
        return Ok(0);
    }
    let offset = state.settings.locale.utc_offset();
    let targets: Vec<Target> = due.iter().map(|(t, _, _)| t.clone()).collect();
    let figures = progress::for_year(&mut conn, year, offset, &targets).await?;
    let reports: HashMap<OrgId, ReportStatus> =
        report::for_year(&mut conn, year).await?.into_iter().map(|r| (r.org_id, r.status())).collect();
    let names: HashMap<OrgId, String> = sqlx::query_as::<_, (OrgId, String)>("SELECT id, name FROM org")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    drop(conn);
    let mut reminded = 0;
    for ((t, day, deadline), p) in due.iter().zip(&figures) {
        let why = reasons(p, reports.get(&t.org_id).copied());
        if why.is_empty() {
            continue;
        }
        let city = names.get(&t.org_id).cloned().unwrap_or_default();
        let mut tx = state.db.begin().await?;
        let people = recipients(&mut tx, t.org_id).await?;
        if people.is_empty() {
            // Nobody to tell yet: an administrator given the city later still gets it.
            continue;
        }
        // The row first: a second run (or a second worker) finds it and sends nothing.
        let claimed = sqlx::query(
            "INSERT INTO target_reminder (year, org_id, days_before, reasons, recipients, sent_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(i64::from(year))
        .bind(t.org_id)
        .bind(*day)
        .bind(json!(why.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>()).to_string())
        .bind(i64::try_from(people.len()).unwrap_or(0))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            continue;
        }
        let left = (*deadline - today).whole_days();
        let mails = notify(state, &mut tx, (t, p, &city), &why, (left, &people)).await?;
        audit::record(
            &mut tx,
            &Who::system("target-reminder"),
            Entry::new("target.remind", "target", format!("{year}/{}", t.org_id.0), format!("{city} {year}"))
                .org(t.org_id)
                .after(json!({
                    "days_before": day,
                    "reasons": why.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>(),
                    "recipients": people.len(),
                    "emails": mails,
                })),
        )
        .await?;
        tx.commit().await?;
        reminded += 1;
    }
    if reminded > 0 {
        state.jobs.wake();
    }
    Ok(reminded)
}

/// Tell each administrator of the city: a notification, and an e-mail where there is an
/// address. Returns the number of e-mails queued.
async fn notify(
    state: &AppState,
    tx: &mut Conn,
    (t, p, city): (&Target, &CityProgress, &str),
    why: &[Reason],
    (left, people): (i64, &[Recipient]),
) -> AppResult<usize> {
    let r = &t.ranges;
    let title = Msg::new("remind.title").arg("year", t.year).arg("date", &r.report_deadline).arg("days", left);
    let mut msgs = vec![Msg::new("remind.hello").arg("city", city)];
    for reason in why {
        msgs.push(match reason {
            Reason::ReportMissing => Msg::new("remind.report_missing").arg("date", &r.report_deadline),
            Reason::BelowTarget => Msg::new("remind.below")
                .arg("groups", p.new_groups)
                .arg("groups_range", format!("{}–{}", r.groups_min, r.groups_max))
                .arg("individuals", p.new_individuals)
                .arg("individuals_range", format!("{}–{}", r.individuals_min, r.individuals_max)),
        });
    }
    let path = crate::paths::fill(crate::paths::ADMIN_PROGRESS_CITY, &[&t.year, &t.org_id.0]);
    let users: Vec<UserId> = people.iter().map(|(user, _, _)| *user).collect();
    crate::notifications::send(tx, &users, &title, Body::Msgs(&msgs[1..]), &path).await?;
    // The e-mail is the association's letter, in Chinese.
    let lang = Lang::Zh;
    let link = format!("{}{path}", state.settings.server.base_url);
    let site = &state.settings.association.name;
    let (title, lines): (String, Vec<String>) = (lang.render(&title), msgs.iter().map(|m| lang.render(m)).collect());
    let mut mails = 0;
    for (_, name, email) in people {
        if let Some(email) = email.as_deref().filter(|e| !e.is_empty()) {
            let mail =
                crate::mail::message::message(lang, site, email, name, &title, &lines, &link, lang.t("remind.open"))?;
            crate::mail::enqueue(tx, &mail).await?;
            mails += 1;
        }
    }
    Ok(mails)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u8, d: u8) -> Date {
        Date::from_calendar_date(2026, time::Month::try_from(m).unwrap(), d).unwrap()
    }

    #[test]
    fn the_nearest_reminder_day_that_has_come_applies_and_none_after_the_deadline() {
        let deadline = day(3, 31);
        let days = [14, 3];
        assert_eq!(due_day(&days, deadline, day(3, 16)), None, "15 days before");
        assert_eq!(due_day(&days, deadline, day(3, 17)), Some(14));
        assert_eq!(due_day(&days, deadline, day(3, 27)), Some(14), "4 days before");
        assert_eq!(due_day(&days, deadline, day(3, 28)), Some(3));
        assert_eq!(due_day(&days, deadline, day(3, 31)), Some(3), "the day itself");
        assert_eq!(due_day(&days, deadline, day(4, 1)), None, "after the deadline");
    }
}
