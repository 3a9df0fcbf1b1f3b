//! Keep it so: every page each demo account reaches, at 375 px and at 1280 px, in Chinese and
//! in English, against what a person on a phone or at a desk would notice — sideways
//! scrolling, tap targets under 44 × 44 px on a phone (inline links in running text aside),
//! text under 12 px, inputs under 16 px on a phone (the phone zooms in), text clipped by or
//! standing out of its box, and Chinese on an English page outside names, addresses and what
//! people typed. The pages are found by following links from each account's home, one page of
//! each shape (`/admin/members/{n}` once, a list once whatever its filters); a screenshot of
//! each is kept under `target/screenshots/tour/`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use sqlx::{Column, Row};

use super::rig::{DEMO_PASSWORD, Rig, screenshot_dir};

const CHECKS: &str = include_str!("checks.js");

/// Pages of one account, at most (the demo's accounts reach fewer).
const MOST_PAGES: usize = 80;

/// The demo's accounts (and a visitor), each with where they start.
const ACCOUNTS: [(&str, &str); 8] = [
    ("", "/"),
    ("teacher", "/me"),
    ("applicant", "/me"),
    ("chenjing", "/me"),
    ("taiyuan", "/admin"),
    ("datong", "/admin"),
    ("secretariat", "/admin"),
    ("council", "/admin"),
];

/// What a link is, for visiting each kind of page once: its path with numbers as `{n}`, and
/// its query's names (not their values).
fn shape(path: &str, query: Option<&str>) -> String {
    let mut out = String::new();
    let mut digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push_str("{n}");
            }
            digits = true;
        } else {
            digits = false;
            out.push(c);
        }
    }
    let mut names: Vec<&str> = query.unwrap_or("").split('&').filter_map(|p| p.split('=').next()).collect();
    names.retain(|n| !n.is_empty());
    names.sort_unstable();
    names.dedup();
    if !names.is_empty() {
        out.push('?');
        out.push_str(&names.join("&"));
    }
    out
}

/// Links not to follow: files, other sites, switching language, the API.
fn skipped(path: &str) -> bool {
    const FILES: [&str; 10] = [".pdf", ".xlsx", ".zip", ".csv", ".json", ".txt", ".png", ".svg", ".js", ".ics"];
    FILES.iter().any(|e| path.ends_with(e))
        || ["/lang/", "/static/", "/api/", "/metrics", "/health", "/sign-out", "/download"]
            .iter()
            .any(|p| path.starts_with(p))
        || path.contains("/files/")
}

/// Every text the database holds (names, addresses, titles, what people typed): the words that
/// may stay Chinese on an English page.
async fn user_data(rig: &Rig) -> String {
    let db = huiyuan::storage::Db::connect(&huiyuan::storage::Db::default_url(rig.data_dir.path())).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut out = String::new();
    for (table,) in tables {
        for row in sqlx::query(&format!("SELECT * FROM \"{table}\"")).fetch_all(db.pool()).await.unwrap() {
            for column in row.columns() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(column.ordinal()) {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
        }
    }
    db.close().await;
    // The association's address and contacts are data too (the settings keep no English form
    // of an address).
    let settings = huiyuan::config::Settings::load(None).unwrap();
    out.push_str(&settings.association.address);
    for c in &settings.association.contacts {
        out.push('\n');
        out.push_str(c);
    }
    out
}

/// Follow the links from `start`, visiting each shape of page once; answer the paths.
async fn pages(rig: &Rig, start: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_string()]);
    let mut found = Vec::new();
    seen.insert(shape(start, None));
    while let Some(path) = queue.pop_front() {
        if found.len() >= MOST_PAGES {
            break;
        }
        rig.open(&path).await;
        let landed = rig.browser.current_url().await.unwrap();
        if landed.path() == "/sign-in" && !path.starts_with("/sign-in") {
            continue;
        }
        found.push(path);
        let links = rig
            .browser
            .execute("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);", vec![])
            .await
            .unwrap();
        for link in links.as_array().unwrap() {
            let Ok(url) = landed.join(link.as_str().unwrap_or("")) else { continue };
            if url.origin() != landed.origin() || skipped(url.path()) {
                continue;
            }
            if seen.insert(shape(url.path(), url.query())) {
                let mut next = url.path().to_string();
                if let Some(q) = url.query() {
                    next.push('?');
                    next.push_str(q);
                }
                queue.push_back(next);
            }
        }
    }
    found
}

fn file_name(account: &str, lang: &str, width: u32, path: &str) -> String {
    let who = if account.is_empty() { "visitor" } else { account };
    let page: String =
        path.trim_start_matches('/').chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("tour/{who}-{lang}-{width}-{}", if page.is_empty() { "home" } else { &page })
}

async fn switch_language(rig: &Rig, signed_in: bool, to: &str) {
    if signed_in {
        rig.open("/me/settings").await;
        rig.browser
            .execute(&format!("document.querySelector('.account button[name=lang][value=\"{to}\"]').click()"), vec![])
            .await
            .unwrap();
        rig.wait_path("/me/settings").await;
    } else {
        rig.open(&format!("/lang/{to}?next=/")).await;
    }
}

#[tokio::test]
async fn every_page_each_demo_account_reaches_holds_at_both_widths_in_both_languages() {
    let rig = Rig::start().await;
    std::fs::create_dir_all(screenshot_dir().join("tour")).unwrap();
    let data = serde_json::Value::String(user_data(&rig).await);
    let mut findings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut visited = 0;
    for (account, start) in ACCOUNTS {
        if !account.is_empty() {
            rig.sign_in(account, DEMO_PASSWORD).await;
            rig.wait_path(start).await;
        }
        rig.width(1280, 900).await;
        let paths = pages(&rig, start).await;
        for lang in ["zh", "en"] {
            if lang == "en" {
                switch_language(&rig, !account.is_empty(), "en").await;
            }
            for width in [375, 1280] {
                for path in &paths {
                    // The screenshot of the page before made the window as tall as it was.
                    rig.width(width, 812).await;
                    rig.open(path).await;
                    visited += 1;
                    let answer = rig.browser.execute(CHECKS, vec![data.clone()]).await.unwrap();
                    let list: Vec<String> = serde_json::from_value(answer).unwrap();
                    rig.full_shot(&file_name(account, lang, width, path), width).await;
                    for f in list {
                        let who = if account.is_empty() { "visitor" } else { account };
                        findings.entry(f).or_default().push(format!("{who} {lang} {width} {path}"));
                    }
                }
            }
        }
        switch_language(&rig, !account.is_empty(), "zh-CN").await;
        if !account.is_empty() {
            rig.sign_out().await;
        }
    }
    let report: Vec<String> = findings
        .iter()
        .map(|(f, wheres)| {
            format!(
                "{f}\n    on {} page(s), e.g. {}",
                wheres.len(),
                wheres.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            )
        })
        .collect();
    std::fs::write(screenshot_dir().join("tour/findings.txt"), report.join("\n")).unwrap();
    assert!(visited > 200, "only {visited} page views: the tour did not get far");
    assert!(report.is_empty(), "{} finding(s) over {visited} page views:\n{}", report.len(), report.join("\n"));
    rig.stop().await;
}
