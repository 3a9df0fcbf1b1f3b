//! The organisation tree (组织机构): the province association at the root, city associations
//! under it, counties below.
//!
//! Invariants: exactly one root; `path` is the materialised path of ids, so scope checks and
//! scope filters are prefix matches; codes are GB/T 2260 region codes, unique, and a child's
//! code extends its parent's; a node is deleted only when nothing refers to it (foreign keys
//! refuse otherwise), else it is deactivated with its subtree. Seeded from the settings on
//! first start. The secretariat changes the tree; staff see the part their roles cover.

pub mod model;
pub mod names;
pub mod query;
pub mod routes;
pub mod service;
pub mod store;
mod views;

pub use model::{Level, Org, OrgInput};
