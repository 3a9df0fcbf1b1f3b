//! huiyuan (会员): membership registration, management and service for federated
//! associations — first for the Shanxi Provincial Youth Science and Technology Education
//! Association (山西省青少年科技教育协会) and its city associations.
//!
//! The binary (`main.rs`) is thin; the CLI, the server and the tests all use this library.

/// The JSON API under /api/v1 and its OpenAPI document.
pub mod api;
/// The router with its layers and the server: the top of the house.
pub mod app;
/// Joining: applications and their review chain.
pub mod applications;
/// The audit log: recording every change, browsing it.
pub mod audit;
/// Accounts, sessions, API tokens and the permission policy.
pub mod auth;
/// Whole backups (database, uploaded files, manifest) and their restore.
pub mod backup;
/// First start and the demo data set.
pub mod bootstrap;
/// Subcommands of the `huiyuan` binary.
pub mod cli;
/// Settings as data (TOML + environment).
pub mod config;
/// CPU work (PDFs, workbooks, archives, password hashes) off the async runtime.
pub mod cpu;
/// Domain values that parse: ID numbers, credit codes, postcodes.
pub mod domain;
/// The application's error type.
pub mod error;
/// Uploaded files and their storage.
pub mod files;
/// Languages and message catalogs.
pub mod i18n;
/// Background jobs.
pub mod jobs;
/// E-mail: queue, SMTP, outbox.
pub mod mail;
/// Markdown to safe HTML.
pub mod markdown;
/// Members and their unified numbers.
pub mod members;
/// Notices (通知公告).
pub mod notices;
/// In-app notifications.
pub mod notifications;
/// Health, readiness, metrics, static assets.
pub mod ops;
/// The organisation tree.
pub mod orgs;
/// Every URL of the product, named once.
pub mod paths;
/// Printed documents: registration forms and summaries as PDF and .xlsx.
pub mod print;
/// Member services (会员服务): the studio, and the record of every use of a service.
pub mod services;
/// Public pages and the back-office landing page.
pub mod site;
/// The application state: the bottom of the house.
pub mod state;
/// Pool, migrations, transactions, typed ids.
pub mod storage;
/// City development targets per year (目标任务).
pub mod targets;
/// Logging.
pub mod telemetry;
/// Text normalisation.
pub mod text;
/// Account management for administrators.
pub mod users;
/// Cross-cutting HTTP: context, CSRF, extractors, pages, URLs.
pub mod web;
/// Outbound webhooks: subscriptions, signed deliveries through the job queue.
pub mod webhooks;

/// The shape of the house, checked by tests.
#[cfg(test)]
mod shape;
