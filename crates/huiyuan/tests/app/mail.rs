//! E-mail: queued with the action, sent after commit by the jobs worker; kept in the outbox
//! without SMTP; retried, never lost, when the mail server is down.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn without_smtp_mail_is_kept_in_the_outbox_for_the_system_administrator() {
    let app = TestApp::spawn().await;
    app.anonymous().await.post_form("/password/forgot", &[("login", "zhangwei")]).await;
    let kept =
        eventually(|| async { app.scalar("SELECT COUNT(*) FROM mail_message WHERE status = 'kept'").await == 1 }).await;
    assert!(kept, "the worker keeps the message in the outbox");
    let admin = app.login_as(Who::Sysadmin).await;
    let (status, html) = admin.page("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("zhangwei@example.org") && html.contains("已存档") && html.contains("尚未配置 SMTP"));
    let id = app.scalar("SELECT MAX(id) FROM mail_message").await;
    let (_, message) = admin.page(&format!("/admin/outbox/{id}")).await;
    assert!(message.contains("/password/reset?token="), "the administrator can read the link");
}

#[tokio::test]
async fn with_smtp_mail_is_sent_after_the_action_commits() {
    let smtp = FakeSmtp::start().await;
    let port = smtp.port;
    let app = TestApp::spawn_with(|s| {
        s.mail.smtp = Some(smtp_at(port));
        s.mail.from_address = "noreply@example.org".into();
    })
    .await;
    app.anonymous().await.post_form("/password/forgot", &[("login", "zhangwei")]).await;
    let sent =
        eventually(|| async { app.scalar("SELECT COUNT(*) FROM mail_message WHERE status = 'sent'").await == 1 }).await;
    assert!(sent, "the message was sent");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].contains("<zhangwei@example.org>"));
    assert!(received[0].contains("Subject: "));
    assert!(received[0].contains("multipart/alternative"), "text and HTML parts");
}

#[tokio::test]
async fn a_mail_server_that_is_down_never_fails_the_action_and_never_loses_the_message() {
    let port = unused_port();
    let app = TestApp::spawn_with(|s| s.mail.smtp = Some(smtp_at(port))).await;
    let r = app.anonymous().await.post_form("/password/forgot", &[("login", "zhangwei")]).await;
    assert_eq!(r.status(), StatusCode::OK, "the user's action succeeds");
    let failed_once = eventually(|| async {
        app.scalar(
            "SELECT COUNT(*) FROM mail_message WHERE status = 'queued' AND attempts = 1 AND last_error IS NOT NULL",
        )
        .await
            == 1
    })
    .await;
    assert!(failed_once, "the failure is recorded and the message waits for a retry");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM job WHERE status = 'queued' AND attempts = 1").await, 1);

    // The mail server comes back; the administrator sends the message again.
    let smtp = FakeSmtp::serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap());
    let admin = app.login_as(Who::Sysadmin).await;
    let id = app.scalar("SELECT MAX(id) FROM mail_message").await;
    let (_, page) = admin.page(&format!("/admin/outbox/{id}")).await;
    assert!(page.contains("最近一次错误") && page.contains("重新发送"));
    let r = admin.post_form(&format!("/admin/outbox/{id}/retry"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sent =
        eventually(|| async { app.scalar("SELECT COUNT(*) FROM mail_message WHERE status = 'sent'").await == 1 }).await;
    assert!(sent);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM job WHERE status = 'queued'").await,
        0,
        "no second job was queued for the same message"
    );
}

#[tokio::test]
async fn a_message_that_fails_every_attempt_is_marked_failed_and_can_be_queued_again() {
    let port = unused_port();
    let app = TestApp::spawn_with(|s| s.mail.smtp = Some(smtp_at(port))).await;
    app.anonymous().await.post_form("/password/forgot", &[("login", "zhangwei")]).await;
    // Use up the attempts without waiting for the back-off.
    for _ in 0..200 {
        sqlx::query("UPDATE job SET run_at = 0").execute(app.state.db.pool()).await.unwrap();
        app.run_jobs().await;
        if app.scalar("SELECT COUNT(*) FROM job WHERE status = 'failed'").await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_message WHERE status = 'failed'").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM job WHERE status = 'failed'").await, 1);
    let admin = app.login_as(Who::Sysadmin).await;
    let id = app.scalar("SELECT MAX(id) FROM mail_message").await;
    admin.post_form(&format!("/admin/outbox/{id}/retry"), &[]).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_message WHERE status = 'queued'").await, 1);
}
