//! The integration suite: one test binary, each test driving the real HTTP server on a
//! fresh database. Runs on SQLite by default and on PostgreSQL when
//! `HUIYUAN_TEST_DATABASE_URL` is set (`scripts/test` does both).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod api_joining;
mod api_registry;
mod applications;
mod attachments;
mod audit;
mod auth;
mod authz;
mod cli;
mod dashboard;
mod demo;
mod filters;
mod groups;
mod helpers;
mod mail;
mod notices;
mod ops;
mod orgs;
mod printing;
mod public_limits;
mod registry;
mod reports;
mod review_chain;
mod roster_import;
mod roster_judgement;
mod storage;
mod studio;
mod targets;
mod users;
mod webhooks;
