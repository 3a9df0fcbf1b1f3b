//! The rig the browser tests drive: the real `huiyuan` binary (`serve --demo` on SQLite),
//! a chromedriver and a headless Chromium session, with the steps a person takes.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub const DEMO_PASSWORD: &str = huiyuan::bootstrap::DEMO_PASSWORD;

/// A running huiyuan with the demo data, a chromedriver and a browser session.
pub struct Rig {
    pub base: String,
    pub browser: Client,
    pub data_dir: tempfile::TempDir,
    pub server: Child,
    pub driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Rig {
    pub async fn start() -> Rig {
        let data_dir = tempfile::tempdir().unwrap();
        let mut server = Command::new(env!("CARGO_BIN_EXE_huiyuan"))
            .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir.path())
            .env("HUIYUAN_ADMIN_PASSWORD", "kexue-jiaoyu-2026")
            .env("HUIYUAN_LOG", "warn")
            .env_remove("HUIYUAN_DATABASE_URL")
            .env_remove("HUIYUAN_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start huiyuan");
        let stdout = server.stdout.take().unwrap();
        let mut base = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                base = rest.split_whitespace().next().unwrap().to_string();
                break;
            }
        }
        assert!(base.starts_with("http://"), "huiyuan did not start");

        let port = free_port();
        // In a process group of its own, so that a failed test takes the browser down with it.
        let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (apt-get install chromium-driver)");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    "--window-size=1280,900", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let started = Instant::now();
        let browser = loop {
            let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start a Chromium session: {e}"),
            }
        };
        Rig { base, browser, data_dir, server, driver, _profile: profile }
    }

    pub async fn open(&self, path: &str) {
        self.browser.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    pub async fn width(&self, width: u32, height: u32) {
        self.browser.set_window_size(width, height).await.unwrap();
    }

    pub async fn shot(&self, name: &str) {
        let png = self.browser.screenshot().await.unwrap();
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
    }

    /// The text of the first element matching `css`, waiting (up to 10 s) for it to appear.
    /// A page that navigates away between finding the element and reading it (a form just
    /// submitted) is read again once the next page is there.
    pub async fn text(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let el = self.browser.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap();
            match el.text().await {
                Ok(text) => return text,
                Err(_) if started.elapsed() < Duration::from_secs(10) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("reading {css}: {e}"),
            }
        }
    }

    /// Wait (up to 10 s) for a navigation to land on a path ending with `suffix`.
    pub async fn wait_path(&self, suffix: &str) {
        let started = Instant::now();
        loop {
            let path = self.browser.current_url().await.unwrap().path().to_string();
            if path.ends_with(suffix) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "expected to reach {suffix}, still on {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn fill(&self, id: &str, text: &str) {
        let el = self.browser.find(Locator::Id(id)).await.unwrap();
        if el.attr("type").await.unwrap().as_deref() == Some("date") {
            // What a person picks from the calendar (typing follows the browser's locale).
            let script =
                format!("document.getElementById({}).value = arguments[0]", serde_json::to_string(id).unwrap());
            self.browser.execute(&script, vec![serde_json::json!(text)]).await.unwrap();
            return;
        }
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    pub async fn choose(&self, id: &str, value: &str) {
        self.browser.find(Locator::Id(id)).await.unwrap().select_by_value(value).await.unwrap();
    }

    /// Scroll an element to the middle of the screen (as a person would, clear of the sticky
    /// submit bar) and click it.
    pub async fn click(&self, css: &str) {
        let script = format!(
            "document.querySelector({}).scrollIntoView({{block: 'center'}})",
            serde_json::to_string(css).unwrap()
        );
        self.browser.execute(&script, vec![]).await.unwrap();
        self.browser.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    pub async fn value(&self, id: &str) -> String {
        self.browser.find(Locator::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
    }

    pub async fn body(&self) -> String {
        self.text("body").await
    }

    pub async fn sign_in(&self, login: &str, password: &str) {
        self.open("/sign-in").await;
        self.browser.find(Locator::Id("login")).await.unwrap().send_keys(login).await.unwrap();
        self.browser.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
        self.browser.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    }

    /// (viewport width, document width): equal when nothing scrolls sideways.
    pub async fn widths(&self) -> (i64, i64) {
        let v = self
            .browser
            .execute("return [window.innerWidth, Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)];", vec![])
            .await
            .unwrap();
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    }

    pub async fn assert_no_horizontal_scroll(&self, what: &str) {
        let (viewport, document) = self.widths().await;
        assert!(document <= viewport, "{what}: the page is {document} px wide in a {viewport} px window");
    }

    pub async fn org_id(&self, code: &str) -> i64 {
        let db = huiyuan::storage::Db::connect(&huiyuan::storage::Db::default_url(self.data_dir.path())).await.unwrap();
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM org WHERE code = $1").bind(code).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        id
    }

    pub async fn sign_out(&self) {
        self.browser.find(Locator::XPath("//button[text()='退出']")).await.unwrap().click().await.unwrap();
        self.wait_path("/").await;
    }

    /// Answer the page's confirmation questions with yes (as the person clicking would).
    pub async fn confirm_yes(&self) {
        self.browser.execute("window.confirm = function () { return true; };", vec![]).await.unwrap();
    }

    /// Tick every checkbox under `css`.
    pub async fn tick_all(&self, css: &str) {
        let script = format!(
            "document.querySelectorAll({}).forEach(function (b) {{ if (!b.checked) b.click(); }})",
            serde_json::to_string(css).unwrap()
        );
        self.browser.execute(&script, vec![]).await.unwrap();
    }

    /// A screenshot at desktop width and one at 375 px (checking nothing scrolls sideways).
    pub async fn both_widths(&self, name: &str) {
        let url = self.browser.current_url().await.unwrap();
        self.width(1280, 900).await;
        self.browser.goto(url.as_str()).await.unwrap();
        self.full_shot(&format!("{name}-desktop"), 1280).await;
        self.width(375, 812).await;
        self.browser.goto(url.as_str()).await.unwrap();
        self.assert_no_horizontal_scroll(url.path()).await;
        self.full_shot(&format!("{name}-375"), 375).await;
        self.width(1280, 900).await;
    }

    /// A screenshot of the whole page: the window is made as tall as the document first.
    pub async fn full_shot(&self, name: &str, width: u32) {
        let height = self.browser.execute("return document.documentElement.scrollHeight;", vec![]).await.unwrap();
        let height = u32::try_from(height.as_u64().unwrap_or(900)).unwrap_or(900).clamp(600, 6000);
        self.width(width, height).await;
        self.shot(name).await;
    }

    pub async fn stop(self) {
        let _ = self.browser.clone().close().await;
    }
}

impl Drop for Rig {
    /// Also on a failed assertion: no server or driver outlives its test.
    fn drop(&mut self) {
        // The driver's whole group: Chromium and its helpers too.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.driver.id())]).status();
        let _ = self.driver.kill();
        let _ = self.server.kill();
        let _ = self.driver.wait();
        let _ = self.server.wait();
    }
}
