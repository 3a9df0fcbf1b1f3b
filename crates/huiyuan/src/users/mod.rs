//! Account management (用户与角色) for administrators: the account list filtered by scope,
//! new accounts with a first role, role grants and revocations, deactivation, password links.
//!
//! Invariants: a role sits on the right level of the tree (province-wide roles on the root,
//! city administrators on a city or county); the last active system administrator cannot be
//! revoked or deactivated, and nobody locks themselves out. Who may do what is decided in
//! `auth::policy` (secretariat and system administrator manage; city administrators see the
//! accounts of their city).

pub mod query;
pub mod routes;
pub mod service;
pub mod store;
mod views;
