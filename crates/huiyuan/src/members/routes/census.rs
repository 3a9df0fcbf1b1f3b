//! Census campaign pages: the secretariat opens and closes campaigns; cities follow their
//! members' progress and confirm on a member's behalf (members answer on their own page,
//! `personal`).

use axum::Form;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::members::census::{CensusForm, CityCounts, query, service};
use crate::members::query::{OrgLabels, category_label};
use crate::members::views::census::{ListPage, STATUSES, ShowPage, status_label};
use crate::paths;
use crate::paths::encode_filters;
use crate::state::{AppState, Routes};
use crate::storage::{MemberId, OrgId};
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_CENSUSES, list)
        .post(paths::ADMIN_CENSUSES, open)
        .get(paths::ADMIN_CENSUS, show)
        .post(paths::ADMIN_CENSUS_CONFIRM, confirm_for)
        .post(paths::ADMIN_CENSUS_LAPSE, lapse)
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    form: CensusForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let mut conn = state.db.pool().acquire().await?;
    let today = state.settings.locale.today();
    let campaigns = query::campaigns(&mut conn, actor)
        .await?
        .into_iter()
        .map(|c| {
            let s = status_label(&c, today);
            (c, s)
        })
        .collect();
    let orgs = OrgLabels::read(&mut conn, &state.org_names, page.t("member.direct")).await?;
    drop(conn);
    let cities = orgs.cities.into_iter().map(|(id, l, _)| (id.to_string(), l, form.orgs.contains(&id))).collect();
    let categories = state
        .settings
        .categories
        .iter()
        .map(|c| {
            (c.code.clone(), category_label(&state.settings, page.lang, &c.code), form.categories.contains(&c.code))
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
    match service::open(&state, &actor, &ctx.who(), &form).await? {
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

async fn show_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    id: i64,
    q: &ShowQuery,
    error: Option<(i64, String)>,
) -> AppResult<ShowPage> {
    let mut conn = state.db.pool().acquire().await?;
    let c = query::visible(&mut conn, actor, id).await?;
    let scope = actor.org_scope();
    let status = STATUSES.iter().skip(1).find(|(s, _)| *s == q.status).map(|(s, _)| *s);
    let pager = Pager::new(&q.page, &paths::with_id(paths::ADMIN_CENSUS, id), encode_filters(&[("status", &q.status)]));
    let counts: Vec<CityCounts> = query::report(&mut conn, id, &scope).await?;
    let rows = query::progress(&mut conn, id, &scope, status, pager.offset(), pager.limit()).await?;
    let orgs = OrgLabels::read(&mut conn, &state.org_names, page.t("member.direct")).await?;
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
    match service::confirm_for(&state, &actor, &ctx.who(), (id, member), &f.note).await? {
        Ok(m) => Ok(redirect_flash(
            &state,
            &format!("{}?status=pending", paths::with_id(paths::ADMIN_CENSUS, id)),
            &Msg::new("flash.census_confirmed").arg("name", &m.name),
        )),
        Err(errors) => {
            let msg = errors.get("note").map(|m| page.msg(m)).unwrap_or_default();
            let q = ShowQuery { status: "pending".into(), ..ShowQuery::default() };
            render_refused(&show_page(&state, &actor, page, id, &q, Some((member.0, msg))).await?)
        }
    }
}

async fn lapse(State(state): State<AppState>, Staff(actor, ctx): Staff, Path(id): Path<i64>) -> AppResult<Response> {
    let n = service::lapse(&state, &actor, &ctx.who(), id).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_CENSUS, id),
        &Msg::new("flash.census_lapsed").arg("name", n),
    ))
}
