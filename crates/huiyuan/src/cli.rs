//! The `huiyuan` command line: serve, migrate, create-admin, backup, restore, check-config.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::app::{Server, shutdown_signal};
use crate::bootstrap;
use crate::config::Settings;
use crate::state::AppState;
use crate::storage::Db;

#[derive(Parser, Debug)]
#[command(
    name = "huiyuan",
    version,
    about = "Membership registration, management and service for federated associations (会员管理平台)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (and its background jobs).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(StoreArgs),
    /// Create a system administrator account, or reset one's password.
    CreateAdmin(CreateAdminArgs),
    /// Write one archive of everything needed to come back: the database (a copy of the
    /// SQLite file or a pg_dump), the uploaded files and a manifest with checksums. Online.
    Backup(BackupArgs),
    /// Put a backup archive back into an empty data directory (and, for a PostgreSQL backup,
    /// an empty database), after checking every checksum.
    Restore(RestoreArgs),
    /// Add generated members (realistic names, employers, mobiles across the cities) for
    /// trying the registry at scale and for benchmarks. Not for a production database.
    GenerateMembers(GenerateArgs),
    /// Add generated activity on top of generated members, for trying the dashboards at
    /// scale and for benchmarks: individual members in the cities' group members (0–6 each)
    /// and N applications at every stage of the review chain. Not for a production database.
    GenerateApplications(GenerateApplicationsArgs),
    /// Write the search terms of the members with ids FROM..=TO again (after an import whose
    /// background indexing failed; the import's page gives the command).
    Reindex {
        /// The first member id.
        #[arg(long)]
        from: i64,
        /// The last member id.
        #[arg(long)]
        to: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write a generated roster (.xlsx) of N people, as a city would send for the census
    /// import; for trying and benchmarking the import.
    GenerateRoster {
        /// How many people.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Check a settings file and report every problem with its key.
    CheckConfig {
        /// The TOML settings file to check.
        file: PathBuf,
    },
}

/// Where the data is: shared by every subcommand that opens the database.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// Directory for the SQLite database and uploaded files.
    #[arg(long, env = "HUIYUAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB (default: a SQLite file in the data dir).
    #[arg(long, env = "HUIYUAN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Settings file (TOML); built-in defaults when absent.
    #[arg(long, env = "HUIYUAN_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HUIYUAN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Add the demo data set (demo accounts and the 2014 notice) on first start.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Args, Debug)]
pub struct CreateAdminArgs {
    /// User name of the account.
    #[arg(long, default_value = "admin")]
    pub username: String,
    /// Name shown in the product.
    #[arg(long, default_value = "系统管理员")]
    pub display_name: String,
    /// E-mail address (for password reset links).
    #[arg(long)]
    pub email: Option<String>,
    /// The account exists: set a new password (and make it a system administrator).
    #[arg(long)]
    pub reset_password: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many members to add.
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Seed of the generator (the same seed gives the same members).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct GenerateApplicationsArgs {
    /// How many applications to add (group members get their individual members besides).
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Seed of the generator (the same seed gives the same applications).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The archive to write (must not exist), e.g. huiyuan-2026-12-04.zip.
    #[arg(long)]
    pub to: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup archive.
    pub file: PathBuf,
    /// The data directory to restore into (must be empty or not exist).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// For a PostgreSQL backup: the URL of an empty database to restore into.
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(store) => {
            let (db, settings) = open(&store).await?;
            let applied = prepare(&db, &settings).await?;
            if applied.is_empty() {
                println!("{}: schema is up to date", db.display_url());
            } else {
                println!("{}: applied migrations {applied:?}", db.display_url());
            }
            Ok(())
        }
        Command::CreateAdmin(args) => create_admin(args).await,
        Command::Backup(args) => backup(args).await,
        Command::Restore(args) => restore(args).await,
        Command::GenerateRoster { count, out, seed } => {
            crate::members::generate::roster_xlsx(&out, count, seed)?;
            println!("{}: {count} people", out.display());
            Ok(())
        }
        Command::GenerateMembers(args) => {
            let (db, settings) = open(&args.store).await?;
            prepare(&db, &settings).await?;
            crate::orgs::service::seed_from_settings(&db, &settings).await?;
            let started = std::time::Instant::now();
            let done = crate::members::generate::generate(&db, &settings, args.count, args.seed).await?;
            println!(
                "{}: added {} members ({} search terms) in {:.1} s",
                db.display_url(),
                done.members,
                done.terms,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::GenerateApplications(args) => {
            let (db, settings) = open(&args.store).await?;
            prepare(&db, &settings).await?;
            crate::orgs::service::seed_from_settings(&db, &settings).await?;
            let started = std::time::Instant::now();
            let done = crate::targets::generate::generate(&db, args.count, args.seed).await?;
            println!(
                "{}: linked {} individual members to group members, added {} applications in {:.1} s",
                db.display_url(),
                done.links,
                done.applications,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Reindex { from, to, store } => {
            let (db, _) = open(&store).await?;
            db.migrate().await?;
            let started = std::time::Instant::now();
            let terms = crate::members::bulk::index_members(&db, from, to).await?;
            println!(
                "{}: wrote {terms} search terms of members {from}–{to} in {:.1} s",
                db.display_url(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::CheckConfig { file } => check_config(&file),
    }
}

fn load_settings(path: Option<&Path>) -> anyhow::Result<Settings> {
    Settings::load(path).map_err(|problems| {
        let source = path.map(|p| p.display().to_string()).unwrap_or_else(|| "built-in defaults".into());
        anyhow::anyhow!("the settings are invalid ({source}):\n{problems}")
    })
}

/// Settings, then the database (created when missing for SQLite).
pub async fn open(store: &StoreArgs) -> anyhow::Result<(Db, Settings)> {
    let settings = load_settings(store.config.as_deref())?;
    std::fs::create_dir_all(&store.data_dir)
        .with_context(|| format!("cannot create the data directory {}", store.data_dir.display()))?;
    let url = store.database_url.clone().unwrap_or_else(|| Db::default_url(&store.data_dir));
    let db = Db::connect(&url).await?;
    Ok((db, settings))
}

/// The schema brought up to date, and what the database keeps for the settings (the new
/// members by local month, counted again when the time zone changed).
pub async fn prepare(db: &Db, settings: &Settings) -> anyhow::Result<Vec<i64>> {
    let applied = db.migrate().await?;
    crate::targets::enrolment::align(db, settings.locale.utc_offset()).await?;
    Ok(applied)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let (db, settings) = open(&args.store).await?;
    let applied = prepare(&db, &settings).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let boot = bootstrap::first_run(&db, &settings, std::env::var("HUIYUAN_ADMIN_PASSWORD").ok()).await?;
    let fresh_demo = args.demo && bootstrap::seed_demo(&db).await?;
    if fresh_demo {
        let registry = crate::members::generate::demo_registry(&db, &settings).await?;
        tracing::info!(members = registry.members, "demo data set added");
    }
    let name = settings.association.name.clone();
    let state = AppState::new(db.clone(), settings, args.store.data_dir.clone(), crate::telemetry::metrics_handle())?;
    if fresh_demo {
        let hooks = crate::webhooks::demo::seed(&state).await?;
        tracing::info!(hooks, "demo webhooks added");
        let applications = crate::applications::demo::seed(&state, bootstrap::DEMO_PASSWORD).await?;
        tracing::info!(applications, "demo applications at every stage added");
        let bookings = crate::services::studio::demo::seed(&state).await?;
        tracing::info!(bookings, "demo studio bookings added");
    }
    let server = Server::bind(state, &args.bind).await?;
    let shutdown = shutdown_signal();
    let addr = server.local_addr()?;
    println!("huiyuan {} — {name}", env!("CARGO_PKG_VERSION"));
    println!("  database: {} ({})", db.display_url(), db.backend().name());
    if let Some(pw) = &boot.generated_admin_password {
        println!("  first start: system administrator '{}' created with password: {pw}", bootstrap::ADMIN_USERNAME);
        println!("  (shown this once; change it under 个人中心 → 修改密码)");
    } else if boot.admin_created {
        println!(
            "  first start: system administrator '{}' created with the password from HUIYUAN_ADMIN_PASSWORD",
            bootstrap::ADMIN_USERNAME
        );
    }
    if args.demo {
        println!(
            "  demo accounts: secretariat, council, taiyuan, datong, teacher, applicant — password {}",
            bootstrap::DEMO_PASSWORD
        );
    }
    println!("  listening on http://{addr}  (ready in {} ms)", started.elapsed().as_millis());
    server.run_until(shutdown).await
}

async fn create_admin(args: CreateAdminArgs) -> anyhow::Result<()> {
    use crate::auth::model::{DisplayName, Email, Username};
    use crate::auth::{Role, password, session, store};

    let (db, settings) = open(&args.store).await?;
    db.migrate().await?;
    crate::orgs::service::seed_from_settings(&db, &settings).await?;
    let username = Username::parse(&args.username).map_err(|m| anyhow::anyhow!("--username: {m}"))?;
    let display_name = DisplayName::parse(&args.display_name).map_err(|m| anyhow::anyhow!("--display-name: {m}"))?;
    let email = args.email.as_deref().map(Email::parse).transpose().map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let (pw, generated) = match std::env::var("HUIYUAN_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()) {
        Some(p) => (p, false),
        None => (bootstrap::generate_password(), true),
    };
    if let Some(m) = password::weakness(&pw, username.as_str(), settings.security.password_min_length) {
        anyhow::bail!("HUIYUAN_ADMIN_PASSWORD: {m}");
    }
    let hash = {
        let pw = pw.clone();
        crate::cpu::run(move |off| password::hash(&pw, off)).await??
    };
    let who = crate::audit::Who::system("create-admin");
    let mut tx = db.begin().await?;
    let root = crate::orgs::store::root(&mut tx).await?;
    let existing = store::find_by_login(&mut tx, username.as_str()).await?;
    let id = match (existing, args.reset_password) {
        (Some(_), false) => {
            anyhow::bail!("account '{}' exists; add --reset-password to set a new password", username.as_str())
        }
        (None, true) => anyhow::bail!("no account '{}' to reset", username.as_str()),
        (Some(user), true) => {
            store::set_password(&mut tx, user.id, &hash).await?;
            if !user.active() {
                store::set_active(&mut tx, user.id, true).await?;
                crate::audit::record(
                    &mut tx,
                    &who,
                    crate::audit::Entry::new("user.activate", "user", user.id, username.as_str())
                        .after(serde_json::json!({ "active": true })),
                )
                .await?;
            }
            crate::auth::tokens::revoke_all(&mut tx, user.id).await?;
            session::delete_for_user(&mut tx, user.id, None).await?;
            crate::audit::record(
                &mut tx,
                &who,
                crate::audit::Entry::new("auth.password_reset", "user", user.id, username.as_str()),
            )
            .await?;
            user.id
        }
        (None, false) => {
            let new = store::NewUser {
                username: username.as_str(),
                email: email.as_ref().map(|e| e.as_str()),
                mobile: None,
                display_name: display_name.as_str(),
                password_hash: &hash,
                locale: "zh-CN",
            };
            let id = store::insert_user(&mut tx, &new).await.context("creating the account (is the e-mail in use?)")?;
            crate::audit::record(
                &mut tx,
                &who,
                crate::audit::Entry::new("user.create", "user", id, username.as_str())
                    .after(serde_json::json!({ "role": "sysadmin" })),
            )
            .await?;
            id
        }
    };
    if store::insert_grant(&mut tx, id, Role::Sysadmin, root.id, None).await?.is_some() {
        crate::audit::record(
            &mut tx,
            &who,
            crate::audit::Entry::new("user.grant", "user", id, username.as_str())
                .after(serde_json::json!({ "role": "sysadmin" })),
        )
        .await?;
    }
    tx.commit().await?;
    println!("system administrator '{}' is ready", username.as_str());
    if generated {
        println!("password: {pw}  (shown this once)");
    }
    Ok(())
}

async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let url = args.store.database_url.clone().unwrap_or_else(|| Db::default_url(&args.store.data_dir));
    let m = crate::backup::backup(&url, &args.store.data_dir, &args.to).await?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup written to {} ({} bytes): {} database, {} members, {} applications, {} uploaded files",
        args.to.display(),
        size,
        m.backend,
        m.counts.members,
        m.counts.applications,
        m.entries.len() - 1
    );
    Ok(())
}

async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let m = crate::backup::restore(&args.file, &args.data_dir, args.database_url.as_deref()).await?;
    println!(
        "restored the backup of {} into {}: {} members, {} applications, {} uploaded files (schema {}, huiyuan {})",
        m.created_at,
        args.data_dir.display(),
        m.counts.members,
        m.counts.applications,
        m.entries.len() - 1,
        m.schema,
        m.version
    );
    Ok(())
}

fn check_config(file: &Path) -> anyhow::Result<()> {
    match Settings::load(Some(file)) {
        Ok(s) => {
            println!(
                "{}: OK — {} ({} cities, {} member categories)",
                file.display(),
                s.association.name,
                s.cities.len(),
                s.categories.len()
            );
            Ok(())
        }
        Err(problems) => {
            for p in &problems.0 {
                eprintln!("  {p}");
            }
            anyhow::bail!("{}: {} problem(s) in the settings", file.display(), problems.0.len())
        }
    }
}
