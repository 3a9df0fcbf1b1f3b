//! The `huiyuan` command line, run as a real process.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

fn huiyuan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_huiyuan"));
    c.env_remove("HUIYUAN_DATABASE_URL")
        .env_remove("HUIYUAN_CONFIG")
        .env_remove("HUIYUAN_ADMIN_PASSWORD")
        .env("HUIYUAN_LOG", "warn");
    c
}

#[test]
fn check_config_reports_every_problem_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "colour = \"blue\"\n[association]\npostcode = \"0300\"\n[security]\nsession_idle_minutes = 0\n[[cities]]\ncode = \"1401\"\nname = \"甲\"\nshort_name = \"甲\"\n").unwrap();
    let out = huiyuan().args(["check-config"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for line in [
        "colour: unknown key",
        "association.postcode: must be 6 digits",
        "security.session_idle_minutes: must be greater than 0",
        "cities[0].code: must be a 6-digit GB/T 2260 code",
    ] {
        assert!(err.contains(line), "missing {line:?} in:\n{err}");
    }
}

#[test]
fn check_config_accepts_the_documented_defaults() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/huiyuan.toml");
    let out = huiyuan().arg("check-config").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("山西省青少年科技教育协会 (11 cities, 6 member categories)"));
}

#[test]
fn serve_refuses_an_invalid_settings_file_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[server]\nbase_url = \"ftp://x/\"\n").unwrap();
    let out = huiyuan()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the settings are invalid") && err.contains("server.base_url"), "{err}");
}

#[test]
fn serve_says_clearly_when_the_database_cannot_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let out = huiyuan()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            "postgres://huiyuan@127.0.0.1:1/huiyuan",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot connect to the database at postgres://huiyuan@127.0.0.1:1/huiyuan"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(30));
    let out =
        huiyuan().args(["migrate", "--database-url", "mysql://x/y", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn the_application_generator_explains_a_database_without_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let out = huiyuan().args(["generate-applications", "--count", "5", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no account to own the applications") && err.contains("huiyuan create-admin"), "{err}");
    let help = huiyuan().args(["generate-applications", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("How many applications to add"));
}

/// Start `huiyuan serve` and wait for its "listening on" line; returns the child and address.
fn start_server(data_dir: &std::path::Path, extra_env: &[(&str, &str)]) -> (std::process::Child, String, Vec<String>) {
    let mut cmd = huiyuan();
    cmd.args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    let mut addr = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = rest.split_whitespace().next().unwrap().to_string();
            lines.push(line);
            break;
        }
        lines.push(line);
    }
    (child, addr, lines)
}

#[tokio::test]
async fn the_first_start_prints_a_generated_administrator_password_once_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, lines) = start_server(dir.path(), &[]);
    assert!(!addr.is_empty());
    let first = lines.join("\n");
    assert!(first.contains("system administrator 'admin' created with password: "), "{first}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let waited = Instant::now();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits cleanly: {exit:?}");
    assert!(waited.elapsed() < Duration::from_secs(10));

    let (mut child, addr, lines) = start_server(dir.path(), &[]);
    assert!(!lines.join("\n").contains("password:"), "the password is printed only once");
    // Without --demo there is no demo data.
    let notice = reqwest::get(format!("http://{addr}/notices/1")).await.unwrap();
    assert_eq!(notice.status(), reqwest::StatusCode::NOT_FOUND, "no demo notice without --demo");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    child.wait().unwrap();
}

/// Every file under `dir` with its SHA-256, by path relative to it.
fn checksums(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    use sha2::Digest as _;
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut std::collections::BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let sha = sha2::Sha256::digest(std::fs::read(&path).unwrap());
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().to_string();
                out.insert(rel, sha.iter().map(|b| format!("{b:02x}")).collect());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[tokio::test]
async fn a_backup_of_a_server_in_use_comes_back_elsewhere_with_the_same_members_applications_and_files() {
    let app = TestApp::spawn().await;
    for (name, seq) in [("张伟", 123), ("李娜", 222)] {
        let id_number = resident_id("140105", "19850612", seq);
        app.add_member(NewMemberSpec {
            name,
            org: Some(app.fixture.taiyuan),
            id_number: &id_number,
            ..NewMemberSpec::default()
        })
        .await;
    }
    // An application with a scan attached (while it is a draft, the applicant's to change).
    let teacher = app.login_as(Who::Teacher).await;
    let mut form = individual_form("王芳", &resident_id("140105", "19900307", 491), &app.fixture.taiyuan.to_string());
    form.push(("intent".into(), "save".into()));
    let r = teacher.post_pairs("/apply/individual", &form).await;
    let id: i64 = location(&r).split('/').nth(2).unwrap().parse().unwrap();
    let part = reqwest::multipart::Part::bytes(tiny_pdf()).file_name("登记表（签字）.pdf");
    let form = reqwest::multipart::Form::new().text("purpose", "签字的登记表扫描件").part("file", part);
    let url = format!("{}/applications/{id}/files?csrf_token={}", teacher.base, teacher.csrf.clone().unwrap());
    assert_eq!(teacher.client.post(url).multipart(form).send().await.unwrap().status(), reqwest::StatusCode::SEE_OTHER);
    let files = checksums(&app.data_dir().join("files"));
    assert!(!files.is_empty(), "an uploaded file to back up");

    // Backed up while the server runs.
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("huiyuan-backup.zip");
    let backup = |to: &std::path::Path| {
        huiyuan()
            .args(["backup", "--database-url", &app.db_url, "--data-dir"])
            .arg(app.data_dir())
            .arg("--to")
            .arg(to)
            .output()
            .unwrap()
    };
    let out = backup(&archive);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("backup written to") && said.contains("1 applications"), "{said}");
    assert!(!backup(&archive).status.success(), "an existing file is never overwritten");

    // Restored into an empty data directory (and, on PostgreSQL, an empty database).
    let target = dir.path().join("restored");
    let (url, _guard) = empty_database(&target).await;
    let restore = |into: &std::path::Path| {
        let mut cmd = huiyuan();
        cmd.arg("restore").arg(&archive).arg("--data-dir").arg(into);
        if url.starts_with("postgres") {
            cmd.args(["--database-url", &url]);
        }
        cmd.output().unwrap()
    };
    let out = restore(&target);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = huiyuan::storage::Db::connect(&url).await.unwrap();
    assert_eq!(
        huiyuan::backup::counts(&restored).await.unwrap(),
        huiyuan::backup::counts(&app.state.db).await.unwrap()
    );
    let names = |db: &huiyuan::storage::Db| {
        let pool = db.pool().clone();
        async move {
            sqlx::query_as::<_, (String, String)>("SELECT number, name FROM member ORDER BY number")
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(names(&restored).await, names(&app.state.db).await);
    restored.close().await;
    assert_eq!(checksums(&target.join("files")), files, "the same files, byte for byte");
    let out = huiyuan().args(["migrate", "--database-url", &url, "--data-dir"]).arg(&target).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema is up to date"));

    // Never over something: a directory in use is refused and left as it was.
    let out = restore(&target);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    assert_eq!(checksums(&target.join("files")), files);
    // A damaged archive is refused before anything is written.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = dir.path().join("damaged.zip");
    std::fs::write(&damaged, bytes).unwrap();
    let fresh = dir.path().join("fresh");
    let out = huiyuan().arg("restore").arg(&damaged).arg("--data-dir").arg(&fresh).output().unwrap();
    assert!(!out.status.success(), "a damaged backup is refused");
    assert!(!fresh.join("huiyuan.db").exists() && !fresh.join("files").exists());
}

#[test]
fn create_admin_makes_an_administrator_and_resets_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = huiyuan()
        .args(["create-admin", "--username", "wangli", "--display-name", "王力", "--data-dir"])
        .arg(dir.path())
        .env("HUIYUAN_ADMIN_PASSWORD", "wang-li-2026")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again =
        huiyuan().args(["create-admin", "--username", "wangli", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--reset-password"));
    let reset = huiyuan()
        .args(["create-admin", "--username", "wangli", "--reset-password", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(reset.status.success());
    assert!(String::from_utf8_lossy(&reset.stdout).contains("password: "), "a new password is generated and shown");
    let migrate = huiyuan().args(["migrate", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));
}

#[tokio::test]
async fn reindex_writes_the_search_terms_of_a_range_of_members_again() {
    let dir = tempfile::tempdir().unwrap();
    let out = huiyuan().args(["generate-members", "--count", "30", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("huiyuan.db").display());
    let db = huiyuan::storage::Db::connect(&url).await.unwrap();
    let count = |sql: &'static str| {
        let pool = db.pool().clone();
        async move { sqlx::query_as::<_, (i64,)>(sql).fetch_one(&pool).await.unwrap().0 }
    };
    let before = count("SELECT COUNT(*) FROM member_term").await;
    assert!(before > 30 * 10, "every member has its terms");
    let (from, to) = (count("SELECT MIN(id) FROM member").await, count("SELECT MAX(id) FROM member").await);
    // As if an import's background indexing had never run.
    sqlx::query("DELETE FROM member_term").execute(db.pool()).await.unwrap();
    db.close().await;
    let out = huiyuan()
        .args(["reindex", "--from", &from.to_string(), "--to", &to.to_string(), "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("wrote {before} search terms")));
    let db = huiyuan::storage::Db::connect(&url).await.unwrap();
    let after: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM member_term").fetch_one(db.pool()).await.unwrap();
    assert_eq!(after.0, before);
}
