//! The census and roster imports through the API: a campaign's progress by city and member,
//! a confirmation on a member's behalf, and an import's upload, verdicts and commit — the
//! same queries and services as the pages, in the caller's scope.

use std::collections::{BTreeMap, HashSet};

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::dto::{ErrorBody, paging};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::members::census::{self, Census};
use crate::members::import::{self, service as import_service};
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{MemberId, OrgId};
use crate::web::Staff;

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::API_CENSUSES, campaigns)
        .get(paths::API_CENSUS, campaign)
        .post(paths::API_CENSUS_CONFIRM, confirm)
        .post(paths::API_IMPORTS, upload)
        .get(paths::API_IMPORT, batch)
        .post(paths::API_IMPORT_COMMIT, commit)
}

/// A census campaign (会员普查).
#[derive(Serialize, ToSchema)]
pub struct CensusOut {
    pub id: i64,
    pub title: String,
    /// YYYY-MM-DD.
    pub opens_on: String,
    pub closes_on: String,
    /// open or lapsed (the unanswered were marked lapsed).
    pub status: String,
    /// The cities asked (ids; none: every member).
    pub orgs: Vec<i64>,
    pub categories: Vec<String>,
}

fn census_out(c: Census) -> CensusOut {
    CensusOut {
        orgs: c.orgs().into_iter().map(|o| o.0).collect(),
        categories: c.categories(),
        id: c.id,
        title: c.title,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        status: c.status,
    }
}

/// The campaigns the caller follows (staff).
#[utoipa::path(get, path = "/api/v1/census", tag = "registry",
    responses((status = 200, body = Vec<CensusOut>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn campaigns(State(state): State<AppState>, Staff(actor, _): Staff) -> AppResult<Json<Vec<CensusOut>>> {
    let list = census::query::campaigns(&mut *state.db.pool().acquire().await?, &actor).await?;
    Ok(Json(list.into_iter().map(census_out).collect()))
}

/// One city's answers so far (none: province-direct members).
#[derive(Serialize, ToSchema)]
pub struct CensusCity {
    pub org_id: Option<i64>,
    pub confirmed: i64,
    pub corrected: i64,
    pub pending: i64,
    pub lapsed: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CensusMember {
    pub member_id: i64,
    pub number: String,
    pub name: String,
    pub org_id: Option<i64>,
    /// pending, confirmed, corrected or lapsed.
    pub status: String,
    pub responded_at: Option<i64>,
    /// Confirmed by staff on the member's behalf.
    pub on_behalf: bool,
    pub note: String,
}

/// A campaign's progress in the caller's scope: the counts per city and a page of members.
#[derive(Serialize, ToSchema)]
pub struct CensusProgress {
    pub census: CensusOut,
    pub cities: Vec<CensusCity>,
    pub members: Vec<CensusMember>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Only members whose answer is this: pending, confirmed, corrected or lapsed.
    pub status: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

async fn progress(state: &AppState, actor: &Actor, id: i64, q: &ProgressQuery) -> AppResult<CensusProgress> {
    let (page, per_page) = paging(q.page, q.per_page);
    let mut conn = state.db.pool().acquire().await?;
    let c = census::query::visible(&mut conn, actor, id).await?;
    let scope = actor.org_scope();
    let status = Some(q.status.as_str()).filter(|s| !s.is_empty());
    let cities = census::query::report(&mut conn, id, &scope).await?;
    let rows = census::query::progress(&mut conn, id, &scope, status, (page - 1) * per_page, per_page).await?;
    Ok(CensusProgress {
        census: census_out(c),
        cities: cities
            .into_iter()
            .map(|(org, confirmed, corrected, pending, lapsed)| CensusCity {
                org_id: org.map(|o| o.0),
                confirmed,
                corrected,
                pending,
                lapsed,
            })
            .collect(),
        members: rows
            .into_iter()
            .map(|r| CensusMember {
                member_id: r.member_id.0,
                number: r.number,
                name: r.name,
                org_id: r.org_id.map(|o| o.0),
                status: r.status,
                responded_at: r.responded_at,
                on_behalf: r.on_behalf != 0,
                note: r.note,
            })
            .collect(),
        page,
        per_page,
    })
}

/// A campaign's progress: counts per city and the members, in the caller's scope.
#[utoipa::path(get, path = "/api/v1/census/{id}", tag = "registry", params(("id" = i64, Path), ProgressQuery),
    responses((status = 200, body = CensusProgress), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn campaign(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<i64>,
    Query(q): Query<ProgressQuery>,
) -> AppResult<Json<CensusProgress>> {
    Ok(Json(progress(&state, &actor, id, &q).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ConfirmBody {
    /// How the member confirmed (by telephone, in person …): required.
    pub note: String,
}

/// Confirm a member's record on their behalf (a city for its members, the secretariat for
/// all): 422 without a note, 409 when the member has no open task in this campaign.
#[utoipa::path(post, path = "/api/v1/census/{id}/members/{member}/confirm", tag = "registry", params(("id" = i64, Path), ("member" = i64, Path)), request_body = ConfirmBody,
    responses((status = 200, body = CensusMember), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, member)): Path<(i64, MemberId)>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> AppResult<Json<CensusMember>> {
    let m = census::service::confirm_for(&state, &actor, &ctx.who(), (id, member), &body.note)
        .await?
        .map_err(AppError::Validation)?;
    // The member's line as it now stands.
    let line =
        census::query::line(&mut *state.db.pool().acquire().await?, id, m.id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(CensusMember {
        member_id: line.member_id.0,
        number: line.number,
        name: line.name,
        org_id: line.org_id.map(|o| o.0),
        status: line.status,
        responded_at: line.responded_at,
        on_behalf: line.on_behalf != 0,
        note: line.note,
    }))
}

/// A roster import (名册导入) and its verdicts.
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub id: i64,
    /// The city it imports into (none: province-direct members).
    pub org_id: Option<i64>,
    pub file_name: String,
    /// preview, committed or discarded.
    pub status: String,
    pub total_rows: i64,
    /// Rows by verdict: new, flagged, probable, duplicate, invalid.
    pub verdicts: BTreeMap<String, i64>,
    /// What the judgement found, by kind (e.g. education below the minimum).
    #[schema(value_type = Object)]
    pub findings: BTreeMap<String, i64>,
    pub imported_rows: i64,
    /// A page of rows.
    pub rows: Vec<ImportRowOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportRowOut {
    /// The row's number in the file.
    pub row: i64,
    /// new, flagged, probable, duplicate or invalid.
    pub verdict: String,
    /// Why, in words.
    pub message: String,
    /// The member it probably is.
    pub match_member_id: Option<i64>,
    /// May be imported all the same (flagged and probable rows).
    pub can_import: bool,
    pub cells: Vec<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only rows of this verdict.
    pub verdict: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

async fn import_out(state: &AppState, actor: &Actor, id: i64, q: &ImportQuery) -> AppResult<ImportOut> {
    let (page, per_page) = paging(q.page, q.per_page);
    let mut conn = state.db.pool().acquire().await?;
    let b = import::query::visible(&mut conn, actor, id).await?;
    let verdict = Some(q.verdict.as_str()).filter(|v| !v.is_empty());
    let rows = import::query::rows(&mut conn, id, verdict, (page - 1) * per_page, per_page).await?;
    let verdicts = BTreeMap::from([
        ("new".to_string(), b.new_rows),
        ("flagged".to_string(), b.flagged_rows),
        ("probable".to_string(), b.probable_rows),
        ("duplicate".to_string(), b.duplicate_rows),
        ("invalid".to_string(), b.invalid_rows),
    ]);
    Ok(ImportOut {
        findings: b.findings(),
        id: b.id,
        org_id: b.org_id.map(|o| o.0),
        file_name: b.file_name,
        status: b.status,
        total_rows: b.total_rows,
        verdicts,
        imported_rows: b.imported_rows,
        rows: rows
            .into_iter()
            .map(|r| ImportRowOut {
                cells: r.cells(),
                row: r.row_no,
                verdict: r.verdict,
                message: r.message,
                match_member_id: r.match_member_id,
                can_import: r.can_import != 0,
            })
            .collect(),
    })
}

/// Upload a roster (multipart: `city`, a city's id or `direct`, and `file`, .xlsx or .csv):
/// 201 with the verdict of every row, nothing imported yet; 422 when the file as a whole
/// cannot be read.
#[utoipa::path(post, path = "/api/v1/imports", tag = "registry",
    request_body(content_type = "multipart/form-data", content = Object, description = "city and file"),
    responses((status = 201, body = ImportOut), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    multipart: Multipart,
) -> AppResult<Response> {
    let max = state.settings.uploads.max_bytes;
    let too_large = || {
        AppError::TooLarge(
            Msg::new("err.file_too_large").arg("max", crate::files::human_size(i64::try_from(max).unwrap_or(i64::MAX))),
        )
    };
    let form = crate::web::upload::read(multipart, too_large).await?;
    let city = form.field("city");
    let org = match city.as_str() {
        "direct" => None,
        c => Some(
            c.parse::<i64>()
                .map(OrgId)
                .map_err(|_| AppError::Validation(FieldErrors::single("city", Msg::new("import.err_city"))))?,
        ),
    };
    let Some((name, bytes)) = form.file().filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return Err(AppError::Validation(FieldErrors::single("file", Msg::new("err.file_missing"))));
    };
    if bytes.len() > max {
        return Err(too_large());
    }
    let id = import_service::upload(&state, &actor, &ctx.who(), ctx.lang, org, name, bytes)
        .await?
        .map_err(|msg| AppError::Validation(FieldErrors::single("file", msg)))?;
    Ok((StatusCode::CREATED, Json(import_out(&state, &actor, id, &ImportQuery::default()).await?)).into_response())
}

/// An import with its verdicts and a page of its rows.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "registry", params(("id" = i64, Path), ImportQuery),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn batch(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<i64>,
    Query(q): Query<ImportQuery>,
) -> AppResult<Json<ImportOut>> {
    Ok(Json(import_out(&state, &actor, id, &q).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CommitBody {
    /// Flagged or probable rows (by row number) to import all the same.
    pub rows: Vec<i64>,
    /// Import every flagged row, with its marks.
    pub all_flagged: bool,
}

/// Import the new rows (and the rows chosen): the members get their numbers; 409 once
/// committed or when the numbers would not suffice.
#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", tag = "registry", params(("id" = i64, Path)), request_body = CommitBody,
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn commit(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommitBody>,
) -> AppResult<Json<ImportOut>> {
    let choices = import_service::Choices {
        rows: body.rows.into_iter().collect::<HashSet<i64>>(),
        all_flagged: body.all_flagged,
    };
    import_service::commit(&state, &actor, &ctx.who(), ctx.lang, id, &choices).await?;
    Ok(Json(import_out(&state, &actor, id, &ImportQuery::default()).await?))
}
