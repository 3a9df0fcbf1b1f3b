//! The targets' and progress pages: a year's targets and one city's (`targets`), the
//! dashboards and their downloads (`dashboard`), a city's progress report (`report`). Each
//! handler parses, calls the query or service, and renders.

mod dashboard;
mod report;
mod targets;

use serde::Deserialize;

use crate::state::Routes;

pub fn routes(upload_limit: usize) -> Routes {
    targets::routes().merge(dashboard::routes()).merge(report::routes(upload_limit))
}

#[derive(Deserialize, Default)]
struct YearQuery {
    #[serde(default)]
    year: String,
    /// A city's page to go to (the year selector of a city's dashboard).
    #[serde(default)]
    city: String,
}
