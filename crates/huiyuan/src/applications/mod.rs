//! Joining (入会): membership applications and their review chain — the applicant's form,
//! the city's qualification review (资格审查), batches to the province, the secretariat's
//! dossier, the standing council's resolution, and the member record with its number.
//!
//! Invariants: every move goes through `state::transition` (one state machine), is applied
//! only if the application is still where the move started (no double application), and
//! writes its timeline event and audit record in the same transaction. At most one open
//! application per person (ID document) and per institution (credit code) — a UNIQUE
//! constraint, not a check. Applicants see and change only their own applications, and only
//! while they are drafts or returned; a city's administrators review applications to their
//! city; province-direct applications (直接吸纳) go to the secretariat.

pub mod attachments;
pub mod batches;
pub mod council;
pub mod demo;
pub mod documents;
pub mod dossiers;
mod emails;
pub mod fields;
pub mod group;
pub mod individual;
pub mod model;
pub mod printing;
pub mod query;
pub mod routes;
pub mod service;
pub mod state;
pub mod store;
pub mod views;
