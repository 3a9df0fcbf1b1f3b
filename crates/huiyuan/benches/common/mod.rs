//! What the benchmarks share: running one on SQLite and then, when reachable, on a
//! throw-away PostgreSQL database (`HUIYUAN_BENCH_PG_URL`, a server URL without database;
//! default postgres://postgres@127.0.0.1:5432).

use std::future::Future;
use std::path::PathBuf;

use huiyuan::storage::Db;

/// Run `bench(label, database URL, data directory)` on each backend.
pub async fn on_each_backend<F, Fut>(name: &str, bench: F)
where
    F: Fn(&'static str, String, PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    bench("SQLite", sqlite, dir.path().to_path_buf()).await;
    let pg_server =
        std::env::var("HUIYUAN_BENCH_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let db_name = format!("huiyuan_bench_{name}_{}", std::process::id());
    match Db::connect(&format!("{pg_server}/postgres")).await {
        Ok(admin) => {
            sqlx::query(&format!("CREATE DATABASE \"{db_name}\"")).execute(admin.pool()).await.unwrap();
            let pg_dir = tempfile::tempdir().unwrap();
            bench("PostgreSQL", format!("{pg_server}/{db_name}"), pg_dir.path().to_path_buf()).await;
            sqlx::query(&format!("DROP DATABASE \"{db_name}\" WITH (FORCE)")).execute(admin.pool()).await.unwrap();
        }
        Err(e) => println!("PostgreSQL: skipped ({e})"),
    }
}
