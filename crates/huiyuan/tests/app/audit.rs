//! The audit log: every change recorded with who, what, when and from where; append-only.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_change_is_recorded_with_actor_address_and_request_id() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec.post_form(&format!("/admin/orgs/{}/activation", app.fixture.datong), &[("active", "0")]).await;
    let request_id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let row: (Option<i64>, String, String, String, String, String) = sqlx::query_as(
        "SELECT actor_user_id, actor_name, target_label, client_addr, request_id, after_json FROM audit_log WHERE action = 'org.deactivate'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(row.0, Some(app.fixture.user(Who::Secretariat).0));
    assert_eq!(row.1, "崔捷 (mishu)");
    assert_eq!(row.2, "大同市青少年科技教育协会");
    assert_eq!(row.3, "127.0.0.1");
    assert_eq!(row.4, request_id);
    assert!(row.5.contains("\"active\":false"));
}

#[tokio::test]
async fn nobody_can_change_or_delete_the_audit_log_even_in_the_database() {
    let app = TestApp::spawn().await;
    assert!(app.audit_count().await > 0);
    let update = sqlx::query("UPDATE audit_log SET actor_name = 'someone else'").execute(app.state.db.pool()).await;
    assert!(update.is_err(), "updates are refused");
    let delete = sqlx::query("DELETE FROM audit_log").execute(app.state.db.pool()).await;
    assert!(delete.is_err(), "deletes are refused");
    assert!(app.audit_count().await > 0);
}

#[tokio::test]
async fn a_change_that_fails_leaves_no_record() {
    let app = TestApp::spawn().await;
    let before = app.audit_count().await;
    let sec = app.login_as(Who::Secretariat).await;
    let after_login = app.audit_count().await;
    assert_eq!(after_login, before + 1, "signing in is recorded");
    let ty = app.fixture.taiyuan.to_string();
    let r = sec
        .post_form(
            "/admin/orgs",
            &[("parent_id", &ty), ("code", "140200"), ("name", "重复代码"), ("short_name", "重复")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.audit_count().await, after_login);
}

#[tokio::test]
async fn the_secretariat_filters_the_log_by_actor_action_target_and_date() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    sec.post_form(&format!("/admin/orgs/{}/activation", app.fixture.datong), &[("active", "0")]).await;
    app.login_as(Who::Teacher).await;

    let (status, html) = sec.page("/admin/audit?action=org.deactivate").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("停用机构") && html.contains("大同市青少年科技教育协会") && html.contains("共 1 条"));
    let (_, html) = sec.page("/admin/audit?actor=%E5%BC%A0%E4%BC%9F").await; // 张伟
    assert!(html.contains("张伟 (zhangwei)") && !html.contains("崔捷 (mishu)"));
    let (_, html) = sec.page("/admin/audit?target=%E5%A4%A7%E5%90%8C").await; // 大同
    assert!(html.contains("共 1 条"));
    let (_, html) = sec.page("/admin/audit?from=2000-01-01&until=2000-12-31").await;
    // Nothing found: the list says so, and offers no paging.
    assert!(html.contains(NO_MATCH) && !html.contains(r#"class="pager""#));
    let (_, html) = sec.page("/admin/audit?from=yesterday").await;
    assert!(html.contains("日期格式应为 2026-03-31"));

    let id = app.scalar("SELECT id FROM audit_log WHERE action = 'org.deactivate'").await;
    let (_, detail) = sec.page(&format!("/admin/audit/{id}")).await;
    assert!(detail.contains("变更前") && detail.contains("变更后") && detail.contains("127.0.0.1"));
}
