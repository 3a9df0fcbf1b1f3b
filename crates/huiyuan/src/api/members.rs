//! The registry through the API: the same search, filters and scope as the list page, a
//! member with their history, the secretariat's status and category changes, a city's
//! proposals and their decision, certificates (PDF, reissue), the exports and the public
//! verification — through the same queries and services as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::dto::*;
use crate::error::{AppError, AppResult};
use crate::members::proposals::{self, ProposalInput};
use crate::members::query::{self, MemberFilters};
use crate::members::service::{self, Change};
use crate::members::{certificates, export, store};
use crate::paths;
use crate::print::certificate::Layout;
use crate::state::{AppState, Routes};
use crate::storage::MemberId;
use crate::web::extract::Ctx;
use crate::web::{Staff, download};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_VERIFY, verify)
        .public()
        .get(paths::API_MEMBERS, list)
        .get(paths::API_MEMBERS_CSV, export_csv)
        .get(paths::API_MEMBERS_XLSX, export_xlsx)
        .get(paths::API_MEMBER, show)
        .post(paths::API_MEMBER_STATUS, change_status)
        .post(paths::API_MEMBER_CATEGORY, change_category)
        .post(paths::API_MEMBER_PROPOSALS, propose)
        .post(paths::API_MEMBER_PROPOSAL, decide)
        .get(paths::API_MEMBER_CERTIFICATE, certificate)
        .post(paths::API_MEMBER_REISSUE, reissue)
}

fn out(m: store::Row) -> MemberOut {
    MemberOut {
        id: m.id.0,
        kind: m.kind,
        id_number_masked: crate::domain::mask_document(&m.id_number),
        number: m.number,
        name: m.name,
        category: m.category,
        org_id: m.org_id.map(|o| o.0),
        status: m.status,
        joined_at: m.joined_at,
        employer: m.employer,
        mobile: m.mobile,
    }
}

/// Members in the caller's scope: a city administrator only ever sees their city's.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(MemberQuery),
    responses((status = 200, body = MemberPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<MemberQuery>,
) -> AppResult<Json<MemberPage>> {
    let (page, per_page) = paging(q.page, q.per_page);
    let filters = q.filters();
    let mut conn = state.db.pool().acquire().await?;
    let listed = query::list(&mut conn, &state.settings, &actor, &filters, (page - 1) * per_page, per_page).await?;
    let (total, total_capped) = listed.capped_total();
    Ok(Json(MemberPage { items: listed.rows.into_iter().map(out).collect(), total, total_capped, page, per_page }))
}

/// A step of a member's history.
#[derive(Serialize, ToSchema)]
pub struct MemberEventOut {
    /// status, category, … (what changed).
    pub kind: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub by: String,
    /// UTC milliseconds.
    pub at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CertificateOut {
    pub serial: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
    pub valid_until: String,
    pub revoked: bool,
    pub revoke_reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalOut {
    pub id: i64,
    /// status or category.
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub proposed_by: String,
    /// pending, accepted or declined.
    pub status: String,
    pub decision_note: String,
    pub created_at: i64,
}

/// A member with what their page shows: city, periods of membership, history, certificates
/// and proposals.
#[derive(Serialize, ToSchema)]
pub struct MemberDetail {
    pub member: MemberOut,
    /// The city association's short name (none: the province's own).
    pub city: Option<String>,
    /// [first day, last day or none] of each period of membership.
    pub periods: Vec<(String, Option<String>)>,
    pub history: Vec<MemberEventOut>,
    pub certificates: Vec<CertificateOut>,
    pub proposals: Vec<ProposalOut>,
}

async fn detail(state: &AppState, actor: &crate::auth::Actor, id: MemberId) -> AppResult<MemberDetail> {
    let v = query::visible(&state.db, actor, id).await?;
    let d = query::detail(&mut *state.db.pool().acquire().await?, actor, &v).await?;
    Ok(MemberDetail {
        member: out(v.member.into()),
        city: d.city,
        periods: d.periods.into_iter().map(|p| (p.started_on, p.ended_on)).collect(),
        history: d
            .events
            .into_iter()
            .map(|e| MemberEventOut {
                kind: e.kind,
                from_value: e.from_value,
                to_value: e.to_value,
                reason: e.reason,
                by: e.actor_name,
                at: e.at,
            })
            .collect(),
        certificates: d
            .certificates
            .into_iter()
            .map(|c| CertificateOut {
                serial: c.serial,
                issued_on: c.issued_on,
                valid_until: c.valid_until,
                revoked: c.revoked_at.is_some(),
                revoke_reason: c.revoke_reason,
            })
            .collect(),
        proposals: d
            .proposals
            .into_iter()
            .map(|p| ProposalOut {
                id: p.id,
                field: p.field,
                from_value: p.from_value,
                to_value: p.to_value,
                reason: p.reason,
                proposed_by: p.proposed_by_name,
                status: p.status,
                decision_note: p.decision_note,
                created_at: p.created_at,
            })
            .collect(),
    })
}

/// One member, if in the caller's scope, with their history.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)),
    responses((status = 200, body = MemberDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<MemberId>,
) -> AppResult<Json<MemberDetail>> {
    Ok(Json(detail(&state, &actor, id).await?))
}

/// A change and its reason.
#[derive(Deserialize, ToSchema)]
pub struct ChangeBody {
    /// The new status (active, suspended, lapsed, withdrawn, expelled, deceased) or category
    /// code.
    pub value: String,
    pub reason: String,
}

/// The secretariat changes a member's status, with a reason (422 naming the field when the
/// change cannot be made).
#[utoipa::path(post, path = "/api/v1/members/{id}/status", tag = "members", params(("id" = i64, Path)), request_body = ChangeBody,
    responses((status = 200, body = MemberDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> AppResult<Json<MemberDetail>> {
    change(&state, &actor, &ctx, id, body, Change::Status).await
}

/// The secretariat changes a member's category, with a reason.
#[utoipa::path(post, path = "/api/v1/members/{id}/category", tag = "members", params(("id" = i64, Path)), request_body = ChangeBody,
    responses((status = 200, body = MemberDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn change_category(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> AppResult<Json<MemberDetail>> {
    change(&state, &actor, &ctx, id, body, Change::Category).await
}

async fn change(
    state: &AppState,
    actor: &crate::auth::Actor,
    ctx: &crate::web::request::RequestCtx,
    id: MemberId,
    body: ChangeBody,
    what: Change,
) -> AppResult<Json<MemberDetail>> {
    let v = query::visible(&state.db, actor, id).await?;
    service::change(state, actor, &ctx.who(), &v, what, &body.value, &body.reason)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(detail(state, actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ProposalBody {
    /// status or category.
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// A city's administrator proposes a change for a member of the city; the secretariat
/// decides it (201).
#[utoipa::path(post, path = "/api/v1/members/{id}/proposals", tag = "members", params(("id" = i64, Path)), request_body = ProposalBody,
    responses((status = 201, body = MemberDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn propose(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
    ApiJson(body): ApiJson<ProposalBody>,
) -> AppResult<Response> {
    let v = query::visible(&state.db, &actor, id).await?;
    let input = ProposalInput { field: body.field, value: body.value, reason: body.reason };
    proposals::propose(&state, &actor, &ctx.who(), &v, &input).await?.map_err(AppError::Validation)?;
    Ok((StatusCode::CREATED, Json(detail(&state, &actor, id).await?)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ProposalDecision {
    /// accept or decline.
    pub action: String,
    #[serde(default)]
    pub note: String,
}

/// The secretariat accepts (the change is made) or declines a city's proposal; 409 once
/// decided.
#[utoipa::path(post, path = "/api/v1/members/{id}/proposals/{proposal_id}", tag = "members", params(("id" = i64, Path), ("proposal_id" = i64, Path)), request_body = ProposalDecision,
    responses((status = 200, body = MemberDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, pid)): Path<(MemberId, i64)>,
    ApiJson(body): ApiJson<ProposalDecision>,
) -> AppResult<Json<MemberDetail>> {
    proposals::decide(&state, &actor, &ctx.who(), (id, pid), &body.action, &body.note).await?;
    Ok(Json(detail(&state, &actor, id).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct LayoutQuery {
    /// card (default) or plaque (a group member's).
    #[serde(default)]
    pub layout: String,
}

/// The member's certificate as PDF (the current one; the first download issues it).
#[utoipa::path(get, path = "/api/v1/members/{id}/certificate.pdf", tag = "members", params(("id" = i64, Path), LayoutQuery),
    responses((status = 200, description = "The certificate", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn certificate(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
    Query(q): Query<LayoutQuery>,
) -> AppResult<Response> {
    let layout = if q.layout == "plaque" { Layout::Plaque } else { Layout::Card };
    let (bytes, name) = certificates::for_staff(&state, &actor, &ctx.who(), id, layout).await?;
    Ok(download(bytes, "application/pdf", "attachment", &name, "private, no-store"))
}

#[derive(Deserialize, ToSchema)]
pub struct ReissueBody {
    /// Why (lost, a correction …): kept with the revoked certificate.
    pub reason: String,
}

/// The secretariat reissues the certificate: the current one is revoked with the reason and
/// a new serial is issued (201).
#[utoipa::path(post, path = "/api/v1/members/{id}/certificate/reissue", tag = "members", params(("id" = i64, Path)), request_body = ReissueBody,
    responses((status = 201, body = CertificateOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn reissue(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
    ApiJson(body): ApiJson<ReissueBody>,
) -> AppResult<Response> {
    let v = query::visible(&state.db, &actor, id).await?;
    let c = certificates::reissue(&state, &actor, &ctx.who(), &v, &body.reason).await?.map_err(AppError::Validation)?;
    let out = CertificateOut {
        serial: c.serial,
        issued_on: c.issued_on,
        valid_until: c.valid_until,
        revoked: c.revoked_at.is_some(),
        revoke_reason: c.revoke_reason,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The filtered list as CSV (UTF-8 with BOM), streamed — the page's export: the same
/// columns, masking and audit record.
#[utoipa::path(get, path = "/api/v1/members/export.csv", tag = "members", params(MemberQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn export_csv(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(filters): Query<MemberFilters>,
) -> AppResult<Response> {
    let export = export::prepare(&state, &actor, &filters).await?;
    let name = export::file_name(&state, "csv");
    let body = export::csv(state, ctx.who(), export);
    Ok(download(body, "text/csv; charset=utf-8", "attachment", &name, "private, no-store"))
}

/// The filtered list as .xlsx (the page's export).
#[utoipa::path(get, path = "/api/v1/members/export.xlsx", tag = "members", params(MemberQuery),
    responses((status = 200, description = "Workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(filters): Query<MemberFilters>,
) -> AppResult<Response> {
    let export = export::prepare(&state, &actor, &filters).await?;
    let name = export::file_name(&state, "xlsx");
    let (body, _) = export::xlsx(state, ctx.who(), export).await?;
    Ok(download(body, export::XLSX_TYPE, "attachment", &name, "private, no-store"))
}

/// What the public verification says.
#[derive(Serialize, ToSchema)]
pub struct VerifyOut {
    pub number: String,
    /// valid, revoked, expired, inactive or unknown.
    pub verdict: String,
    /// The name masked (a group's in full).
    pub name: String,
    pub category: String,
    pub status: String,
    /// The certificate checked: its serial and last day.
    pub serial: String,
    pub valid_until: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SerialQuery {
    /// A certificate's serial (from its QR code).
    #[serde(default)]
    pub s: String,
}

/// Public verification of a member number (or a certificate's serial), limited per address
/// like the page (429 beyond it).
#[utoipa::path(get, path = "/api/v1/verify/{number}", tag = "members", params(("number" = String, Path), SerialQuery),
    responses((status = 200, body = VerifyOut), (status = 429, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(number): Path<String>,
    Query(q): Query<SerialQuery>,
) -> AppResult<Response> {
    let v = certificates::verify(&state, &ctx.client_addr, &number, &q.s).await?;
    let mut resp = Json(VerifyOut {
        number: v.number,
        verdict: v.verdict.to_string(),
        name: v.masked_name,
        category: v.category,
        status: v.status,
        serial: v.serial,
        valid_until: v.valid_until,
    })
    .into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
