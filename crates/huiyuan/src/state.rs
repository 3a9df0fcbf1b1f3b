//! The application state: what every handler, service and job can reach — the database,
//! the settings, file storage, the jobs handle, the mailer, the printer, the org names kept
//! in memory and the in-memory throttle. It sits at the bottom of the house: it imports only the parts it holds, and
//! the web layer takes from it only what it needs (`Db` and `Arc<Settings>`, through
//! axum's `FromRef`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Settings;
use crate::files::{FileStorage, LocalDir};
use crate::jobs::JobsHandle;
use crate::mail::transport::Mailer;
use crate::storage::Db;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub files: Arc<dyn FileStorage>,
    pub jobs: JobsHandle,
    /// `None` when no SMTP server is configured: mail is kept in the outbox.
    pub mailer: Option<Arc<Mailer>>,
    pub metrics: Option<PrometheusHandle>,
    pub printer: Arc<crate::print::Printer>,
    /// Documents made once and kept (the blank forms).
    pub shelf: Arc<crate::print::Shelf>,
    /// The org tree's names, kept for the pages that print them on every row.
    pub org_names: Arc<crate::orgs::names::OrgNames>,
    /// Per-address limits kept in memory (public routes, certificate verification).
    pub throttle: Arc<crate::web::throttle::Throttle>,
    /// The HTTP client webhooks are sent with (the settings' timeout, no redirects).
    pub http: reqwest::Client,
    /// Where this process listens, once bound (a webhook must not point back at it).
    pub listening: Arc<std::sync::OnceLock<std::net::SocketAddr>>,
    pub started_at: Instant,
}

impl AppState {
    pub fn new(
        db: Db,
        settings: Settings,
        data_dir: PathBuf,
        metrics: Option<PrometheusHandle>,
    ) -> anyhow::Result<AppState> {
        let mailer = match &settings.mail.smtp {
            Some(smtp) => Some(Arc::new(Mailer::from_settings(smtp).context("mail.smtp settings")?)),
            None => None,
        };
        let printer = crate::print::Printer::new(settings.print.fonts.clone());
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(settings.webhooks.timeout_seconds))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("huiyuan-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("the webhooks' HTTP client")?;
        Ok(AppState {
            http,
            listening: Arc::default(),
            db,
            printer,
            shelf: Arc::default(),
            org_names: Arc::default(),
            throttle: Arc::default(),
            settings: Arc::new(settings),
            files: Arc::new(LocalDir::new(data_dir.join("files"))),
            jobs: JobsHandle::default(),
            mailer,
            metrics,
            started_at: Instant::now(),
        })
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Arc<Settings> {
        state.settings.clone()
    }
}

impl FromRef<AppState> for Arc<crate::web::throttle::Throttle> {
    fn from_ref(state: &AppState) -> Arc<crate::web::throttle::Throttle> {
        state.throttle.clone()
    }
}

impl AsRef<Settings> for AppState {
    fn as_ref(&self) -> &Settings {
        &self.settings
    }
}

/// The route table of the product's state (page and API handlers register on it).
pub type Routes = crate::web::router::Routes<AppState>;
