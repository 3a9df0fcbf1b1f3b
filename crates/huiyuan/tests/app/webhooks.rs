//! Webhooks: a receiving HTTP server on the loopback hears signed events after the change
//! commits, only within its subscription's scope, again after a failure; a receiver that is
//! down fails the delivery, never the person's action; bad addresses are refused.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path as AxPath, State as AxState};
use axum::http::{HeaderMap, StatusCode as AxStatus};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::*;

/// What the receiver was sent: (path, headers, body).
type Received = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

/// A receiver on the loopback: `/{name}` answers 500 for the first `fail_first` requests to a
/// name starting with `flaky`, 200 otherwise.
struct Receiver {
    base: String,
    got: Received,
}

async fn receiver() -> Receiver {
    let got: Received = Arc::default();
    let app = axum::Router::new()
        .route(
            "/{name}",
            axum::routing::post(|AxState(got): AxState<Received>, AxPath(name): AxPath<String>, headers: HeaderMap, body: Bytes| async move {
                let mut seen = got.lock().unwrap();
                let before = seen.iter().filter(|(p, _, _)| *p == name).count();
                seen.push((name.clone(), headers, String::from_utf8_lossy(&body).into_owned()));
                if name.starts_with("flaky") && before == 0 { AxStatus::INTERNAL_SERVER_ERROR } else { AxStatus::OK }
            }),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { base, got }
}

impl Receiver {
    fn to(&self, name: &str) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().iter().filter(|(p, _, _)| p == name).map(|(_, h, b)| (h.clone(), b.clone())).collect()
    }
}

fn valid_signature(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let ts = headers["x-huiyuan-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    headers["x-huiyuan-signature"].to_str().unwrap() == format!("sha256={expected}")
}

async fn subscribe(script: &Script, url: String, events: &[&str]) -> (i64, String) {
    let (s, r) = script.post("/api/v1/webhooks", json!({"url": url, "events": events})).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    (r["webhook"]["id"].as_i64().unwrap(), r["secret"].as_str().unwrap().to_string())
}

/// Make every waiting retry due, then run the queue.
async fn retry_now(app: &TestApp) {
    app.exec("UPDATE job SET run_at = 0 WHERE kind = 'webhook.deliver' AND status = 'queued'").await;
    app.settle_jobs().await;
}

#[tokio::test]
async fn each_subscriber_hears_its_own_scope_signed_and_again_after_a_failure() {
    let app = TestApp::spawn().await;
    let rx = receiver().await;
    let events = ["application.status_changed", "member.status_changed"];
    let (province, province_secret) =
        subscribe(&Script::of(&app, Who::Secretariat).await, format!("{}/flaky-province", rx.base), &events).await;
    let (_, taiyuan_secret) =
        subscribe(&Script::of(&app, Who::Taiyuan).await, format!("{}/taiyuan", rx.base), &events).await;
    subscribe(&Script::of(&app, Who::Datong).await, format!("{}/datong", rx.base), &events).await;

    // A teacher hands in an application to 太原市.
    let id = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    app.settle_jobs().await;

    let heard = rx.to("taiyuan");
    assert_eq!(heard.len(), 1, "the city's subscriber hears its city's application");
    let (headers, body) = &heard[0];
    assert!(valid_signature(&taiyuan_secret, headers, body), "signed with the city's secret");
    assert!(!valid_signature(&province_secret, headers, body));
    assert_eq!(headers["x-huiyuan-event"], "application.status_changed");
    let sent: Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent["event"], "application.status_changed");
    assert_eq!(sent["data"]["application_id"], id);
    assert_eq!((sent["data"]["from"].as_str(), sent["data"]["to"].as_str()), (Some("draft"), Some("submitted")));
    assert!(!body.contains("140105"), "no ID number goes out: {body}");
    assert!(rx.to("datong").is_empty(), "another city's subscriber hears nothing of it");

    // The province's receiver failed the first time: kept as pending with the answer, then
    // delivered by the retry.
    assert_eq!(rx.to("flaky-province").len(), 1);
    let sec = Script::of(&app, Who::Secretariat).await;
    let (_, list) = sec.get(&format!("/api/v1/webhooks/{province}/deliveries")).await;
    let first = &list["items"][0];
    assert_eq!((first["status"].as_str(), first["response_code"].as_i64()), (Some("pending"), Some(500)));
    assert_eq!(first["attempts"], 1);
    retry_now(&app).await;
    let again = rx.to("flaky-province");
    assert_eq!(again.len(), 2);
    assert!(valid_signature(&province_secret, &again[1].0, &again[1].1));
    let (_, list) = sec.get(&format!("/api/v1/webhooks/{province}/deliveries")).await;
    assert_eq!(list["items"][0]["status"], "delivered");
    assert_eq!(list["items"][0]["attempts"], 2);

    // The city's list shows its own subscription only.
    let (_, mine) = Script::of(&app, Who::Taiyuan).await.get("/api/v1/webhooks").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["counts"], json!([0, 1, 0]));
}

#[tokio::test]
async fn a_receiver_that_is_down_fails_the_delivery_never_the_action() {
    let app = TestApp::spawn_with(|s| s.webhooks.max_attempts = 2).await;
    let sec = Script::of(&app, Who::Secretariat).await;
    let dead = format!("http://127.0.0.1:{}/hook", unused_port());
    let (hook, _) = subscribe(&sec, dead, &["member.status_changed"]).await;
    let (member, _) = app
        .add_member(NewMemberSpec { name: "赵老师", org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() })
        .await;
    let (s, _) = sec
        .post(&format!("/api/v1/members/{member}/status"), json!({"value": "suspended", "reason": "本人申请"}))
        .await;
    assert_eq!(s, StatusCode::OK, "the change is made whatever the receiver does");
    app.settle_jobs().await;
    let (_, list) = sec.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    let d = &list["items"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert_eq!(d["last_error_code"], "webhook.e_connect", "{d}");
    assert_eq!(d["last_error"], "无法连接接收方", "in the caller's language");
    assert_eq!(d["payload"]["data"]["to"], "suspended");
    retry_now(&app).await;
    let (_, list) = sec.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    let d = &list["items"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("failed"), Some(2)));
    // Sent again by hand: pending with a fresh job; again while pending is a conflict.
    let url = format!("/api/v1/webhooks/deliveries/{}/resend", d["id"]);
    let (s, r) = sec.post(&url, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["status"], "pending");
    assert_eq!(sec.post(&url, json!({})).await.0, StatusCode::CONFLICT);
    // Another city cannot see or resend it.
    let datong = Script::of(&app, Who::Datong).await;
    assert_eq!(datong.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await.0, StatusCode::FORBIDDEN);
    // Stopped, it sends nothing more.
    assert_eq!(sec.call(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{hook}"), None).await.0, StatusCode::OK);
    assert_eq!(
        sec.call(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{hook}"), None).await.0,
        StatusCode::CONFLICT
    );
    let before = app.scalar("SELECT COUNT(*) FROM webhook_delivery").await;
    sec.post(&format!("/api/v1/members/{member}/status"), json!({"value": "active", "reason": "恢复"})).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_delivery").await, before);
}

#[tokio::test]
async fn bad_addresses_and_events_are_refused_and_scope_is_kept() {
    let app = TestApp::spawn().await;
    let city = Script::of(&app, Who::Taiyuan).await;
    let before = app.audit_count().await;
    for (url, why) in [
        ("ftp://example.org/hook", "not http"),
        ("example.org/hook", "no scheme"),
        (&app.url("/api/v1/me") as &str, "this server itself"),
    ] {
        let (s, r) = city.post("/api/v1/webhooks", json!({"url": url, "events": ["member.created"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(r["error"]["fields"]["url"].is_object(), "{why}: {r}");
    }
    let (s, r) =
        city.post("/api/v1/webhooks", json!({"url": "https://example.org/h", "events": ["member.deleted"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["events"]["message"].as_str().unwrap().contains("member.deleted"));
    // A city subscribes for itself only; a member not at all.
    let (s, _) = city
        .post(
            "/api/v1/webhooks",
            json!({"url": "https://example.org/h", "events": ["member.created"], "org_id": app.fixture.datong.0}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let teacher = Script::of(&app, Who::Teacher).await;
    let (s, _) =
        teacher.post("/api/v1/webhooks", json!({"url": "https://example.org/h", "events": ["member.created"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before, "nothing refused was recorded as done");
    let (s, made) =
        city.post("/api/v1/webhooks", json!({"url": "https://example.org/h", "events": ["member.created"]})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(made["webhook"]["org"], "太原市");
    assert!(made["secret"].as_str().unwrap().starts_with("whsec_"));
    let entry = app.text("SELECT after_json FROM audit_log WHERE action = 'webhook.create'").await.unwrap();
    assert!(!entry.contains(made["secret"].as_str().unwrap()), "the secret is never in the audit log");
}

#[tokio::test]
async fn the_webhooks_page_adds_one_shows_its_secret_once_and_lists_deliveries() {
    let app = TestApp::spawn().await;
    let rx = receiver().await;
    let city = app.login_as(Who::Taiyuan).await;
    let (status, page) = city.page("/admin/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("新增推送") && page.contains("入会申请状态变化"));
    let r = city.post_form("/admin/webhooks", &[("url", "ftp://x"), ("events", "member.created")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("请填写以 http:// 或 https:// 开头的完整地址") && body.contains("value=\"ftp://x\""));
    let url = format!("{}/page", rx.base);
    let r = city.post_form("/admin/webhooks", &[("url", &url), ("events", "application.status_changed")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let created = r.text().await.unwrap();
    assert!(created.contains("whsec_") && created.contains("只显示这一次"));
    let hook = app.scalar("SELECT MAX(id) FROM webhook").await;
    let (_, shown) = city.page(&format!("/admin/webhooks/{hook}")).await;
    assert!(!shown.contains("whsec_"), "the secret is not shown again");
    app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    app.settle_jobs().await;
    let (_, shown) = city.page(&format!("/admin/webhooks/{hook}")).await;
    assert!(shown.contains("application.status_changed") && shown.contains("已送达"), "{shown}");
    assert_eq!(rx.to("page").len(), 1);
}

#[tokio::test]
async fn the_demo_shows_webhooks_with_the_deliveries_of_its_applications() {
    let app = TestApp::spawn().await;
    assert!(huiyuan::bootstrap::seed_demo(&app.state.db).await.unwrap());
    assert_eq!(huiyuan::webhooks::demo::seed(&app.state).await.unwrap(), 2);
    huiyuan::applications::demo::seed(&app.state, huiyuan::bootstrap::DEMO_PASSWORD).await.unwrap();
    let city = Script::of(&app, Who::Taiyuan).await;
    let (_, hooks) = city.get("/api/v1/webhooks").await;
    assert_eq!(hooks.as_array().unwrap().len(), 1, "太原市 sees its own subscription only");
    let hook = hooks[0]["id"].as_i64().unwrap();
    let (_, list) = city.get(&format!("/api/v1/webhooks/{hook}/deliveries?per_page=100")).await;
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 10, "the demo's 太原市 applications moved: {}", items.len());
    let ty = app.fixture.taiyuan.0;
    assert!(
        items.iter().all(|d| d["payload"]["data"]["city_id"] == ty),
        "only 太原市's events reach 太原市's school database"
    );
    let all = app.scalar("SELECT COUNT(*) FROM webhook_delivery").await;
    assert!(all > list["total"].as_i64().unwrap(), "the province hears 大同市's applications too");
    app.settle_jobs().await;
    let (_, list) = city.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    let d = &list["items"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert_eq!(d["last_error_code"], "webhook.e_connect", "{d}");
}
