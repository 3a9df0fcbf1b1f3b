//! Figures of webhooks, on SQLite and (when reachable) PostgreSQL:
//!
//! - events queued per second: `webhooks::emit` inside transactions of 100 events, as the
//!   changes that cause them would (one subscription listening);
//! - deliveries per second: the queued deliveries POSTed, signed, by one process's job worker
//!   to a receiver on the loopback that answers 200 at once — and every one delivered.
//!
//! `cargo bench --bench webhooks` (scripts/bench runs it). PostgreSQL: `HUIYUAN_BENCH_PG_URL`
//! (a server URL without database; default postgres://postgres@127.0.0.1:5432).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use huiyuan::config::Settings;
use huiyuan::state::AppState;
use huiyuan::storage::Db;

const EVENTS: usize = 5_000;
const PER_TRANSACTION: usize = 100;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("webhook benchmarks ({} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    common::on_each_backend("hooks", |label, url, dir| async move { backend(label, &url, &dir).await }).await;
}

/// A receiver that counts what it is sent and answers 200.
async fn receiver() -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, count)
}

async fn backend(label: &str, url: &str, data_dir: &std::path::Path) {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let settings = Settings::defaults();
    huiyuan::bootstrap::first_run(&db, &settings, Some("bench-kexue-2026".into())).await.unwrap();
    let state = AppState::new(db.clone(), settings, data_dir.to_path_buf(), None).unwrap();
    let (hook_url, received) = receiver().await;
    let mut tx = db.begin().await.unwrap();
    let root = huiyuan::orgs::store::root(&mut tx).await.unwrap();
    let admin = huiyuan::storage::UserId(1);
    huiyuan::webhooks::store::insert(
        &mut tx,
        &huiyuan::webhooks::store::NewWebhook {
            org: root.id,
            url: &hook_url,
            description: "bench",
            events: &["member.status_changed".to_string()],
            secret: "whsec_bench",
            by: admin,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let started = Instant::now();
    for batch in 0..EVENTS / PER_TRANSACTION {
        let mut tx = db.begin().await.unwrap();
        for i in 0..PER_TRANSACTION {
            let n = batch * PER_TRANSACTION + i;
            let data = serde_json::json!({ "member_id": n, "number": format!("SXK101{n:04}M"), "from": "active", "to": "suspended" });
            huiyuan::webhooks::emit(&mut tx, "member.status_changed", None, data).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let queued = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let ran = huiyuan::jobs::worker::run_pending(&state).await.unwrap();
    let sent = started.elapsed().as_secs_f64();
    let mut conn = db.pool().acquire().await.unwrap();
    let (delivered,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_delivery WHERE status = 'delivered'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(ran, EVENTS);
    assert_eq!(delivered as usize, EVENTS);
    assert_eq!(received.load(Ordering::Relaxed), EVENTS);
    println!(
        "{label}: {EVENTS} events queued at {:.0} /s ({PER_TRANSACTION} per transaction); delivered at {:.0} /s by one worker, all {delivered} delivered",
        EVENTS as f64 / queued,
        EVENTS as f64 / sent
    );
    db.close().await;
}
