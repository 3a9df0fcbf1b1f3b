//! Operations: health, readiness, metrics, request ids, security headers, static assets.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let b = app.stranger();
    assert_eq!(b.page("/healthz").await, (StatusCode::OK, "ok".to_string()));
    assert_eq!(b.page("/readyz").await, (StatusCode::OK, "ready".to_string()));
    b.get("/notices").await;
    let (status, metrics) = b.page("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.contains("http_requests_total") && metrics.contains("route=\"/notices\""));
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("db_pool_connections"));
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.state.db.close().await;
    let r = app.stranger().get("/readyz").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.stranger().get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_error_pages_show_it() {
    let app = TestApp::spawn().await;
    let r = app.stranger().get("/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains("页面不存在") && html.contains(&id));
    // A load balancer's id is kept.
    let r = app.stranger().client.get(app.url("/")).header("x-request-id", "lb-1234567890").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "lb-1234567890");
}

#[tokio::test]
async fn pages_are_sent_with_security_headers() {
    let app = TestApp::spawn().await;
    let r = app.stranger().get("/").await;
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
}

#[tokio::test]
async fn assets_come_from_the_binary_and_are_cached() {
    let app = TestApp::spawn().await;
    let b = app.stranger();
    let r = b.get("/static/app.css").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let again = b.client.get(app.url("/static/app.css")).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(b.get("/static/htmx-2.0.11.min.js").await.status(), StatusCode::OK);
    assert_eq!(b.get("/static/../Cargo.toml").await.status(), StatusCode::NOT_FOUND);
    let (_, html) = b.page("/").await;
    assert!(!html.contains("http://") || !html.contains("<script src=\"http"), "no script from elsewhere");
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app = TestApp::spawn_with(|s| s.server.metrics_token = Some("scrape-secret".to_string().into())).await;
    let b = app.stranger();
    assert_eq!(b.get("/metrics").await.status(), StatusCode::FORBIDDEN);
    let r = b.client.get(app.url("/metrics")).bearer_auth("scrape-secret").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_load_balancer_the_address_it_saw_is_recorded() {
    let app = TestApp::spawn_with(|s| s.server.trust_forwarded_for = true).await;
    let b = app.anonymous().await;
    b.client
        .post(app.url("/sign-in"))
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.9")
        .form(&[("login", "zhangwei"), ("password", PASSWORD), ("csrf_token", b.csrf.as_deref().unwrap())])
        .send()
        .await
        .unwrap();
    let addr = app.text("SELECT client_addr FROM audit_log WHERE action = 'auth.sign_in'").await.unwrap();
    assert_eq!(addr, "203.0.113.9", "the client's own claim (6.6.6.6) is ignored");
}
