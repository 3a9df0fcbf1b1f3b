//! The top of the house: every route of the product assembled into the router with its
//! layers, and the server with its jobs worker and graceful shutdown. This is the only
//! module that imports the domains' `routes` modules.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::AppError;
use crate::state::{AppState, Routes};
use crate::web::router::RouteInfo;
use crate::web::{context, csrf, idempotency, observe};

/// Every route of the product, with the list of them (tests check the list).
pub fn routes(upload_limit: usize) -> Routes {
    crate::site::routes::routes()
        .merge(crate::auth::routes::routes())
        .merge(crate::orgs::routes::routes())
        .merge(crate::users::routes::routes())
        .merge(crate::notices::routes::routes(upload_limit))
        .merge(crate::applications::routes::routes())
        .merge(crate::members::routes::routes(upload_limit))
        .merge(crate::targets::routes::routes(upload_limit))
        .merge(crate::services::studio::routes::routes())
        .merge(crate::audit::routes::routes())
        .merge(crate::mail::routes::routes())
        .merge(crate::webhooks::routes::routes())
        .merge(crate::ops::routes::routes())
        .merge(crate::api::routes())
}

/// The list of (method, path) the product serves.
pub fn route_list() -> Vec<RouteInfo> {
    routes(1024).into_parts().1
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// The router with every layer: observability outermost, then panics, security headers,
/// the request context (and error rendering), CSRF, idempotent API writes, and body limits.
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let (router, _) = routes(settings.uploads.max_bytes).into_parts();
    let mut router = router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(settings.server.max_form_bytes))
        .layer(from_fn_with_state(state.clone(), idempotency::idempotency))
        .layer(from_fn_with_state(state.clone(), csrf::csrf))
        .layer(from_fn_with_state(state.clone(), context::context));
    let headers: [(HeaderName, &'static str); 4] = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    if settings.server.secure_cookies() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router.layer(CatchPanicLayer::new()).layer(from_fn(observe::observe)).with_state(state)
}

/// A bound, ready server.
pub struct Server {
    state: AppState,
    listener: TcpListener,
}

impl Server {
    pub async fn bind(state: AppState, addr: &str) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        if let Ok(bound) = listener.local_addr() {
            let _ = state.listening.set(bound);
        }
        Ok(Server { state, listener })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until `shutdown` resolves, with the jobs worker beside the server; in-flight
    /// requests finish, the worker stops between jobs, the pool closes.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker = crate::jobs::worker::spawn_worker(self.state.clone(), stop_rx);
        let app = router(self.state.clone());
        axum::serve(self.listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")?;
        let _ = stop_tx.send(true);
        let _ = worker.await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called,
/// not when it is first polled, so a signal that arrives while the server is still starting
/// up shuts it down gracefully too.
#[cfg(unix)]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        let (Ok(mut interrupt), Ok(mut terminate)) = (interrupt, terminate) else {
            tracing::warn!("cannot install signal handlers; stop with SIGKILL");
            return std::future::pending::<()>().await;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down");
    }
}

#[cfg(not(unix))]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
