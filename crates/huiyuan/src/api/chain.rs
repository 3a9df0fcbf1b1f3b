//! Joining through the API, for the reviewers: the city's review, the secretariat's
//! dossier and the city's batches to the province — the same service functions, scopes and
//! answers as the pages (the council's meetings are in `council.rs`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::applications::{ApplicationOut, ApplicationSummary, application_out};
use crate::applications::dossiers::{self, DossierInput};
use crate::applications::model::Application;
use crate::applications::service::{self, Decision};
use crate::applications::state::Action;
use crate::applications::{batches, query};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{ApplicationId, BatchId};
use crate::web::Staff;

pub fn routes() -> Routes {
    Routes::new()
        .post(paths::API_APPLICATION_REVIEW, review)
        .post(paths::API_APPLICATION_DOSSIER, dossier)
        .get(paths::API_BATCHES, batch_list)
        .post(paths::API_BATCHES, batch_create)
        .get(paths::API_BATCH, batch_show)
        .post(paths::API_BATCH_FORWARD, forward)
}

/// The ticked items of a checklist given as `{"item or position": true|false}`; a key that
/// names no item is refused.
fn ticks(list: &[String], given: &BTreeMap<String, bool>) -> AppResult<Vec<usize>> {
    let mut out = Vec::new();
    for (key, ticked) in given {
        let at =
            list.iter().position(|item| item == key).or_else(|| key.parse::<usize>().ok().filter(|i| *i < list.len()));
        match at {
            Some(i) if *ticked => out.push(i),
            Some(_) => {}
            None => {
                return Err(AppError::Validation(FieldErrors::single(
                    "checklist",
                    Msg::new("err.checklist_unknown").arg("item", key),
                )));
            }
        }
    }
    Ok(out)
}

/// A reviewer's decision.
#[derive(Deserialize, ToSchema)]
pub struct ApplicationReview {
    /// recommend, return or reject (the province's own applications: return or reject).
    pub decision: String,
    /// The city's checklist (`review_checklist` of the application), by item text or
    /// position: all ticked to recommend.
    #[serde(default)]
    pub checklist: BTreeMap<String, bool>,
    /// The opinion; what to mend (return) or why (reject) — required for those two.
    #[serde(default)]
    pub opinion: String,
}

/// The city's qualification review (资格审查): 200 with the application; 409 with
/// `current_status` when it is not waiting for this review; 422 for an incomplete checklist or
/// a missing reason.
#[utoipa::path(post, path = "/api/v1/applications/{id}/review", tag = "joining", params(("id" = i64, Path)), request_body = ApplicationReview,
    responses((status = 200, body = ApplicationOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn review(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<ApplicationId>,
    ApiJson(body): ApiJson<ApplicationReview>,
) -> AppResult<Json<ApplicationOut>> {
    let r = query::for_review(&state.db, &actor, id).await?;
    let action = match body.decision.as_str() {
        "recommend" => Action::Recommend,
        "return" => Action::Return,
        "reject" => Action::Reject,
        _ => return Err(AppError::Validation(FieldErrors::single("decision", Msg::new("err.choice")))),
    };
    let list = service::city_checklist(&state.settings, &r.app);
    let decision = Decision { action: Some(action), ticks: ticks(list, &body.checklist)?, note: body.opinion };
    service::decide(&state, &actor, &ctx.who(), &r, &decision).await?.map_err(rename_note)?;
    let r = query::for_review(&state.db, &actor, id).await?;
    Ok(Json(application_out(&state, &actor, r, ctx.lang).await?))
}

/// The pages call the opinion `note`; the API calls it `opinion`.
fn rename_note(errors: FieldErrors) -> AppError {
    let mut out = FieldErrors::new();
    for (field, msg) in errors.iter() {
        out.add(if *field == "note" { "opinion" } else { field }, msg.clone());
    }
    AppError::Validation(out)
}

/// The secretariat's dossier (建档) of a forwarded (or province-direct) application.
#[derive(Deserialize, ToSchema)]
pub struct DossierBody {
    /// The dossier's checklist, by item text or position: all ticked to file.
    #[serde(default)]
    pub checklist: BTreeMap<String, bool>,
    /// Paper copies received.
    #[serde(default)]
    pub copies: i64,
    #[serde(default)]
    pub note: String,
    /// file (ready for the council), send_back (to the city, with a note), or none: save.
    #[serde(default)]
    pub action: Option<String>,
}

/// Record the dossier, and file it or send it back: 409 with `current_status` when the
/// application is not with the secretariat; 422 when filing lacks ticks or copies.
#[utoipa::path(post, path = "/api/v1/applications/{id}/dossier", tag = "joining", params(("id" = i64, Path)), request_body = DossierBody,
    responses((status = 200, body = ApplicationOut), (status = 403, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn dossier(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<ApplicationId>,
    ApiJson(body): ApiJson<DossierBody>,
) -> AppResult<Json<ApplicationOut>> {
    let r = query::for_review(&state.db, &actor, id).await?;
    let action = match body.action.as_deref() {
        None | Some("") => None,
        Some("file") => Some(Action::File),
        Some("send_back") => Some(Action::SendBack),
        Some(_) => return Err(AppError::Validation(FieldErrors::single("action", Msg::new("err.choice")))),
    };
    let list = dossiers::checklist(&state.settings, &r.app);
    let input = DossierInput {
        ticks: ticks(&list, &body.checklist)?,
        copies: body.copies.to_string(),
        note: body.note,
        action,
    };
    dossiers::record(&state, &actor, &ctx.who(), &r.app, &input).await?.map_err(AppError::Validation)?;
    let r = query::for_review(&state.db, &actor, id).await?;
    Ok(Json(application_out(&state, &actor, r, ctx.lang).await?))
}

/// A batch (汇总报送) of a city's recommended applications.
#[derive(Serialize, ToSchema)]
pub struct BatchOut {
    pub id: i64,
    pub name: String,
    /// open or forwarded.
    pub status: String,
    pub city: String,
    pub created_at: i64,
    pub forwarded_at: Option<i64>,
    pub items: i64,
}

/// A batch with its applications.
#[derive(Serialize, ToSchema)]
pub struct BatchDetail {
    pub batch: BatchOut,
    pub applications: Vec<ApplicationSummary>,
}

fn summary(a: Application, city: &str) -> ApplicationSummary {
    ApplicationSummary {
        id: a.id.0,
        kind: a.kind,
        status: a.status,
        name: a.name,
        category: a.category,
        city: Some(city.to_string()),
        submitted_at: a.submitted_at,
        updated_at: a.updated_at,
    }
}

async fn batch_detail(state: &AppState, actor: &crate::auth::Actor, id: BatchId) -> AppResult<BatchDetail> {
    let (batch, org) = query::batch(&state.db, actor, id).await?;
    let apps = batches::items(&mut *state.db.pool().acquire().await?, batch.id).await?;
    Ok(BatchDetail {
        batch: BatchOut {
            id: batch.id.0,
            name: batch.name,
            status: batch.status,
            city: org.short_name.clone(),
            created_at: batch.created_at,
            forwarded_at: batch.forwarded_at,
            items: i64::try_from(apps.len()).unwrap_or(0),
        },
        applications: apps.into_iter().map(|a| summary(a, &org.short_name)).collect(),
    })
}

/// The batches the caller may see: a city's own; the province's all.
#[utoipa::path(get, path = "/api/v1/batches", tag = "joining",
    responses((status = 200, body = Vec<BatchOut>), (status = 403, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn batch_list(State(state): State<AppState>, Staff(actor, _): Staff) -> AppResult<Json<Vec<BatchOut>>> {
    let rows = query::batches(&state.db, &actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| BatchOut {
                id: b.id.0,
                name: b.name,
                status: b.status,
                city: b.org_name,
                created_at: b.created_at,
                forwarded_at: b.forwarded_at,
                items: b.items,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BatchCreate {
    /// E.g. 太原市2026年第1批 (unique per city).
    pub name: String,
    /// Recommended applications of the city, not in another open batch.
    pub applications: Vec<i64>,
}

/// A city's administrator gathers recommended applications into a batch: 201.
#[utoipa::path(post, path = "/api/v1/batches", tag = "joining", request_body = BatchCreate,
    responses((status = 201, body = BatchDetail), (status = 403, body = crate::api::dto::ErrorBody), (status = 422, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn batch_create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    ApiJson(body): ApiJson<BatchCreate>,
) -> AppResult<Response> {
    query::batch_maker(&actor)?;
    let mut apps: Vec<ApplicationId> = Vec::new();
    for id in body.applications.into_iter().map(ApplicationId) {
        if !apps.contains(&id) {
            apps.push(id);
        }
    }
    let id = batches::create(&state, &actor, &ctx.who(), &body.name, &apps).await?.map_err(|errors| {
        let mut out = FieldErrors::new();
        for (field, msg) in errors.iter() {
            out.add(if *field == "apps" { "applications" } else { field }, msg.clone());
        }
        AppError::Validation(out)
    })?;
    Ok((StatusCode::CREATED, Json(batch_detail(&state, &actor, id).await?)).into_response())
}

/// One batch with its applications.
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = BatchDetail), (status = 403, body = crate::api::dto::ErrorBody), (status = 404, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn batch_show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Path(id): Path<BatchId>,
) -> AppResult<Json<BatchDetail>> {
    Ok(Json(batch_detail(&state, &actor, id).await?))
}

/// Forward an open batch to the province (409 once forwarded).
#[utoipa::path(post, path = "/api/v1/batches/{id}/forward", tag = "joining", params(("id" = i64, Path)),
    responses((status = 200, body = BatchDetail), (status = 403, body = crate::api::dto::ErrorBody), (status = 409, body = crate::api::dto::ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn forward(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<BatchId>,
) -> AppResult<Json<BatchDetail>> {
    let (batch, org) = query::batch(&state.db, &actor, id).await?;
    batches::forward(&state, &actor, &ctx.who(), &batch, &org).await?;
    Ok(Json(batch_detail(&state, &actor, id).await?))
}
