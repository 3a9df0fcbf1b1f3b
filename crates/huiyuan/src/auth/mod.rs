//! Accounts, sessions and the permission policy.
//!
//! Owns: accounts (`app_user`), role grants, server-side sessions, sign-in throttling,
//! password reset links and personal API tokens. Invariants: passwords are argon2id hashes;
//! session ids, reset tokens and API tokens are stored only as SHA-256; a sign-in failure
//! never says whether the account exists; every permission decision is in [`policy`].
//! Anyone may sign up (as an applicant); each user manages only their own account here —
//! administrators manage others in `users`.

mod actor;
pub mod emails;
pub mod model;
pub mod password;
pub mod policy;
pub mod routes;
pub mod secrets;
pub mod service;
pub mod session;
pub mod store;
pub mod tokens;
mod views;

pub use actor::{Actor, Grant, Role};
pub use policy::OrgScope;
