//! Joining's pages: the applicant's (`apply`), the reviewers' (`review`), the city's
//! batches, the standing council, and the printed documents. Each handler parses, calls
//! joining's query or service, and renders.

mod apply;
mod batches;
mod council;
mod print;
mod review;

use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::Routes;

pub fn routes() -> Routes {
    apply::routes().merge(review::routes()).merge(batches::routes()).merge(council::routes()).merge(print::routes())
}

/// Form pairs, as sent (checkbox lists repeat a name).
type Pairs = Vec<(String, String)>;

fn field(pairs: &Pairs, name: &str) -> String {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The ids sent under `name`, each once, in the order sent.
fn ids<T: std::str::FromStr + PartialEq>(pairs: &Pairs, name: &str) -> AppResult<Vec<T>> {
    let mut out: Vec<T> = Vec::new();
    for (_, v) in pairs.iter().filter(|(n, _)| n == name) {
        let id = v.parse::<T>().map_err(|_| AppError::BadRequest(Msg::new("error.bad_request")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}
