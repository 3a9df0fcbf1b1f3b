//! Census campaign pages: the secretariat opens and closes campaigns; cities follow their
//! members' progress and confirm on a member's behalf; members answer on their own page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::census::{self, Census, CensusForm, CityCounts, Correction, Progress};
use super::store;
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{MemberId, OrgId};
use crate::web::pagination::{PageQuery, Pager, encode_filters};
use crate::web::{CurrentUser, PageCtx, Staff, allow, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_CENSUSES, list)
        .post(paths::ADMIN_CENSUSES, open)
        .get(paths::ADMIN_CENSUS, show)
        .post(paths::ADMIN_CENSUS_CONFIRM, confirm_for)
        .post(paths::ADMIN_CENSUS_LAPSE, lapse)
        .post(paths::ME_CENSUS, answer)
}

#[derive(Template)]
#[template(path = "members/census_list.html")]
struct ListPage {
    ctx: PageCtx,
    campaigns: Vec<(Census, &'static str)>,
    may_open: bool,
    form: CensusForm,
    errors: FieldErrors,
    /// (value, label, ticked)
    cities: Vec<(String, String, bool)>,
    categories: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "members/census_show.html")]
struct ShowPage {
    ctx: PageCtx,
    c: Census,
    status_label: &'static str,
    /// (city, confirmed, corrected, pending, lapsed)
    report: Vec<(String, i64, i64, i64, i64)>,
    totals: (i64, i64, i64, i64),
    rows: Vec<(Progress, String, &'static str)>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    pager: Pager,
    answerable: bool,
    may_lapse: bool,
    error: Option<(i64, String)>,
}

fn status_label(c: &Census, today: time::Date) -> &'static str {
    if c.status == "lapsed" {
        "census.s_lapsed"
    } else if c.is_over(today) {
        "census.s_over"
    } else if c.answerable(today) {
        "census.s_open"
    } else {
        "census.s_scheduled"
    }
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    form: CensusForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    allow(actor.can_view_members())?;
    let mut conn = state.db.pool().acquire().await?;
    let today = state.settings.locale.today();
    let campaigns = census::list(&mut conn)
        .await?
        .into_iter()
        .map(|c| {
            let s = status_label(&c, today);
            (c, s)
        })
        .collect();
    let orgs = super::routes::OrgLabels::read(&mut conn, page.t("member.direct")).await?;
    drop(conn);
    let cities = orgs.cities.into_iter().map(|(id, l, _)| (id.to_string(), l, form.orgs.contains(&id))).collect();
    let categories = state
        .settings
        .categories
        .iter()
        .map(|c| {
            (
                c.code.clone(),
                super::routes::category_label(state, page.lang, &c.code),
                form.categories.contains(&c.code),
            )
        })
        .collect();
    let mut form = form;
    if form.opens_on.is_empty() && errors.is_empty() {
        form.opens_on = today.to_string();
        form.closes_on = (today + time::Duration::days(30)).to_string();
        form.remind_days = "7".into();
    }
    Ok(ListPage {
        ctx: page.title("census.title").crumb("menu.registry", paths::ADMIN_MEMBERS),
        campaigns,
        may_open: actor.can_manage_members(),
        form,
        errors,
        cities,
        categories,
    })
}

async fn list(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    Ok(render(&list_page(&state, &actor, page, CensusForm::default(), FieldErrors::new()).await?)?.into_response())
}

async fn open(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    RawForm(raw): RawForm,
) -> AppResult<Response> {
    allow(actor.can_manage_members())?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = CensusForm {
        title: get("title"),
        opens_on: get("opens_on"),
        closes_on: get("closes_on"),
        remind_days: get("remind_days"),
        orgs: pairs.iter().filter(|(k, _)| k == "org").filter_map(|(_, v)| v.parse().ok().map(OrgId)).collect(),
        categories: pairs.iter().filter(|(k, _)| k == "category").map(|(_, v)| v.clone()).collect(),
    };
    match census::open(&state, &actor, &ctx.who(), &form).await? {
        Ok((id, asked)) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_CENSUS, id),
            &Msg::new("flash.census_opened").arg("name", asked),
        )),
        Err(errors) => render_refused(&list_page(&state, &actor, page, form, errors).await?),
    }
}

#[derive(Debug, Deserialize, Default)]
struct ShowQuery {
    #[serde(default)]
    status: String,
    #[serde(flatten)]
    page: PageQuery,
}

const STATUSES: [(&str, &str); 5] = [
    ("", "list.all"),
    ("pending", "census.m_pending"),
    ("confirmed", "census.m_confirmed"),
    ("corrected", "census.m_corrected"),
    ("lapsed", "census.m_lapsed"),
];

async fn show_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    id: i64,
    q: &ShowQuery,
    error: Option<(i64, String)>,
) -> AppResult<ShowPage> {
    allow(actor.can_view_members())?;
    let mut conn = state.db.pool().acquire().await?;
    let c = census::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let scope = super::routes::scope_orgs(&mut conn, actor).await?;
    let status = STATUSES.iter().skip(1).find(|(s, _)| *s == q.status).map(|(s, _)| *s);
    let pager = Pager::new(&q.page, &paths::with_id(paths::ADMIN_CENSUS, id), encode_filters(&[("status", &q.status)]));
    let counts: Vec<CityCounts> = census::report(&mut conn, id, &scope).await?;
    let rows = census::progress(&mut conn, id, &scope, status, pager.offset(), pager.limit()).await?;
    let orgs = super::routes::OrgLabels::read(&mut conn, page.t("member.direct")).await?;
    drop(conn);
    let totals = counts.iter().fold((0, 0, 0, 0), |t, r| (t.0 + r.1, t.1 + r.2, t.2 + r.3, t.3 + r.4));
    let total = match status {
        Some("confirmed") => totals.0,
        Some("corrected") => totals.1,
        Some("pending") => totals.2,
        Some("lapsed") => totals.3,
        _ => totals.0 + totals.1 + totals.2 + totals.3,
    };
    let report = counts.into_iter().map(|(o, a, b, cc, d)| (orgs.place(o), a, b, cc, d)).collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let city = orgs.place(r.org_id);
            let label = STATUSES.iter().find(|(s, _)| *s == r.status).map(|(_, l)| *l).unwrap_or("census.m_pending");
            (r, city, label)
        })
        .collect();
    let today = state.settings.locale.today();
    Ok(ShowPage {
        status_label: status_label(&c, today),
        answerable: c.answerable(today),
        may_lapse: actor.can_manage_members() && c.status == "open" && c.is_over(today),
        report,
        totals,
        rows,
        tabs: STATUSES.iter().map(|(s, l)| (*s, *l, status.unwrap_or("") == *s)).collect(),
        pager: pager.with_total(total),
        error,
        ctx: page.title_text(c.title.clone()).crumb("census.title", paths::ADMIN_CENSUSES),
        c,
    })
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    Ok(render(&show_page(&state, &actor, page, id, &q, None).await?)?.into_response())
}

#[derive(Debug, Deserialize, Default)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn confirm_for(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path((id, member)): Path<(i64, MemberId)>,
    Form(f): Form<NoteForm>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let c = census::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let m = store::find(&mut conn, member).await?.ok_or(AppError::NotFound)?;
    let path = match m.org_id {
        Some(o) => Some(crate::orgs::store::find(&mut conn, o).await?.ok_or(AppError::NotFound)?.path),
        None => None,
    };
    drop(conn);
    allow(actor.can_confirm_for_member(path.as_deref()))?;
    let correction = Correction { note: f.note, ..Correction::default() };
    match census::respond(&state, &ctx.who(), &c, &m, Some(&correction), true).await? {
        Ok(()) => Ok(redirect_flash(
            &state,
            &format!("{}?status=pending", paths::with_id(paths::ADMIN_CENSUS, id)),
            &Msg::new("flash.census_confirmed").arg("name", &m.name),
        )),
        Err(errors) => {
            let msg = errors.get("note").map(|m| page.msg(m)).unwrap_or_default();
            let q = ShowQuery { status: "pending".into(), ..ShowQuery::default() };
            render_refused(&show_page(&state, &actor, page, id, &q, Some((m.id.0, msg))).await?)
        }
    }
}

async fn lapse(State(state): State<AppState>, Staff(actor, ctx): Staff, Path(id): Path<i64>) -> AppResult<Response> {
    allow(actor.can_manage_members())?;
    let mut conn = state.db.pool().acquire().await?;
    let c = census::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let n = census::lapse(&state, &actor, &ctx.who(), &c).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_CENSUS, id),
        &Msg::new("flash.census_lapsed").arg("name", n),
    ))
}

/// The member answers their census task on /me/membership: confirm, or correct and confirm.
async fn answer(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let m = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if m.user_id != Some(actor.user_id) {
        return Err(AppError::NotFound);
    }
    let c = census::open_task(&mut conn, m.id, state.settings.locale.today())
        .await?
        .ok_or(AppError::Conflict(Msg::new("census.err_answered")))?;
    drop(conn);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let correcting = get("action") == "correct";
    let correction =
        Correction { mobile: get("mobile"), email: get("email"), employer: get("employer"), note: String::new() };
    match census::respond(&state, &ctx.who(), &c, &m, correcting.then_some(&correction), false).await? {
        Ok(()) => Ok(redirect_flash(&state, paths::ME_MEMBERSHIP, &Msg::new("flash.census_answered"))),
        Err(errors) => {
            let view = super::routes::mine_page(&state, &actor, page, Some((m.id, correction, errors))).await?;
            render_refused(&view)
        }
    }
}
