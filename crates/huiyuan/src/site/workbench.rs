//! The workbench (工作台): what needs doing now, for whoever is signed in, each with a link
//! to where it is done — a city administrator's applications waiting for review (and how
//! long), recommended ones not yet in a batch, the year's targets against progress and the
//! report's deadline, census replies outstanding; the secretariat's batches to file, the
//! next council meeting and what is ready for one, the reports handed in; a member's
//! application and its next step, their membership and certificate, a census to answer.

use crate::applications::council;
use crate::applications::model::Application;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::i18n::{Lang, Msg};
use crate::members::query::Own;
use crate::paths;
use crate::state::AppState;
use crate::storage::{Conn, OrgId};
use crate::targets::report::ReportStatus;

/// One thing to do (or to know), in words, with where to go.
#[derive(Debug, Clone)]
pub struct Todo {
    pub text: String,
    /// A second line: how long, against what, by when.
    pub detail: String,
    pub href: String,
    /// Waiting on this viewer (else: for their information).
    pub action: bool,
}

fn todo(lang: Lang, msg: Msg, detail: Option<Msg>, href: String, action: bool) -> Todo {
    Todo { text: lang.render(&msg), detail: detail.map(|d| lang.render(&d)).unwrap_or_default(), href, action }
}

const DAY_MS: i64 = 86_400_000;

/// Everything for this viewer, most pressing first within each of their roles.
pub async fn todos(state: &AppState, actor: &Actor, lang: Lang) -> AppResult<Vec<Todo>> {
    let mut conn = state.db.pool().acquire().await?;
    let mut out = Vec::new();
    if let Some(city) = actor.administered_city() {
        city_todos(&mut conn, state, actor, lang, city.org_id, &mut out).await?;
    }
    if actor.has_province_workbench() {
        secretariat_todos(&mut conn, state, lang, &mut out).await?;
    }
    if actor.can_vote(true) {
        council_todos(&mut conn, actor, lang, &mut out).await?;
    }
    member_todos(&mut conn, state, actor, lang, &mut out).await?;
    Ok(out)
}

async fn city_todos(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    org: OrgId,
    out: &mut Vec<Todo>,
) -> AppResult<()> {
    let now = crate::storage::now_ms();
    let (waiting, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(submitted_at) FROM application WHERE org_id = $1 AND status IN ('submitted', 'sent_back')",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    if waiting > 0 {
        let days = oldest.map_or(0, |at| (now - at) / DAY_MS);
        let detail = Msg::new("work.oldest_days").arg("days", days);
        let href = format!("{}?status=submitted,sent_back&city={org}", paths::ADMIN_APPLICATIONS);
        out.push(todo(lang, Msg::new("work.to_review").arg("n", waiting), Some(detail), href, true));
    }
    let (unbatched,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM application a WHERE a.org_id = $1 AND a.status = 'recommended'
           AND NOT EXISTS (SELECT 1 FROM batch_item i WHERE i.application_id = a.id)",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    if unbatched > 0 {
        let href = format!("{}?status=recommended&city={org}", paths::ADMIN_APPLICATIONS);
        let detail = Msg::new("work.to_batch_detail");
        out.push(todo(lang, Msg::new("work.to_batch").arg("n", unbatched), Some(detail), href, true));
    }
    let year = state.settings.locale.today().year();
    if let Ok((c, today)) = crate::targets::query::city_year(conn, &state.settings, actor, (year, org)).await {
        let t = &c.target;
        let text = Msg::new("work.targets")
            .arg("year", year)
            .arg("groups", c.p.new_groups)
            .arg("groups_range", format!("{}–{}", t.groups_min, t.groups_max))
            .arg("individuals", c.p.new_individuals)
            .arg("individuals_range", format!("{}–{}", t.individuals_min, t.individuals_max));
        let (report, _) = c.report_state(today);
        let detail = Msg::new("work.report").arg("state", lang.t(report)).arg("deadline", &t.report_deadline);
        let href = paths::fill(paths::ADMIN_PROGRESS_CITY, &[&year, &org]);
        out.push(todo(lang, text, Some(detail), href, !c.report_in()));
    }
    let census: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT c.id, c.title, COUNT(*) FROM census c JOIN census_member x ON x.census_id = c.id
         WHERE c.status = 'open' AND x.status = 'pending' AND x.org_id = $1 GROUP BY c.id, c.title ORDER BY c.id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    for (id, title, pending) in census {
        let text = Msg::new("work.census_pending").arg("title", title).arg("n", pending);
        out.push(todo(lang, text, None, paths::with_id(paths::ADMIN_CENSUS, id), true));
    }
    Ok(())
}

async fn secretariat_todos(conn: &mut Conn, state: &AppState, lang: Lang, out: &mut Vec<Todo>) -> AppResult<()> {
    let (apps, batches): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT i.batch_id) FROM application a JOIN batch_item i ON i.application_id = a.id
         WHERE a.status = 'forwarded'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if apps > 0 {
        let text = Msg::new("work.to_file").arg("batches", batches).arg("n", apps);
        out.push(todo(lang, text, Some(Msg::new("work.to_file_detail")), paths::ADMIN_BATCHES.into(), true));
    }
    let ready = council::count_ready(conn).await?;
    if ready > 0 {
        let text = Msg::new("work.ready_for_council").arg("n", ready);
        out.push(todo(lang, text, None, paths::ADMIN_COUNCIL_NEW.into(), true));
    }
    let meetings = council::list(conn).await?;
    let next = meetings.into_iter().filter(|m| m.is_open()).min_by(|a, b| (&a.held_on, a.id).cmp(&(&b.held_on, b.id)));
    if let Some(m) = next {
        let items = council::agenda(conn, m.id).await?.len();
        let text = Msg::new("work.next_meeting").arg("date", &m.held_on).arg("session", &m.session);
        let detail = Msg::new("work.agenda").arg("n", items);
        out.push(todo(lang, text, Some(detail), paths::with_id(paths::ADMIN_MEETING, m.id), false));
    }
    let year = state.settings.locale.today().year();
    let reports = crate::targets::report::for_year(conn, year).await?;
    let status = |s| reports.iter().filter(|r| r.status() == s).count();
    let to_read = status(ReportStatus::Submitted);
    let handed_in = to_read + status(ReportStatus::Accepted);
    let cities = i64::try_from(state.settings.cities.len()).unwrap_or(0);
    let text = Msg::new("work.reports").arg("year", year).arg("n", handed_in).arg("of", cities);
    let detail = (to_read > 0).then(|| Msg::new("work.reports_to_read").arg("n", to_read));
    out.push(todo(lang, text, detail, format!("{}?year={year}", paths::ADMIN_PROGRESS), to_read > 0));
    Ok(())
}

/// A council member: the open meetings they attend where items wait for their vote.
async fn council_todos(conn: &mut Conn, actor: &Actor, lang: Lang, out: &mut Vec<Todo>) -> AppResult<()> {
    let meetings: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT m.id, m.held_on, m.session,
                (SELECT COUNT(*) FROM agenda_item i WHERE i.meeting_id = m.id
                   AND NOT EXISTS (SELECT 1 FROM vote v WHERE v.meeting_id = m.id
                                     AND v.application_id = i.application_id AND v.user_id = $1))
         FROM council_meeting m JOIN meeting_attendee a ON a.meeting_id = m.id AND a.user_id = $1
         WHERE m.status = 'open' AND m.mode = 'votes' ORDER BY m.held_on, m.id",
    )
    .bind(actor.user_id)
    .fetch_all(&mut *conn)
    .await?;
    for (id, held_on, session, unvoted) in meetings.into_iter().filter(|m| m.3 > 0) {
        let text = Msg::new("work.to_vote").arg("n", unvoted);
        let detail = Msg::new("work.next_meeting").arg("date", held_on).arg("session", session);
        out.push(todo(lang, text, Some(detail), paths::with_id(paths::ADMIN_MEETING, id), true));
    }
    Ok(())
}

/// What waits for a member's or applicant's own action, from their applications and member
/// records as already read (their home shows the rest itself).
pub fn member_actions(lang: Lang, apps: &[Application], own: &[Own]) -> Vec<Todo> {
    let mut out = member_lines(lang, apps, own);
    out.retain(|t| t.action);
    out
}

async fn member_todos(
    conn: &mut Conn,
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    out: &mut Vec<Todo>,
) -> AppResult<()> {
    let apps = crate::applications::store::for_applicant(conn, actor.user_id).await?;
    let own = crate::members::query::own_records(conn, &state.settings, actor).await?;
    out.extend(member_lines(lang, &apps, &own));
    Ok(())
}

/// A person's applications under way (each with its step) and their memberships (each with
/// its certificate, and a census to answer).
fn member_lines(lang: Lang, apps: &[Application], own: &[Own]) -> Vec<Todo> {
    let mut out = Vec::new();
    for app in apps {
        let status = app.status();
        let (key, href, action) = match status.as_str() {
            "draft" => ("work.app_draft", paths::with_id(paths::APPLICATION_EDIT, app.id), true),
            "returned" => ("work.app_returned", paths::with_id(paths::APPLICATION_EDIT, app.id), true),
            "approved" | "rejected" | "declined" | "withdrawn" => continue,
            _ => ("work.app_waiting", paths::with_id(paths::APPLICATION, app.id), false),
        };
        let text = Msg::new(key).arg("name", &app.name).arg("status", lang.t(status.label_key()));
        out.push(todo(lang, text, None, href, action));
    }
    for o in own {
        let m = &o.member;
        let status = lang.t(crate::members::model::status_label_key(&m.status));
        let text = Msg::new("work.membership").arg("number", &m.number).arg("status", status);
        let detail = match &o.certificate {
            Some(c) => Msg::new("work.certificate_until").arg("date", &c.valid_until),
            None if m.status == "active" => Msg::new("work.certificate_first"),
            None => Msg::new("work.certificate_none"),
        };
        out.push(todo(lang, text, Some(detail), paths::ME_MEMBERSHIP.into(), false));
        if o.task.is_some() {
            let href = format!("{}#census", paths::ME_MEMBERSHIP);
            out.push(todo(lang, Msg::new("work.census_answer"), None, href, true));
        }
    }
    out
}
