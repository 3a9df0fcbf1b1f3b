//! Reading the audit log through the API.

use axum::Json;
use axum::extract::{Query, State};

use super::dto::*;
use crate::audit::{self, routes::AuditQuery};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::web::{Staff, allow};

pub fn routes() -> Routes {
    Routes::new().get(paths::API_AUDIT, list)
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
    allow(actor.can_read_audit())?;
    let (filter, bad_date) = q.filter(state.settings.locale.utc_offset_hours);
    if bad_date {
        return Err(AppError::Validation(FieldErrors::single("from", Msg::new("err.date"))));
    }
    let (page, per_page) = paging(
        q.page.page.as_deref().and_then(|p| p.parse().ok()),
        q.page.per_page.as_deref().and_then(|p| p.parse().ok()),
    );
    let mut conn = state.db.pool().acquire().await?;
    let (rows, total) = audit::list(&mut conn, &filter, (page - 1) * per_page, per_page).await?;
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
