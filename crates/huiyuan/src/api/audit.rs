//! Reading the audit log through the API.

use axum::Json;
use axum::extract::{Query, State};

use super::dto::*;
use crate::audit::query::{self, AuditFilters};
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::web::Staff;

pub fn routes() -> Routes {
    Routes::new().get(paths::API_AUDIT, list)
}

/// The log's filters (the same as the page's) and the page asked for.
#[derive(serde::Deserialize)]
pub struct AuditQuery {
    #[serde(flatten)]
    filters: AuditFilters,
    #[serde(default, deserialize_with = "number")]
    page: Option<i64>,
    #[serde(default, deserialize_with = "number")]
    per_page: Option<i64>,
}

/// A page number as a query string carries it (text), None when it is not one.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(s.and_then(|s| s.trim().parse().ok()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AuditParams {
    /// Part of the actor's name.
    actor: Option<String>,
    /// An action such as org.create.
    action: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    /// Part of the target's label.
    target: Option<String>,
    /// First day, YYYY-MM-DD (local time).
    from: Option<String>,
    /// Last day, YYYY-MM-DD (local time).
    until: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// Audit records, newest first (secretariat and system administrator).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Page<AuditOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Page<AuditOut>>> {
    let (page, per_page) = paging(q.page, q.per_page);
    let mut conn = state.db.pool().acquire().await?;
    let offset_hours = state.settings.locale.utc_offset_hours;
    let listed = query::list(&mut conn, &actor, &q.filters, offset_hours, ((page - 1) * per_page, per_page)).await?;
    if let Some(errors) = listed.date_error {
        return Err(AppError::Validation(errors));
    }
    let (rows, total) = (listed.rows, listed.total);
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditOut {
            id: r.id.0,
            at: r.at,
            actor_user_id: r.actor_user_id.map(|u| u.0),
            actor_name: r.actor_name,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            target_label: r.target_label,
            before: parse(r.before_json),
            after: parse(r.after_json),
            client_addr: r.client_addr,
            request_id: r.request_id,
        })
        .collect();
    Ok(Json(Page { items, total, page, per_page }))
}
