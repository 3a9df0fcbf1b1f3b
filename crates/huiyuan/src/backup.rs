//! Whole backups: one archive holding everything needed to come back — the database (a copy
//! of the SQLite file, or a `pg_dump` of the PostgreSQL database), every uploaded file, and a
//! manifest (version, what it holds, a SHA-256 of each entry). A backup is taken while the
//! server runs; `restore` puts it into an empty data directory (and, for PostgreSQL, an empty
//! database) after checking every checksum, and refuses anything else.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail, ensure};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::storage::{Backend, Db};

/// The archive's table of contents, `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The archive's layout version.
    pub format: u32,
    /// The huiyuan that made it.
    pub version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// `sqlite` or `postgres`: the database entry is `database.sqlite` or `database.pgdump`.
    pub backend: String,
    /// The newest migration applied to the database.
    pub schema: i64,
    /// Rows of the main tables, to compare after a restore.
    pub counts: Counts,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub members: i64,
    pub applications: i64,
    pub files: i64,
    pub users: i64,
    pub audit_records: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

const FORMAT: u32 = 1;
const SQLITE_ENTRY: &str = "database.sqlite";
const PG_ENTRY: &str = "database.pgdump";

/// What a database holds, counted.
pub async fn counts(db: &Db) -> anyhow::Result<Counts> {
    let count = |table: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(db.pool()).await?;
        anyhow::Ok(n)
    };
    Ok(Counts {
        members: count("member").await?,
        applications: count("application").await?,
        files: count("stored_file").await?,
        users: count("app_user").await?,
        audit_records: count("audit_log").await?,
    })
}

async fn schema_version(db: &Db) -> anyhow::Result<i64> {
    let (v,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(db.pool()).await?;
    Ok(v.unwrap_or(0))
}

fn sha256_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

/// Every file under `dir`, as (path relative to it with `/`, full path), in a stable order.
fn files_under(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
                out.push((rel, path));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out)?;
    }
    out.sort();
    Ok(out)
}

/// Run a PostgreSQL client tool (`pg_dump`, `pg_restore`), saying what is missing if it is.
fn pg_tool(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new(tool).args(args).output().with_context(|| {
        format!("{tool} is needed for a PostgreSQL backup: install the PostgreSQL client (Debian: postgresql-client)")
    })?;
    ensure!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    Ok(())
}

/// Write the archive of the database at `url` and the uploaded files under `data_dir` to
/// `to`, which must not exist. The server may be running meanwhile.
pub async fn backup(url: &str, data_dir: &Path, to: &Path) -> anyhow::Result<Manifest> {
    ensure!(!to.exists(), "{} exists already; choose a new file", to.display());
    let db = Db::connect(url).await?;
    let work = tempfile::tempdir_in(to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))?;
    // The files first, then the database: a file the database names is never missing (a
    // file written meanwhile without its row is harmless).
    let files = files_under(&data_dir.join("files"))?;
    let (entry, dump) = match db.backend() {
        Backend::Sqlite => {
            let dump = work.path().join(SQLITE_ENTRY);
            db.backup_sqlite_to(&dump).await?;
            (SQLITE_ENTRY, dump)
        }
        Backend::Postgres => {
            let dump = work.path().join(PG_ENTRY);
            let file = format!("--file={}", dump.display());
            pg_tool(
                "pg_dump",
                &["--format=custom", "--no-owner", "--no-privileges", &file, &format!("--dbname={url}")],
            )?;
            (PG_ENTRY, dump)
        }
    };
    let counts = counts(&db).await?;
    let schema = schema_version(&db).await?;
    let backend = if db.backend() == Backend::Sqlite { "sqlite" } else { "postgres" };
    db.close().await;
    let manifest = Manifest {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        backend: backend.to_string(),
        schema,
        counts,
        entries: Vec::new(),
    };
    let to = to.to_path_buf();
    crate::cpu::run(move |_| write_archive(&to, manifest, (entry, &dump), &files)).await?
}

fn write_archive(
    to: &Path,
    mut manifest: Manifest,
    db: (&str, &Path),
    files: &[(String, PathBuf)],
) -> anyhow::Result<Manifest> {
    let partial = to.with_extension("partial");
    let out = std::fs::File::create(&partial).with_context(|| format!("writing {}", partial.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(out));
    // The database compresses well; uploads (PDFs, JPEGs) mostly do not.
    let packed =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    let mut add = |zip: &mut zip::ZipWriter<_>, name: &str, path: &Path, options| -> anyhow::Result<()> {
        let (bytes, sha256) = sha256_file(path)?;
        zip.start_file(name, options)?;
        std::io::copy(&mut std::fs::File::open(path)?, zip)?;
        manifest.entries.push(Entry { name: name.to_string(), bytes, sha256 });
        Ok(())
    };
    add(&mut zip, db.0, db.1, packed)?;
    for (rel, path) in files {
        add(&mut zip, &format!("files/{rel}"), path, stored)?;
    }
    zip.start_file("manifest.json", packed)?;
    zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    zip.finish()?.flush()?;
    std::fs::rename(&partial, to)?;
    Ok(manifest)
}

/// Is this directory missing or empty?
fn empty_dir(dir: &Path) -> anyhow::Result<bool> {
    Ok(!dir.exists() || std::fs::read_dir(dir)?.next().is_none())
}

/// Put the archive `from` back: its files into `data_dir` (which must be empty), its database
/// into `data_dir` (SQLite) or into the empty PostgreSQL database at `database_url`. Every
/// entry's checksum is checked before anything is written.
pub async fn restore(from: &Path, data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<Manifest> {
    ensure!(
        empty_dir(data_dir)?,
        "{} is not empty: restore into a new, empty data directory (nothing was changed)",
        data_dir.display()
    );
    let archive = from.to_path_buf();
    let manifest = crate::cpu::run(move |_| check_archive(&archive)).await??;
    match (manifest.backend.as_str(), database_url) {
        ("sqlite", Some(url)) if !url.starts_with("sqlite:") => {
            bail!("this backup holds a SQLite database: restore it without --database-url")
        }
        ("postgres", None) => {
            bail!("this backup holds a PostgreSQL database: give --database-url of an empty database")
        }
        ("postgres", Some(url)) => {
            let db = Db::connect(url).await?;
            ensure!(db.backend() == Backend::Postgres, "this backup holds a PostgreSQL database");
            let (tables,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
                    .fetch_one(db.pool())
                    .await?;
            db.close().await;
            ensure!(tables == 0, "the database at --database-url is not empty ({tables} tables): nothing was changed");
        }
        _ => {}
    }
    std::fs::create_dir_all(data_dir)?;
    let (archive, dir) = (from.to_path_buf(), data_dir.to_path_buf());
    let entries = manifest.entries.clone();
    crate::cpu::run(move |_| unpack(&archive, &dir, &entries)).await??;
    if manifest.backend == "postgres" {
        let dump = data_dir.join(PG_ENTRY);
        let url = database_url.unwrap_or_default();
        let restored = pg_tool(
            "pg_restore",
            &["--no-owner", "--no-privileges", "--exit-on-error", &format!("--dbname={url}"), &dump.to_string_lossy()],
        );
        std::fs::remove_file(&dump)?;
        restored?;
    } else {
        std::fs::rename(data_dir.join(SQLITE_ENTRY), data_dir.join("huiyuan.db"))?;
    }
    Ok(manifest)
}

/// Read the manifest and check every entry it lists against its checksum.
fn check_archive(path: &Path) -> anyhow::Result<Manifest> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(file)).context("not a huiyuan backup (not a zip archive)")?;
    let manifest: Manifest = {
        let mut text = String::new();
        zip.by_name("manifest.json").context("not a huiyuan backup (no manifest.json)")?.read_to_string(&mut text)?;
        serde_json::from_str(&text).context("manifest.json is damaged")?
    };
    ensure!(manifest.format == FORMAT, "backup format {} is not one this huiyuan reads", manifest.format);
    for entry in &manifest.entries {
        let mut hasher = Sha256::new();
        let mut reader =
            zip.by_name(&entry.name).with_context(|| format!("{} is missing from the backup", entry.name))?;
        let bytes = std::io::copy(&mut reader, &mut HashWriter(&mut hasher))?;
        let sha: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        ensure!(bytes == entry.bytes && sha == entry.sha256, "{} is damaged (its checksum differs)", entry.name);
    }
    Ok(manifest)
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn unpack(path: &Path, dir: &Path, entries: &[Entry]) -> anyhow::Result<()> {
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    for entry in entries {
        // Only the names the manifest lists, each kept inside the data directory.
        let rel = Path::new(&entry.name);
        ensure!(
            rel.components().all(|c| matches!(c, std::path::Component::Normal(_))),
            "{} is not a path inside the data directory",
            entry.name
        );
        let target = dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(&target)?;
        std::io::copy(&mut zip.by_name(&entry.name)?, &mut out)?;
    }
    Ok(())
}
