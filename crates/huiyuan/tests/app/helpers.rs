//! `TestApp`: the real HTTP server on a fresh database (SQLite in a temp dir, or — when
//! `HUIYUAN_TEST_DATABASE_URL` names a PostgreSQL database — a throw-away PostgreSQL
//! database per test), with a fixture of one account per role, and `Browser`: a
//! cookie-keeping client that fills in CSRF tokens the way a page would.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use huiyuan::app::Server;
use huiyuan::auth::{Role, store as auth_store};
use huiyuan::config::Settings;
use huiyuan::state::AppState;
use huiyuan::storage::{Db, GrantId, NoticeId, OrgId, UserId};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Every fixture account signs in with this password.
pub const PASSWORD: &str = "kexue-jiaoyu-2026";

/// The people of the fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Sysadmin,
    Secretariat,
    Council,
    /// City administrator of 太原市 (140100).
    Taiyuan,
    /// City administrator of 大同市 (140200).
    Datong,
    /// A member / applicant.
    Teacher,
}

impl Who {
    pub fn username(self) -> &'static str {
        match self {
            Who::Sysadmin => "admin",
            Who::Secretariat => "mishu",
            Who::Council => "lishi",
            Who::Taiyuan => "taiyuan",
            Who::Datong => "datong",
            Who::Teacher => "zhangwei",
        }
    }
}

/// Ids of the fixture's rows.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub root: OrgId,
    pub taiyuan: OrgId,
    pub datong: OrgId,
    pub users: Vec<(Who, UserId)>,
}

impl Fixture {
    pub fn user(&self, who: Who) -> UserId {
        self.users.iter().find(|(w, _)| *w == who).map(|(_, id)| *id).expect("fixture user")
    }
}

pub struct TestApp {
    pub base: String,
    /// The database this server uses (another process may be pointed at it).
    pub db_url: String,
    pub state: AppState,
    pub fixture: Fixture,
    /// Kept for its lifetime: the directory goes when the test ends.
    data_dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _pg: Option<PgDatabase>,
}

/// A throw-away PostgreSQL database, dropped with the test.
struct PgDatabase {
    admin_url: String,
    name: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    // On a thread of its own: the tests run on the async runtime.
    HASH.get_or_init(|| {
        std::thread::spawn(|| huiyuan::cpu::here(|off| huiyuan::auth::password::hash(PASSWORD, off)))
            .join()
            .expect("hash")
            .expect("hash")
    })
}

/// The database URL for a new test: a fresh PostgreSQL database when the suite runs on
/// PostgreSQL, else a SQLite file in `dir`.
async fn database_url(dir: &std::path::Path) -> (String, Option<PgDatabase>) {
    match std::env::var("HUIYUAN_TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let base_name =
                admin_url.rsplit('/').next().unwrap_or("huiyuan").split('?').next().unwrap_or("huiyuan").to_string();
            let name = format!("{base_name}_{}_{n}", std::process::id());
            let admin = Db::connect(&admin_url).await.expect("connect to the PostgreSQL test database");
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(admin.pool())
                .await
                .expect("create test database");
            admin.close().await;
            let url = format!("{}/{name}", admin_url.rsplit_once('/').map(|(a, _)| a).unwrap_or(&admin_url));
            (url, Some(PgDatabase { admin_url, name }))
        }
        _ => (format!("sqlite://{}?mode=rwc", dir.join("huiyuan.db").display()), None),
    }
}

pub fn test_settings() -> Settings {
    Settings::defaults()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// A server whose settings `adjust` changes first (e.g. an SMTP server).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (url, pg) = database_url(data_dir.path()).await;
        let db = Db::connect(&url).await.expect("connect");
        let db_url = url.clone();
        let mut settings = test_settings();
        adjust(&mut settings);
        huiyuan::cli::prepare(&db, &settings).await.expect("migrate");
        let boot = huiyuan::bootstrap::first_run(&db, &settings, Some(PASSWORD.to_string())).await.expect("first run");
        assert!(boot.admin_created);
        let fixture = seed(&db).await;
        let state = AppState::new(db, settings, data_dir.path().to_path_buf(), huiyuan::telemetry::metrics_handle())
            .expect("state");
        let server = Server::bind(state.clone(), "127.0.0.1:0").await.expect("bind");
        let addr = server.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            server
                .run_until(async move {
                    let _ = rx.await;
                })
                .await
                .expect("server");
        });
        TestApp {
            base: format!("http://{addr}"),
            db_url,
            state,
            fixture,
            data_dir,
            shutdown: Some(tx),
            server: Some(handle),
            _pg: pg,
        }
    }

    /// Where this server keeps its uploaded files (and its SQLite database).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A visitor who is not signed in (with the anonymous session a form page gives).
    pub async fn anonymous(&self) -> Browser {
        let mut b = Browser::new(&self.base);
        let page = b.get("/sign-in").await;
        assert_eq!(page.status(), StatusCode::OK);
        b.csrf = Some(csrf_from(&page.text().await.expect("body")));
        b
    }

    /// A visitor with no cookies at all.
    pub fn stranger(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser signed in as `who` through the sign-in form.
    pub async fn login_as(&self, who: Who) -> Browser {
        self.login_with(who.username(), PASSWORD).await
    }

    pub async fn login_with(&self, login: &str, password: &str) -> Browser {
        Browser::signed_in(&self.base, login, password).await
    }

    /// Number of audit records (to prove a refused request changed nothing).
    pub async fn audit_count(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM audit_log").await
    }

    /// Run a statement the test needs (arranging a fixture).
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql).execute(self.state.db.pool()).await.expect("statement");
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(self.state.db.pool()).await.expect(sql);
        n
    }

    /// `scalar` for a query that may fail until background work has run (e.g. a table the
    /// database creates on its first ANALYZE): the error reads as "not yet".
    pub async fn scalar_if_ready(&self, sql: &str) -> Option<i64> {
        sqlx::query_as::<_, (i64,)>(sql).fetch_one(self.state.db.pool()).await.ok().map(|r| r.0)
    }

    pub async fn text(&self, sql: &str) -> Option<String> {
        let row: Option<(String,)> = sqlx::query_as(sql).fetch_optional(self.state.db.pool()).await.expect(sql);
        row.map(|r| r.0)
    }

    /// Wait (up to 10 s) until no background job is queued, running what is due meanwhile:
    /// the server's own worker may have claimed a job already, so running is not enough.
    pub async fn settle_jobs(&self) {
        for _ in 0..200 {
            self.run_jobs().await;
            let due = format!(
                "SELECT COUNT(*) FROM job WHERE status = 'queued' AND run_at <= {}",
                huiyuan::storage::now_ms()
            );
            if self.scalar(&due).await == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("background jobs still queued after 10 s");
    }

    /// Run the due background jobs now (the worker would within seconds).
    pub async fn run_jobs(&self) -> usize {
        huiyuan::jobs::worker::run_pending(&self.state).await.expect("jobs")
    }

    /// The newest message in the outbox to `to`: (subject, text body).
    pub async fn last_mail_to(&self, to: &str) -> Option<(String, String)> {
        sqlx::query_as("SELECT subject, body_text FROM mail_message WHERE to_address = $1 ORDER BY id DESC LIMIT 1")
            .bind(to)
            .fetch_optional(self.state.db.pool())
            .await
            .expect("mail")
    }

    /// One of the fixture's people as the policy sees them.
    pub async fn actor(&self, who: Who) -> huiyuan::auth::Actor {
        let mut conn = self.state.db.pool().acquire().await.expect("conn");
        auth_store::load_actor(&mut conn, self.fixture.user(who)).await.expect("actor").expect("active")
    }

    /// A city node below 太原市 that nothing refers to (deletable), made by the secretariat.
    pub async fn add_county(&self, code: &str, name: &str) -> OrgId {
        let sec = self.actor(Who::Secretariat).await;
        let input = huiyuan::orgs::OrgInput {
            parent_id: self.fixture.taiyuan.to_string(),
            code: code.into(),
            name: name.into(),
            short_name: name.chars().take(3).collect(),
            sort_order: String::new(),
        };
        let who = huiyuan::audit::Who::system("test");
        huiyuan::orgs::service::create(&self.state, &sec, &who, &input).await.expect("create").expect("valid").id
    }

    /// A notice through the service (a draft unless `publish`), by the secretariat.
    pub async fn add_notice(&self, title: &str, publish: bool) -> NoticeId {
        let sec = self.actor(Who::Secretariat).await;
        let input = huiyuan::notices::model::NoticeInput {
            title: title.into(),
            body: format!("{title}的正文。"),
            intent: if publish { "publish".into() } else { String::new() },
            ..Default::default()
        };
        let who = huiyuan::audit::Who::system("test");
        huiyuan::notices::service::create(&self.state, &sec, &who, &input).await.expect("create").expect("valid").id
    }

    /// Give `who` an extra role (returns the grant).
    pub async fn grant(&self, who: Who, role: Role, org: OrgId) -> GrantId {
        let mut conn = self.state.db.pool().acquire().await.expect("conn");
        auth_store::insert_grant(&mut conn, self.fixture.user(who), role, org, None)
            .await
            .expect("grant")
            .expect("new grant")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.server.take() {
            handle.abort();
        }
        // The PostgreSQL database (if any) goes with the `pg` field, after the server.
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Drop the database from a thread of its own: Drop cannot await, and the test's
        // runtime is blocked here. WITH (FORCE) ends the server's open connections.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(admin) = Db::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(admin.pool())
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// An empty database of the suite's kind (a fresh PostgreSQL database, dropped with the
/// guard, or a SQLite file in `dir`): its URL and the guard.
pub async fn empty_database(dir: &std::path::Path) -> (String, Option<impl Drop>) {
    database_url(dir).await
}

/// One account per role (the system administrator comes from the first run).
async fn seed(db: &Db) -> Fixture {
    let mut conn = db.pool().acquire().await.expect("conn");
    let root = huiyuan::orgs::store::root(&mut conn).await.expect("root").id;
    let taiyuan = huiyuan::orgs::store::find_by_code(&mut conn, "140100").await.expect("q").expect("taiyuan").id;
    let datong = huiyuan::orgs::store::find_by_code(&mut conn, "140200").await.expect("q").expect("datong").id;
    let admin = auth_store::find_by_login(&mut conn, "admin").await.expect("q").expect("admin").id;
    let mut users = vec![(Who::Sysadmin, admin)];
    let people = [
        (Who::Secretariat, "崔捷", "cuijie@example.org", "13700000001", Role::Secretariat, root),
        (Who::Council, "王建国", "wangjianguo@example.org", "13700000002", Role::Council, root),
        (Who::Taiyuan, "李明", "liming@example.org", "13700000003", Role::CityAdmin, taiyuan),
        (Who::Datong, "赵敏", "zhaomin@example.org", "13700000004", Role::CityAdmin, datong),
        (Who::Teacher, "张伟", "zhangwei@example.org", "13800138000", Role::Member, root),
    ];
    for (who, name, email, mobile, role, org) in people {
        let id = auth_store::insert_user(
            &mut conn,
            &auth_store::NewUser {
                username: who.username(),
                email: Some(email),
                mobile: Some(mobile),
                display_name: name,
                password_hash: password_hash(),
                locale: "zh-CN",
            },
        )
        .await
        .expect("user");
        auth_store::insert_grant(&mut conn, id, role, org, None).await.expect("grant");
        users.push((who, id));
    }
    Fixture { root, taiyuan, datong, users }
}

/// Pull the CSRF token out of a page's hidden field.
pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("page has a CSRF field");
    let end = html[start..].find('"').expect("field ends") + start;
    html[start..end].to_string()
}

/// A browser: keeps cookies, does not follow redirects, knows its CSRF token.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Browser { client, base: base.to_string(), csrf: None }
    }

    /// A browser signed in at the server `base` through the sign-in form.
    pub async fn signed_in(base: &str, login: &str, password: &str) -> Browser {
        let mut b = Browser::new(base);
        let page = b.get("/sign-in").await;
        assert_eq!(page.status(), StatusCode::OK);
        b.csrf = Some(csrf_from(&page.text().await.expect("body")));
        let resp = b.post_form("/sign-in", &[("login", login), ("password", password)]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "sign-in as {login} failed");
        let me = b.get("/me").await;
        assert_eq!(me.status(), StatusCode::OK);
        b.csrf = Some(csrf_from(&me.text().await.expect("body")));
        b
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")
    }

    /// GET and return (status, body).
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.text().await.expect("body"))
    }

    /// POST a url-encoded form with the session's CSRF token, as a page would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(t) = &self.csrf {
            all.push(("csrf_token", t));
        }
        self.post_form_raw(path, &all).await
    }

    /// POST a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).form(fields).send().await.expect("POST")
    }

    /// POST a multipart upload (CSRF token in the query, as the page's form does).
    /// Upload a file with other form fields beside it.
    pub async fn upload_with(&self, path: &str, fields: &[(&str, &str)], file_name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let form = form.part("file", part);
        let url = format!("{}{path}?csrf_token={}", self.base, self.csrf.clone().unwrap_or_default());
        self.client.post(url).multipart(form).send().await.expect("upload")
    }

    pub async fn upload(&self, path: &str, file_name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        let url = format!("{}{path}?csrf_token={}", self.base, self.csrf.clone().unwrap_or_default());
        self.client.post(url).multipart(form).send().await.expect("upload")
    }

    fn api_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(t) = &self.csrf {
            h.insert("x-csrf-token", HeaderValue::from_str(t).expect("header"));
        }
        h
    }

    /// An API call with a JSON body (and the CSRF header when the session has a token).
    pub async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).headers(self.api_headers());
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("API call")
    }
}

/// `Location` of a redirect.
pub fn location(resp: &Response) -> String {
    resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// Assert a 303 to `to` (a prefix).
pub fn assert_redirect(resp: &Response, to: &str) {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "expected a redirect to {to}");
    let loc = location(resp);
    assert!(loc.starts_with(to), "redirected to {loc}, expected {to}");
}

/// The new members by city, kind and month that the database keeps equal those counted from
/// the members themselves, this year and last year, for every city.
pub async fn assert_kept_enrolments_match(app: &TestApp) {
    use huiyuan::targets::progress::{enrolments, enrolments_counted};
    let offset = app.state.settings.locale.utc_offset();
    let year = app.state.settings.locale.today().year();
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let cities: Vec<(OrgId,)> =
        sqlx::query_as("SELECT id FROM org WHERE level = 'city'").fetch_all(&mut *conn).await.unwrap();
    let cities: Vec<OrgId> = cities.into_iter().map(|c| c.0).collect();
    for y in [year - 1, year] {
        let kept = enrolments(&mut conn, y, offset, &cities).await.unwrap();
        let counted = enrolments_counted(&mut conn, y, offset, &cities).await.unwrap();
        for city in &cities {
            assert_eq!(
                kept.get(city).copied().unwrap_or_default(),
                counted.get(city).copied().unwrap_or_default(),
                "{y}, city {city:?}"
            );
        }
    }
}

/// Wait until `check` holds (background work), at most 10 s.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A minimal SMTP server that accepts every message and keeps it (for mail tests).
pub struct FakeSmtp {
    pub port: u16,
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    handle: tokio::task::JoinHandle<()>,
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        FakeSmtp::serve(listener)
    }

    /// Serve on an already-bound listener (to come up on a known port later).
    pub fn serve(listener: tokio::net::TcpListener) -> FakeSmtp {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let port = listener.local_addr().expect("addr").port();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let store = messages.clone();
        let handle = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 fake.smtp ESMTP\r\n").await;
                    let mut in_data = false;
                    let mut data = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            if line == "." {
                                in_data = false;
                                store.lock().expect("lock").push(std::mem::take(&mut data));
                                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                            } else {
                                data.push_str(&line);
                                data.push('\n');
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250-fake.smtp\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("DATA") {
                            in_data = true;
                            b"354 end with .\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        FakeSmtp { port, messages, handle }
    }

    pub fn received(&self) -> Vec<String> {
        self.messages.lock().expect("lock").clone()
    }
}

impl Drop for FakeSmtp {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// A local port nothing listens on (yet).
pub fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Settings for a plain SMTP server on this machine.
pub fn smtp_at(port: u16) -> huiyuan::config::SmtpSettings {
    toml::from_str(&format!("host = \"127.0.0.1\"\nport = {port}\ntls = \"none\"")).expect("smtp settings")
}

/// Some bytes of a real (tiny) PDF.
pub fn tiny_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A valid resident ID number for a birth date (YYYYMMDD) and sequence (odd: a man).
pub fn resident_id(region: &str, birth: &str, seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("{region}{birth}{seq:03}");
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

/// A complete individual form (as the page posts it) for a city (org id or "direct").
pub fn individual_form(name: &str, id_number: &str, city: &str) -> Vec<(String, String)> {
    let birth = &id_number[6..14];
    let male = (id_number.as_bytes()[16] - b'0') % 2 == 1;
    [
        ("name", name),
        ("gender", if male { "male" } else { "female" }),
        ("birth_date", &format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..])),
        ("ethnicity", "汉族"),
        ("political_status", "群众"),
        ("id_type", "resident_id"),
        ("id_number", id_number),
        ("education", "本科"),
        ("degree", "学士"),
        ("title", "中学一级教师"),
        ("post", "科技辅导员"),
        ("employer", "太原市第五中学"),
        ("in_service", "in_service"),
        ("subject", "物理"),
        ("years", "8"),
        ("mobile", "13912345678"),
        ("email", "applicant@example.org"),
        ("address", "太原市小店区坞城路1号"),
        ("postcode", "030006"),
        ("city", city),
        ("category", "ordinary"),
        ("achievements", "指导学生获全国青少年科技创新大赛二等奖。"),
        ("awards", "2024年山西省优秀科技辅导员"),
        ("consent", "yes"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl Browser {
    /// POST pairs as a form (with the CSRF token).
    pub async fn post_pairs(&self, path: &str, pairs: &[(String, String)]) -> Response {
        let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post_form(path, &fields).await
    }
}

impl TestApp {
    /// `who` submits an individual application to 太原市; returns its id.
    pub async fn submitted_application(&self, who: Who, name: &str, id_number: &str) -> i64 {
        let b = self.login_as(who).await;
        let mut form = individual_form(name, id_number, &self.fixture.taiyuan.to_string());
        form.push(("intent".into(), "submit".into()));
        let r = b.post_pairs("/apply/individual", &form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "submitting {name}");
        location(&r).rsplit('/').next().unwrap().parse().unwrap()
    }
}

/// The city's review ticks (all four conditions).
pub const TICKS_CITY: [(&str, &str); 4] = [("tick", "0"), ("tick", "1"), ("tick", "2"), ("tick", "3")];

impl TestApp {
    /// An application of `who` to 太原市, recommended by the city.
    pub async fn recommended_application(&self, who: Who, name: &str, id_number: &str) -> i64 {
        let id = self.submitted_application(who, name, id_number).await;
        let taiyuan = self.login_as(Who::Taiyuan).await;
        let mut fields = vec![("action", "recommend"), ("note", "同意推荐")];
        fields.extend(TICKS_CITY);
        let r = taiyuan.post_form(&format!("/admin/applications/{id}/decision"), &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        id
    }

    /// Recommended, put in a batch of its own and forwarded to the province.
    pub async fn forwarded_application(&self, who: Who, name: &str, id_number: &str) -> i64 {
        let id = self.recommended_application(who, name, id_number).await;
        let city = self.login_as(Who::Taiyuan).await;
        let b = create_batch(&city, &format!("第{id}批"), &[id]).await;
        let r = city.post_form(&format!("/admin/batches/{b}/forward"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        id
    }

    /// Forwarded and filed by the secretariat: ready for the council.
    pub async fn filed_application(&self, who: Who, name: &str, id_number: &str) -> i64 {
        let id = self.forwarded_application(who, name, id_number).await;
        file_dossier(&self.login_as(Who::Secretariat).await, id).await;
        id
    }
}

/// The city gathers `apps` into a batch; returns its id.
pub async fn create_batch(city: &Browser, name: &str, apps: &[i64]) -> i64 {
    let ids: Vec<String> = apps.iter().map(|a| a.to_string()).collect();
    let mut fields = vec![("name", name)];
    fields.extend(ids.iter().map(|i| ("app", i.as_str())));
    let r = city.post_form("/admin/batches", &fields).await;
    assert_redirect(&r, "/admin/batches/");
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

/// The secretariat files a forwarded application (all three dossier items, three copies).
pub async fn file_dossier(sec: &Browser, id: i64) {
    let r = sec
        .post_form(
            &format!("/admin/applications/{id}/dossier"),
            &[("tick", "0"), ("tick", "1"), ("tick", "2"), ("copies", "3"), ("action", "file")],
        )
        .await;
    assert_redirect(&r, &format!("/admin/applications/{id}"));
}

/// The secretariat calls a meeting with these attendees and agenda; returns its id.
pub async fn call_meeting(sec: &Browser, mode: &str, attendees: &[i64], agenda: &[i64]) -> i64 {
    let people: Vec<String> = attendees.iter().map(|a| a.to_string()).collect();
    let items: Vec<String> = agenda.iter().map(|a| a.to_string()).collect();
    let mut fields = vec![("held_on", "2026-12-05"), ("session", "第五届常务理事会第三次会议"), ("mode", mode)];
    fields.extend(people.iter().map(|p| ("attendee", p.as_str())));
    fields.extend(items.iter().map(|i| ("agenda", i.as_str())));
    let r = sec.post_form("/admin/council", &fields).await;
    assert_redirect(&r, "/admin/council/");
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

/// The text of a PDF, as `pdftotext` reads it (poppler-utils; `scripts/test` installs it).
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The QR codes on the first page of a PDF, as a phone would read them (pdftoppm + zbarimg).
pub fn pdf_qr_codes(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("doc.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", "1"])
        .arg(&pdf)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (apt-get install poppler-utils)");
    assert!(status.success());
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(dir.path().join("page.png"))
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Every string in an .xlsx workbook (its shared strings), to check what it says.
pub fn xlsx_strings(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an .xlsx is a zip archive");
    let mut text = String::new();
    zip.by_name("xl/sharedStrings.xml").expect("shared strings").read_to_string(&mut text).unwrap();
    text
}

/// Keep a generated document under `target/samples/` for people to look at.
pub fn keep_sample(name: &str, bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/samples");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(name), bytes);
}

/// A member to put straight into the registry (as an import would).
pub struct NewMemberSpec<'a> {
    pub name: &'a str,
    pub org: Option<huiyuan::storage::OrgId>,
    pub kind: &'a str,
    pub category: &'a str,
    pub employer: &'a str,
    pub mobile: &'a str,
    pub id_number: &'a str,
    pub user: Option<UserId>,
}

impl Default for NewMemberSpec<'_> {
    fn default() -> Self {
        NewMemberSpec {
            name: "",
            org: None,
            kind: "individual",
            category: "ordinary",
            employer: "",
            mobile: "",
            id_number: "",
            user: None,
        }
    }
}

impl TestApp {
    /// Put a member into the registry with the next number of its city; returns (id, number).
    pub async fn add_member(&self, spec: NewMemberSpec<'_>) -> (i64, String) {
        use huiyuan::members::{numbering, store};
        let s = &self.state.settings;
        let mut tx = self.state.db.begin().await.unwrap();
        let code = match spec.org {
            Some(org) => Some(huiyuan::orgs::store::find(&mut tx, org).await.unwrap().unwrap().code),
            None => None,
        };
        let unit = s.number_unit(code.as_deref()).unwrap();
        let class = s.category(spec.category).unwrap().number_class.clone();
        let number = numbering::allocate(&mut tx, s, unit, &class).await.unwrap();
        let key = (!spec.id_number.is_empty()).then(|| format!("resident_id:{}", spec.id_number));
        let id = store::insert(
            &mut tx,
            &store::NewMember {
                kind: spec.kind,
                number: &number,
                name: spec.name,
                category: spec.category,
                org_id: spec.org,
                application_id: None,
                user_id: spec.user,
                identity_key: key.as_deref(),
                resolution: "",
                details: store::Details {
                    id_number: spec.id_number.to_string(),
                    mobile: spec.mobile.to_string(),
                    employer: spec.employer.to_string(),
                    ..store::Details::default()
                },
            },
            "2026-11-29",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        (id.0, number)
    }
}

/// What a filtered list says when nothing matches (`list.no_match`).
pub const NO_MATCH: &str = "暂无数据：没有符合条件的记录，可调整查询条件后再试";

/// A second `huiyuan serve` process on the same database; killed when dropped.
pub struct SecondServer {
    child: std::process::Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl SecondServer {
    pub fn start(db_url: &str) -> SecondServer {
        use std::io::{BufRead, BufReader};
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_huiyuan"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", db_url, "--data-dir"])
            .arg(dir.path())
            .env("HUIYUAN_LOG", "warn")
            .env_remove("HUIYUAN_CONFIG")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start a second huiyuan");
        let stdout = child.stdout.take().unwrap();
        let mut base = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                base = rest.split_whitespace().next().unwrap().to_string();
                break;
            }
        }
        assert!(base.starts_with("http://"), "the second server did not start");
        SecondServer { child, base, _dir: dir }
    }
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A script with someone's personal API token.
pub struct Script {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Script {
    /// The bytes of a GET (downloads).
    pub async fn bytes(&self, path: &str) -> (reqwest::StatusCode, Vec<u8>) {
        let r = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    pub async fn of(app: &TestApp, who: Who) -> Script {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let (token, _) = huiyuan::auth::tokens::create(&mut conn, app.fixture.user(who), "接口测试").await.unwrap();
        Script { client: reqwest::Client::new(), base: app.url(""), token }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (reqwest::StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("API call");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn raw(&self, method: reqwest::Method, path: &str, body: &str) -> (reqwest::StatusCode, Value) {
        let r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// The first worksheet's XML (strings are inline in a constant-memory workbook).
pub fn xlsx_sheet(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut text).unwrap();
    text
}
