//! Registry pages: the member list with search and filters, a member's page with its
//! history and actions, certificates, the member's own page, and public verification.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, Month};

use super::search;
use super::service::{self, STATUSES, status_label_key, status_tag};
use super::store::{self, Filter, Member, Sort};
use super::views::*;
use crate::audit::AuditFilter;
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::print::certificate::{CertificateText, Layout};
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{Conn, MemberId, OrgId};
use crate::web::pagination::{PageQuery, Pager, encode_filters};
use crate::web::{CurrentUser, PageCtx, Staff, allow, download, redirect_flash, render, render_refused};

pub fn routes(upload_limit: usize) -> Routes {
    super::import_routes::routes(upload_limit)
        .merge(super::duplicate_routes::routes())
        .merge(super::census_routes::routes())
        .merge(super::cert_batch::routes())
        .merge(super::personal::routes())
        .merge(super::proposals::routes())
        .get(paths::ADMIN_MEMBERS, list)
        .get(paths::ADMIN_MEMBERS_CSV, export_csv)
        .get(paths::ADMIN_MEMBERS_XLSX, export_xlsx)
        .get(paths::ADMIN_MEMBER, show)
        .post(paths::ADMIN_MEMBER_STATUS, change_status)
        .post(paths::ADMIN_MEMBER_CATEGORY, change_category)
        .post(paths::ADMIN_MEMBER_ID_NUMBER, reveal_id)
        .get(paths::ADMIN_MEMBER_CERTIFICATE, certificate_pdf)
        .get(paths::ADMIN_MEMBER_PLAQUE, plaque_pdf)
        .post(paths::ADMIN_MEMBER_REISSUE, reissue)
        .get(paths::ME_MEMBERSHIP, mine)
        .get(paths::ME_CERTIFICATE, my_certificate)
        .get(paths::VERIFY, verify)
}

/// The category's name in the page's language.
pub fn category_label(state: &AppState, lang: Lang, code: &str) -> String {
    match state.settings.category(code) {
        Some(c) if lang == Lang::En && !c.english_name.is_empty() => c.english_name.clone(),
        Some(c) => c.name.clone(),
        None => code.to_string(),
    }
}

/// The orgs whose members the actor may list: None = all members.
pub async fn scope_orgs(conn: &mut Conn, actor: &Actor) -> AppResult<Option<Vec<OrgId>>> {
    Ok(match actor.org_scope() {
        OrgScope::All => None,
        OrgScope::Nothing => Some(Vec::new()),
        scope => Some(crate::orgs::store::list(conn, &scope, "", true).await?.into_iter().map(|o| o.id).collect()),
    })
}

/// The org tree as the registry's pages label it, read once per page.
pub struct OrgLabels {
    names: HashMap<OrgId, String>,
    /// The cities in the settings' order: (id, short name, path).
    pub cities: Vec<(OrgId, String, String)>,
    direct: String,
}

impl OrgLabels {
    /// `direct`: the label of province-direct members in the reader's language.
    pub async fn read(conn: &mut Conn, direct: &str) -> AppResult<OrgLabels> {
        let orgs: Vec<(OrgId, String, String, String)> =
            sqlx::query_as("SELECT id, short_name, level, path FROM org ORDER BY sort_order, code")
                .fetch_all(&mut *conn)
                .await?;
        Ok(OrgLabels {
            names: orgs.iter().map(|(id, n, _, _)| (*id, n.clone())).collect(),
            cities: orgs.into_iter().filter(|o| o.2 == "city").map(|(id, n, _, p)| (id, n, p)).collect(),
            direct: direct.to_string(),
        })
    }

    /// A member's (or batch's) place: its city's short name, or 省直属.
    pub fn place(&self, org: Option<OrgId>) -> String {
        org.and_then(|o| self.names.get(&o).cloned()).unwrap_or_else(|| self.direct.clone())
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub sort: String,
    #[serde(flatten)]
    pub page: PageQuery,
}

impl ListQuery {
    /// The filter this query asks for, within the actor's scope.
    pub fn filter(&self, state: &AppState, scope: Option<Vec<OrgId>>) -> Filter {
        let offset = state.settings.locale.utc_offset();
        let joined = self.year.trim().parse::<i32>().ok().and_then(|y| {
            let start = Date::from_calendar_date(y, Month::January, 1).ok()?.midnight().assume_offset(offset);
            let end = Date::from_calendar_date(y + 1, Month::January, 1).ok()?.midnight().assume_offset(offset);
            Some((start.unix_timestamp() * 1000, end.unix_timestamp() * 1000))
        });
        Filter {
            orgs: scope,
            org: self.city.parse::<i64>().ok().map(OrgId),
            direct: self.city == "direct",
            category: state.settings.category(&self.category).map(|c| c.code.clone()),
            kind: ["individual", "group"].contains(&self.kind.as_str()).then(|| self.kind.clone()),
            status: STATUSES.contains(&self.status.as_str()).then(|| self.status.clone()),
            joined,
            group: self.group.parse::<i64>().ok().map(MemberId),
            words: search::parse(&self.q),
            sort: Sort::parse(&self.sort),
        }
    }

    pub fn encoded(&self) -> String {
        encode_filters(&[
            ("q", &self.q),
            ("city", &self.city),
            ("category", &self.category),
            ("kind", &self.kind),
            ("status", &self.status),
            ("year", &self.year),
            ("group", &self.group),
            ("sort", &self.sort),
        ])
    }
}

/// "1,234", or "10,000+" when the count reached the cap.
pub fn total_label(page: &PageCtx, total: i64, cap: i64) -> String {
    if total > cap { format!("{}+", page.num(cap)) } else { page.num(total) }
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    allow(actor.can_view_members())?;
    let mut conn = state.db.pool().acquire().await?;
    let scope = scope_orgs(&mut conn, &actor).await?;
    let filter = q.filter(&state, scope.clone());
    let encoded = q.encoded();
    let export_query = if encoded.is_empty() { String::new() } else { format!("?{encoded}") };
    let pager = Pager::new(&q.page, paths::ADMIN_MEMBERS, encoded);
    // Deep pages of a capped count are not offered: narrow the search instead.
    let (rows, total) = store::list(&mut conn, &filter, pager.offset(), pager.limit()).await?;
    // One read of the org tree: names for the rows, cities for the filter.
    let orgs = OrgLabels::read(&mut conn, page.t("member.direct")).await?;
    let cities: Options = {
        let mut out: Options = orgs
            .cities
            .iter()
            .filter(|(id, _, _)| scope.as_ref().is_none_or(|s| s.contains(id)))
            .map(|(id, n, _)| (id.to_string(), n.clone()))
            .collect();
        if scope.is_none() {
            out.push(("direct".into(), page.t("member.direct").into()));
        }
        out
    };
    let group_name = match filter.group {
        Some(g) => store::find(&mut conn, g).await?.filter(|m| readable_in(&actor, &scope, m)).map(|m| m.name),
        None => None,
    };
    drop(conn);
    let rows = rows
        .into_iter()
        .map(|r| {
            let category = category_label(&state, page.lang, &r.category);
            let city = orgs.place(r.org_id);
            let status = page.t(status_label_key(&r.status));
            let masked = crate::domain::mask_document(&r.id_number);
            let tag = status_tag(&r.status);
            (r, category, city, status, tag, masked)
        })
        .collect();
    let this_year = state.settings.locale.today().year();
    let categories = state
        .settings
        .categories
        .iter()
        .map(|c| (c.code.clone(), category_label(&state, page.lang, &c.code)))
        .collect();
    let statuses = STATUSES.iter().map(|s| (s.to_string(), page.t(status_label_key(s)).to_string())).collect();
    let cap = filter.count_cap();
    let total_label = total_label(&page, total, cap);
    Ok(render(&ListPage {
        ctx: page.title("member.list_title").crumb("menu.registry", paths::ADMIN_MEMBERS),
        rows,
        total_label,
        pager: pager.with_capped_total(total, cap),
        searching: !filter.words.is_empty(),
        export_query,
        may_import: actor.can_import_members(None) || actor.has(crate::auth::Role::CityAdmin),
        q: q.q,
        city: q.city,
        category: q.category,
        kind: q.kind,
        status: q.status,
        year: q.year,
        sort: q.sort,
        group: q.group,
        group_name,
        cities,
        categories,
        statuses,
        years: (2014..=this_year).rev().collect(),
    })?
    .into_response())
}

/// What an export needs: the filter in scope, labels, and the filters as written.
async fn export_setup(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
) -> AppResult<(Filter, super::export::Labels, String)> {
    allow(actor.can_view_members())?;
    let mut conn = state.db.pool().acquire().await?;
    let scope = scope_orgs(&mut conn, actor).await?;
    // Exports are the association's documents: in Chinese whatever the page language.
    let orgs = OrgLabels::read(&mut conn, Lang::Zh.t("member.direct")).await?;
    let labels = super::export::Labels {
        full_ids: actor.can_export_id_numbers(),
        orgs,
        offset: state.settings.locale.utc_offset(),
    };
    Ok((q.filter(state, scope), labels, q.encoded()))
}

fn export_name(state: &AppState, ext: &str) -> String {
    format!("会员名册-{}.{ext}", state.settings.locale.today())
}

/// The filtered list as CSV (UTF-8 with BOM), streamed.
async fn export_csv(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (filter, labels, filters) = export_setup(&state, &actor, &q).await?;
    let name = export_name(&state, "csv");
    let body = super::export::csv(state, ctx.who(), filter, labels, filters);
    Ok(download(body, "text/csv; charset=utf-8", "attachment", &name, "private, no-store"))
}

/// The filtered list as .xlsx.
async fn export_xlsx(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (filter, labels, filters) = export_setup(&state, &actor, &q).await?;
    let name = export_name(&state, "xlsx");
    let (body, _) = super::export::xlsx(state, ctx.who(), filter, labels, filters).await?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment",
        &name,
        "private, no-store",
    ))
}

/// May the actor (with these scope orgs) see this member?
pub fn readable_in(actor: &Actor, scope: &Option<Vec<OrgId>>, m: &Member) -> bool {
    actor.can_view_members()
        && match (scope, m.org_id) {
            (None, _) => true,
            (Some(orgs), Some(org)) => orgs.contains(&org),
            (Some(_), None) => false,
        }
}

/// The member and its city's path, for staff who may see it.
pub(super) async fn visible(state: &AppState, actor: &Actor, id: MemberId) -> AppResult<(Member, Option<String>)> {
    let mut conn = state.db.pool().acquire().await?;
    let m = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let path = match m.org_id {
        Some(org) => Some(crate::orgs::store::find(&mut conn, org).await?.ok_or(AppError::NotFound)?.path),
        None => None,
    };
    allow(actor.can_view_members() && actor.can_view_member(path.as_deref()))?;
    Ok((m, path))
}

pub(super) async fn show_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    m: Member,
    path: Option<&str>,
    revealed: bool,
    attempt: Attempt,
) -> AppResult<ShowPage> {
    let mut conn = state.db.pool().acquire().await?;
    let orgs = OrgLabels::read(&mut conn, page.t("member.direct")).await?;
    let events = store::events(&mut conn, m.id).await?;
    let periods = store::periods(&mut conn, m.id).await?;
    let certificates = store::certificates(&mut conn, m.id).await?;
    let linked = store::linked(&mut conn, m.id, m.kind == "group").await?;
    let proposals = super::proposals::for_member(&mut conn, m.id).await?;
    let audit = if actor.can_read_audit() {
        let mine = AuditFilter {
            target_type: Some("member".into()),
            target_id: Some(m.id.to_string()),
            ..AuditFilter::default()
        };
        let (mut rows, _) = crate::audit::list(&mut conn, &mine, 0, 50).await?;
        if let Some(app) = m.application_id {
            let joining = AuditFilter {
                target_type: Some("application".into()),
                target_id: Some(app.to_string()),
                ..AuditFilter::default()
            };
            rows.extend(crate::audit::list(&mut conn, &joining, 0, 50).await?.0);
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
        rows.into_iter()
            .map(|r| {
                let label = crate::audit::action_label(page.lang, &r.action);
                (r, label)
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(conn);
    let label = |kind: &str, v: &str| -> String {
        match kind {
            "status" => page.t(status_label_key(v)).to_string(),
            "category" | "joined" => category_label(state, page.lang, v),
            _ => v.to_string(),
        }
    };
    let events = events
        .into_iter()
        .map(|e| {
            let (from, to) = (label(&e.kind, &e.from_value), label(&e.kind, &e.to_value));
            (e, from, to)
        })
        .collect();
    let periods = periods
        .into_iter()
        .map(|p| {
            let end = if p.end_status.is_empty() { "" } else { page.t(status_label_key(&p.end_status)) };
            (p, end)
        })
        .collect();
    let linked: Vec<_> = linked
        .into_iter()
        .map(|l| {
            let t = page.t(status_label_key(&l.3));
            (l, t)
        })
        .collect();
    let (min, max) = (state.settings.joining.group_individuals_min, state.settings.joining.group_individuals_max);
    let group_range = (m.kind == "group").then(|| {
        let n = linked.iter().filter(|(l, _)| l.3 == "active").count();
        (n, min, max, (min..=max).contains(&n))
    });
    let range_rule = group_range
        .map(|(n, min, max, _)| page.msg(&Msg::new("member.range_rule").arg("n", n).arg("min", min).arg("max", max)))
        .unwrap_or_default();
    let may_reveal = actor.can_read_id_numbers(path);
    let id_number =
        if revealed && may_reveal { m.id_number.clone() } else { crate::domain::mask_document(&m.id_number) };
    let categories = state
        .settings
        .categories
        .iter()
        .filter(|c| c.kind.fits(&m.kind))
        .map(|c| (c.code.clone(), category_label(state, page.lang, &c.code)))
        .collect();
    let statuses = STATUSES.iter().map(|s| (s.to_string(), page.t(status_label_key(s)).to_string())).collect();
    let city = orgs.place(m.org_id);
    Ok(ShowPage {
        category: category_label(state, page.lang, &m.category),
        city,
        status_label: page.t(status_label_key(&m.status)),
        status_tag: status_tag(&m.status),
        id_number,
        may_reveal: may_reveal && !revealed && !m.id_number.is_empty(),
        revealed: revealed && may_reveal,
        may_manage: actor.can_manage_members(),
        may_propose: actor.can_propose_member_change(path),
        proposals: proposals
            .into_iter()
            .map(|p| {
                let label = |v: &str| match p.field.as_str() {
                    "status" => page.t(status_label_key(v)).to_string(),
                    _ => category_label(state, page.lang, v),
                };
                let (from, to) = (label(&p.from_value), label(&p.to_value));
                (p, from, to)
            })
            .collect(),
        events,
        periods,
        certificates,
        linked,
        group_range,
        audit,
        range_rule,
        statuses,
        categories,
        attempt,
        verify_url: verify_url(state, &m.number, None),
        ctx: page.title_text(m.name.clone()).crumb("menu.registry", paths::ADMIN_MEMBERS),
        m,
    })
}

/// The public verification link of a member number (and certificate serial).
pub fn verify_url(state: &AppState, number: &str, serial: Option<&str>) -> String {
    let base = format!("{}{}", state.settings.server.base_url, paths::fill(paths::VERIFY, &[&number]));
    match serial {
        Some(s) => format!("{base}?s={s}"),
        None => base,
    }
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let (m, path) = visible(&state, &actor, id).await?;
    Ok(render(&show_page(&state, &actor, page, m, path.as_deref(), false, Attempt::default()).await?)?.into_response())
}

/// Show the full ID number once, logging that it was read.
async fn reveal_id(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let (m, path) = visible(&state, &actor, id).await?;
    allow(actor.can_read_id_numbers(path.as_deref()))?;
    service::log_id_view(&state, &ctx.who(), &m).await?;
    let mut resp =
        render(&show_page(&state, &actor, page, m, path.as_deref(), true, Attempt::default()).await?)?.into_response();
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

async fn change_status(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    change(&state, &actor, &ctx.who(), page, id, f, service::Change::Status).await
}

async fn change_category(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    change(&state, &actor, &ctx.who(), page, id, f, service::Change::Category).await
}

/// The secretariat's direct change; a refused one re-shows the page with what was typed.
async fn change(
    state: &AppState,
    actor: &Actor,
    who: &crate::audit::Who,
    page: PageCtx,
    id: MemberId,
    f: ChangeForm,
    what: service::Change,
) -> AppResult<Response> {
    let (m, path) = visible(state, actor, id).await?;
    match service::change(state, actor, who, &m, what, &f.value, &f.reason).await? {
        Ok(()) => {
            let key = match what {
                service::Change::Status => "flash.member_status",
                service::Change::Category => "flash.member_category",
            };
            Ok(redirect_flash(state, &paths::with_id(paths::ADMIN_MEMBER, id), &Msg::new(key).arg("name", &m.name)))
        }
        Err(errors) => {
            let attempt = Attempt { form: what.as_str(), value: f.value, reason: f.reason, errors };
            render_refused(&show_page(state, actor, page, m, path.as_deref(), false, attempt).await?)
        }
    }
}

async fn reissue(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let (m, path) = visible(&state, &actor, id).await?;
    match service::reissue(&state, &actor, &ctx.who(), &m, &f.reason).await? {
        Ok(cert) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_MEMBER, id),
            &Msg::new("flash.certificate_reissued").arg("name", &cert.serial),
        )),
        Err(errors) => {
            let attempt = Attempt { form: "reissue", value: String::new(), reason: f.reason, errors };
            render_refused(&show_page(&state, &actor, page, m, path.as_deref(), false, attempt).await?)
        }
    }
}

/// The certificate PDF of a member (issued on first need).
pub async fn certificate_bytes(
    state: &AppState,
    actor: &Actor,
    who: &crate::audit::Who,
    m: &Member,
    layout: Layout,
) -> AppResult<(Vec<u8>, String)> {
    let font = state.printer.font().ok_or_else(|| AppError::Missing(Msg::new("err.no_font")))?;
    let cert = service::current_certificate(state, Some(actor.user_id), who, m).await?;
    let text = certificate_text(state, m, &cert, layout);
    let bytes = crate::print::certificate::render(&text, layout, &font.0)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("certificate PDF: {e}")))?;
    let name = match layout {
        Layout::Card => format!("会员证-{}-{}.pdf", m.number, m.name),
        Layout::Plaque => format!("团体会员牌-{}-{}.pdf", m.number, m.name),
    };
    Ok((bytes, name))
}

/// What a certificate says (always in Chinese: it is the association's document).
pub fn certificate_text(state: &AppState, m: &Member, cert: &store::Certificate, layout: Layout) -> CertificateText {
    let s = &state.settings;
    let name_label = if m.kind == "group" { "单位名称" } else { "姓　　名" };
    let date = |iso: &str| -> String {
        let mut parts = iso.splitn(3, '-');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(mo), Some(d)) => {
                format!("{y}年{}月{}日", mo.trim_start_matches('0'), d.trim_start_matches('0'))
            }
            _ => iso.to_string(),
        }
    };
    CertificateText {
        association: s.association.name.clone(),
        title: match layout {
            Layout::Card => s.print.certificate_title.clone(),
            Layout::Plaque => s.print.plaque_title.clone(),
        },
        lines: vec![
            (name_label.into(), m.name.clone()),
            ("会员类别".into(), category_label(state, Lang::Zh, &m.category)),
            ("会员编号".into(), m.number.clone()),
            ("发证日期".into(), date(&cert.issued_on)),
            ("有效期至".into(), date(&cert.valid_until)),
        ],
        name: m.name.clone(),
        serial: cert.serial.clone(),
        verify_url: verify_url(state, &m.number, Some(&cert.serial)),
        qr_caption: "扫码验证真伪".into(),
        issuer: format!("{}（盖章）", s.association.name),
        issued_on: date(&cert.issued_on),
    }
}

async fn certificate_pdf(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let (m, _) = visible(&state, &actor, id).await?;
    let (bytes, name) = certificate_bytes(&state, &actor, &ctx.who(), &m, Layout::Card).await?;
    Ok(download(bytes, "application/pdf", "inline", &name, "private, no-store"))
}

async fn plaque_pdf(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let (m, _) = visible(&state, &actor, id).await?;
    if m.kind != "group" {
        return Err(AppError::NotFound);
    }
    let (bytes, name) = certificate_bytes(&state, &actor, &ctx.who(), &m, Layout::Plaque).await?;
    Ok(download(bytes, "application/pdf", "inline", &name, "private, no-store"))
}

/// The signed-in member's own records, certificates and census tasks.
async fn mine(State(state): State<AppState>, CurrentUser(actor, _): CurrentUser, page: PageCtx) -> AppResult<Response> {
    Ok(render(&mine_page(&state, &actor, page, None).await?)?.into_response())
}

/// The member's page; `attempt` re-shows a refused census correction.
pub async fn mine_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    attempt: Option<(MemberId, super::census::Correction, crate::error::FieldErrors)>,
) -> AppResult<MinePage> {
    let mut conn = state.db.pool().acquire().await?;
    let members = store::by_user(&mut conn, actor.user_id).await?;
    let today = state.settings.locale.today();
    let mut out = Vec::new();
    for m in members {
        let today_s = today.to_string();
        let cert = store::certificates(&mut conn, m.id).await?.into_iter().find(|c| c.valid_on(&today_s));
        let task = super::census::open_task(&mut conn, m.id, today).await?;
        let category = category_label(state, page.lang, &m.category);
        let status = page.t(status_label_key(&m.status));
        let tag = status_tag(&m.status);
        let (form, errors) = match &attempt {
            Some((id, c, e)) if *id == m.id => (c.clone(), e.clone()),
            _ => (
                super::census::Correction {
                    mobile: m.mobile.clone(),
                    email: m.email.clone(),
                    employer: m.employer.clone(),
                    note: String::new(),
                },
                crate::error::FieldErrors::new(),
            ),
        };
        out.push(MineItem { m, category, status, tag, cert, task, form, errors });
    }
    drop(conn);
    Ok(MinePage { ctx: page.title("member.mine_title").crumb("menu.me", paths::ME), members: out, correction: None })
}

async fn my_certificate(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let m = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    if m.user_id != Some(actor.user_id) {
        return Err(AppError::NotFound);
    }
    let layout = Layout::Card;
    let (bytes, name) = certificate_bytes(&state, &actor, &ctx.who(), &m, layout).await?;
    Ok(download(bytes, "application/pdf", "inline", &name, "private, no-store"))
}

#[derive(Debug, Deserialize, Default)]
struct VerifyQuery {
    #[serde(default)]
    s: String,
}

/// Public verification of a member number (and the certificate serial from its QR code):
/// valid, revoked, expired, not active, or unknown — with the category and a masked name,
/// nothing else. Rate-limited per address against enumeration.
async fn verify(
    State(state): State<AppState>,
    ctx: crate::web::extract::Ctx,
    page: PageCtx,
    Path(number): Path<String>,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    if !state.throttle.allow(&format!("verify:{}", ctx.0.client_addr), state.settings.security.verify_per_minute) {
        return Err(AppError::TooManyRequests(Msg::new("err.verify_throttled")));
    }
    let number = crate::text::normalize(&number).to_uppercase();
    let mut conn = state.db.pool().acquire().await?;
    let member = if number.len() <= 40 { store::by_number(&mut conn, &number).await? } else { None };
    let today = state.settings.locale.today().to_string();
    let mut view = VerifyPage {
        number: number.clone(),
        verdict: "unknown",
        masked_name: String::new(),
        category: String::new(),
        status_label: "",
        serial: String::new(),
        valid_until: String::new(),
        association: state.settings.association.name.clone(),
        ctx: page.title("verify.title"),
    };
    if let Some(m) = member {
        let certs = store::certificates(&mut conn, m.id).await?;
        let scanned = if q.s.is_empty() {
            certs.iter().find(|c| c.revoked_at.is_none())
        } else {
            certs.iter().find(|c| c.serial == q.s.trim())
        };
        view.verdict = match scanned {
            _ if !q.s.is_empty() && scanned.is_none() => "unknown",
            Some(c) if c.revoked_at.is_some() => "revoked",
            _ if m.status != "active" => "inactive",
            Some(c) if c.valid_until < today => "expired",
            _ => "valid",
        };
        if view.verdict != "unknown" {
            view.masked_name = if m.kind == "group" { m.name.clone() } else { crate::domain::mask_name(&m.name) };
            view.category = category_label(&state, view.ctx.lang, &m.category);
            view.status_label = view.ctx.t(status_label_key(&m.status));
            if let Some(c) = scanned {
                view.serial = c.serial.clone();
                view.valid_until = c.valid_until.clone();
            }
        }
    }
    drop(conn);
    let mut resp = render(&view)?.into_response();
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(resp)
}
