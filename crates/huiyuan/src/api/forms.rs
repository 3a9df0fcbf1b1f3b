//! What the application forms offer, through the API: the cities to apply through, the
//! categories one may ask for and the settings' lists — the values the forms' choice fields
//! take, so a script can fill a form as the page does.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::ErrorBody;
use crate::applications::query;
use crate::config::CategoryKind;
use crate::error::AppResult;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::web::CurrentUser;

pub fn routes() -> Routes {
    Routes::new().get(paths::API_APPLICATION_CHOICES, choices)
}

#[derive(Serialize, ToSchema)]
pub struct CityChoice {
    /// The form's `city`.
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryChoice {
    /// The form's `category`.
    pub code: String,
    pub name: String,
    /// individual, group or any: which form may ask for it.
    pub kind: String,
}

/// What the forms offer (the settings): the values their choice fields take.
#[derive(Serialize, ToSchema)]
pub struct ChoicesOut {
    pub cities: Vec<CityChoice>,
    pub categories: Vec<CategoryChoice>,
    /// The kinds of identity document (`id_type`): resident_id, residence_permit, …
    pub id_types: Vec<String>,
    pub education_levels: Vec<String>,
    pub degrees: Vec<String>,
    pub political_statuses: Vec<String>,
    pub institution_types: Vec<String>,
    /// The group form's `conditions`, in order.
    pub group_conditions: Vec<String>,
    /// How many individual members a group registers: [at least, at most].
    pub group_people: [usize; 2],
    /// What an attachment may be (`purpose`), per kind.
    pub attachment_purposes: BTreeMap<String, Vec<String>>,
}

/// The forms' choices: cities to apply through, categories one may ask for, and the lists
/// the settings give.
#[utoipa::path(get, path = "/api/v1/applications/choices", tag = "joining",
    responses((status = 200, body = ChoicesOut), (status = 401, body = ErrorBody)), security(("bearer" = []), ("cookie" = [])))]
pub async fn choices(State(state): State<AppState>, CurrentUser(..): CurrentUser) -> AppResult<Json<ChoicesOut>> {
    let j = &state.settings.joining;
    let kind = |k: CategoryKind| match k {
        CategoryKind::Individual => "individual",
        CategoryKind::Group => "group",
        CategoryKind::Any => "any",
    };
    Ok(Json(ChoicesOut {
        cities: query::cities(&state.db).await?.into_iter().map(|(id, name)| CityChoice { id: id.0, name }).collect(),
        categories: state
            .settings
            .categories
            .iter()
            .filter(|c| c.requestable)
            .map(|c| CategoryChoice { code: c.code.clone(), name: c.name.clone(), kind: kind(c.kind).into() })
            .collect(),
        id_types: crate::applications::fields::ID_TYPES.iter().map(|(v, _)| v.to_string()).collect(),
        education_levels: j.education_levels.clone(),
        degrees: j.degrees.clone(),
        political_statuses: j.political_statuses.clone(),
        institution_types: j.institution_types.clone(),
        group_conditions: j.group_conditions.clone(),
        group_people: [j.group_individuals_min, j.group_individuals_max],
        attachment_purposes: BTreeMap::from([
            ("individual".to_string(), j.attachments.individual.clone()),
            ("group".to_string(), j.attachments.group.clone()),
        ]),
    }))
}
