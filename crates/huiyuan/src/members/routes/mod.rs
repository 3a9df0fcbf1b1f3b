//! The registry's pages: the list and its exports, a member's page and its actions,
//! certificates and their public verification, a member's own pages, census campaigns,
//! roster imports and the duplicate finder. Each handler parses, calls the registry's query
//! or service, and renders.

mod census;
mod certificates;
mod duplicates;
mod import;
mod list;
mod member;
mod personal;

use crate::state::Routes;

pub fn routes(upload_limit: usize) -> Routes {
    list::routes()
        .merge(member::routes())
        .merge(certificates::routes())
        .merge(personal::routes())
        .merge(census::routes())
        .merge(import::routes(upload_limit))
        .merge(duplicates::routes())
}
