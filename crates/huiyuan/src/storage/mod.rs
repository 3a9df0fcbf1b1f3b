//! Storage: the connection pool, migrations and transactions, for SQLite and PostgreSQL
//! from one codebase.
//!
//! All queries go through sqlx's `Any` driver with portable SQL (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`). Any carries only booleans, integers, floats, text and bytes,
//! so times are `i64` milliseconds since the Unix epoch (UTC) and enums are text with a
//! CHECK constraint. The two dialects differ only in DDL, kept side by side in
//! `migrations/sqlite` and `migrations/postgres`; a test compares their tables and columns.
//!
//! Write transactions start with [`Db::begin`], which on SQLite takes the write lock up front
//! (`BEGIN IMMEDIATE`) so a read-then-write transaction cannot fail with SQLITE_BUSY when
//! another connection commits in between.

mod errors;
mod flag;
pub mod idempotency;
mod ids;
mod sql;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor as _};

pub use errors::{is_foreign_key_violation, is_unique_violation};
pub use flag::Flag;
pub use ids::*;
pub use sql::{Sql, contains_pattern, push_contains};

/// A transaction on either backend.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// A connection on either backend.
pub type Conn = sqlx::AnyConnection;

static MIGRATIONS_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MIGRATIONS_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database: a pool and the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// The URL without any password, for messages.
    display_url: String,
}

impl Db {
    /// Open a pool for `url` (`sqlite://…` or `postgres://…`) and check it answers.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            anyhow::bail!("unsupported database URL {:?}: use sqlite://FILE or postgres://USER@HOST/DB", redact(url));
        };
        let display_url = redact(url);
        let options =
            AnyConnectOptions::from_str(url).with_context(|| format!("invalid database URL {display_url}"))?;
        let mut pool = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        pool = match backend {
            Backend::Sqlite => pool.max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                         PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                         PRAGMA mmap_size = 2147418112;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool.max_connections(16),
        };
        let pool = pool
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to the database at {display_url}"))?;
        Ok(Db { pool, backend, display_url })
    }

    /// The default database: a SQLite file in the data directory.
    pub fn default_url(data_dir: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join("huiyuan.db").display())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// Apply pending migrations; returns the versions applied now.
    pub async fn migrate(&self) -> anyhow::Result<Vec<i64>> {
        let migrator = match self.backend {
            Backend::Sqlite => &MIGRATIONS_SQLITE,
            Backend::Postgres => &MIGRATIONS_POSTGRES,
        };
        let before = self.applied_versions().await.unwrap_or_default();
        migrator.run(&self.pool).await.context("applying database migrations")?;
        let after = self.applied_versions().await?;
        Ok(after.into_iter().filter(|v| !before.contains(v)).collect())
    }

    async fn applied_versions(&self) -> anyhow::Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Begin a write transaction (takes SQLite's write lock up front).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Is the database answering? (`/readyz`)
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// A consistent copy of a SQLite database, safe while huiyuan is running.
    pub async fn backup_sqlite_to(&self, target: &std::path::Path) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.backend == Backend::Sqlite,
            "online backup is for SQLite; back up PostgreSQL with pg_dump (see the README)"
        );
        anyhow::ensure!(!target.exists(), "{} exists already; choose a new file", target.display());
        let path = target.to_str().context("the backup path must be valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await
            .with_context(|| format!("writing the backup to {}", target.display()))?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The tables a change to the registry's members touches (the member rows, their periods and
/// their history, the new members by month), which the dashboards and lists plan their reads on.
pub const MEMBER_TABLES: [&str; 4] = ["member", "member_period", "member_event", "enrolment_count"];

/// Fresh planner statistics for the tables a bulk write changed — on PostgreSQL a `VACUUM
/// (ANALYZE)` (autovacuum may be off, as bulk-loading set-ups sometimes have it, or not have
/// come round yet; the vacuum also marks the pages all-visible again, without which the
/// dashboards' index-only counts visit the table for every row: 48 → 373 ms for the province
/// dashboard after 100,000 member rows were updated at a million members), on SQLite a sampled
/// `ANALYZE`. Statistics only speed reads up: a failure is logged, not returned, and the write
/// it follows stands.
pub async fn analyze(db: &Db, tables: &[&str]) {
    let started = std::time::Instant::now();
    let result: Result<(), sqlx::Error> = async {
        let mut conn = db.pool().acquire().await?;
        if db.backend() == Backend::Sqlite {
            sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *conn).await?;
        }
        let verb = if db.backend() == Backend::Sqlite { "ANALYZE" } else { "VACUUM (ANALYZE)" };
        for table in tables {
            sqlx::query(&format!("{verb} {table}")).execute(&mut *conn).await?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => tracing::debug!(?tables, ms = started.elapsed().as_millis(), "statistics refreshed"),
        Err(e) => tracing::warn!(?tables, "refreshing statistics failed: {e}"),
    }
}

/// [`analyze`] after the caller's answer: a bulk write (an import's commit, a census's lapse,
/// a merge) answers at once and the statistics follow within seconds.
pub fn analyze_soon(db: &Db, tables: &'static [&'static str]) {
    let db = db.clone();
    tokio::spawn(async move { analyze(&db, tables).await });
}

/// Serialise transactions that check-then-change something spanning several rows (e.g. "is
/// this the last system administrator?"), keyed by `lock`. SQLite's write transactions are
/// serial already (`BEGIN IMMEDIATE`); on PostgreSQL this takes a transaction-scoped
/// advisory lock, released at commit or rollback.
pub async fn serialize(tx: &mut Conn, lock: i64) -> Result<(), sqlx::Error> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Advisory lock keys (see [`serialize`]).
pub mod locks {
    /// Changes to who holds the system administrator role.
    pub const SYSADMINS: i64 = 1;
}

/// The URL with its password replaced, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Milliseconds since the Unix epoch, UTC: how every time is stored.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://./data/huiyuan.db"), "sqlite://./data/huiyuan.db");
    }
}
