//! The registry's page templates and presenters: the list and a member's page
//! (`registry`), a member's own pages and public verification (`personal`), census
//! campaigns (`census`), roster imports (`import`), duplicates and certificate batches
//! (`tools`).

pub mod census;
pub mod import;
pub mod personal;
pub mod registry;
pub mod tools;

/// (value, label) pairs for a select.
pub type Options = Vec<(String, String)>;
