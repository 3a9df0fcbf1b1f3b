//! Structured logs (text for people, JSON for log collectors) and the Prometheus recorder.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// Logs go to stderr; `HUIYUAN_LOG` (or `RUST_LOG`) sets the filter, `HUIYUAN_LOG_FORMAT=json`
/// switches to one JSON object per line.
pub fn init_logging() {
    let filter = std::env::var("HUIYUAN_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,sqlx=warn".to_string());
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder =
        tracing_subscriber::fmt().with_env_filter(EnvFilter::new(filter)).with_writer(std::io::stderr).with_ansi(ansi);
    let result = if std::env::var("HUIYUAN_LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.compact().try_init()
    };
    let _ = result;
}

/// The process-wide metrics recorder (installed once, shared by every server in the
/// process, as in tests).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
            PrometheusBuilder::new()
                .set_buckets(&buckets)
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!("metrics recorder not installed: {e}"))
                .ok()
        })
        .clone()
}
