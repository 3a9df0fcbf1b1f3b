//! Notices: drafts, publishing, withdrawing, attachments checked by content.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_published_notice_is_public_and_a_draft_is_not() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec
        .post_form(
            "/admin/notices",
            &[
                ("title", "关于2026年会员普查的通知"),
                ("doc_number", "晋青科教发〔2026〕03号"),
                ("body", "## 一、普查范围\n\n全体在册会员。"),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/notices/");
    let id = app.scalar("SELECT MAX(id) FROM notice").await;
    let visitor = app.stranger();
    assert_eq!(visitor.get(&format!("/notices/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert!(!visitor.page("/notices").await.1.contains("关于2026年会员普查的通知"));
    // The secretariat can preview the draft.
    let (status, preview) = sec.page(&format!("/notices/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains("预览：此通知尚未发布"));

    let r = sec.post_form(&format!("/admin/notices/{id}/status"), &[("status", "published")]).await;
    assert_redirect(&r, &format!("/admin/notices/{id}/edit"));
    let (status, html) = visitor.page(&format!("/notices/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h2>一、普查范围</h2>") && html.contains("晋青科教发〔2026〕03号"));
    assert!(visitor.page("/notices").await.1.contains("关于2026年会员普查的通知"));
    assert!(visitor.page("/").await.1.contains("关于2026年会员普查的通知"), "the home page lists it");

    let r = sec.post_form(&format!("/admin/notices/{id}/status"), &[("status", "withdrawn")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(&format!("/notices/{id}")).await.status(), StatusCode::NOT_FOUND);
    let actions: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_log WHERE target_type = 'notice' ORDER BY id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let actions: Vec<&str> = actions.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(actions, ["notice.create", "notice.publish", "notice.withdraw"]);
}

#[tokio::test]
async fn a_notice_without_a_title_is_refused_and_the_text_is_kept() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec.post_form("/admin/notices", &[("title", "  "), ("body", "很长的正文，不能丢。")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("此项为必填项") && html.contains("很长的正文，不能丢。"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notice").await, 0);
}

#[tokio::test]
async fn notice_text_is_rendered_without_scripts() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    sec.post_form(
        "/admin/notices",
        &[
            ("title", "<script>alert(1)</script>标题"),
            ("body", "<script>alert(2)</script>\n\n[链接](javascript:alert(3))"),
            ("intent", "publish"),
        ],
    )
    .await;
    let id = app.scalar("SELECT MAX(id) FROM notice").await;
    let (_, html) = app.stranger().page(&format!("/notices/{id}")).await;
    assert!(!html.contains("<script>alert"), "no script from a notice reaches the page");
    assert!(html.contains("&#60;script&#62;alert(1)"), "the title is shown as text:\n{html}");
    assert!(!html.contains("javascript:alert"));
}

#[tokio::test]
async fn attachments_are_checked_by_content_and_downloadable() {
    let app = TestApp::spawn_with(|s| s.uploads.max_bytes = 64 * 1024).await;
    let id = app.add_notice("附件测试", true).await;
    let sec = app.login_as(Who::Secretariat).await;
    let url = format!("/admin/notices/{id}/files");

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 this is a program".to_vec();
    let r = sec.upload(&url, "登记表.pdf", exe).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不支持此文件类型"));
    let r = sec.upload(&url, "照片.jpg", tiny_pdf()).await;
    assert!(r.text().await.unwrap().contains("文件内容与扩展名不符"));
    let mut big = tiny_pdf();
    big.resize(70 * 1024, b' ');
    let r = sec.upload(&url, "大文件.pdf", big).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("文件过大，单个附件不能超过 64 KB"));
    let mut huge = tiny_pdf();
    huge.resize(3 * 1024 * 1024, b' ');
    let r = sec.upload(&url, "巨大文件.pdf", huge).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stored_file").await, 0);

    let r = sec.upload(&url, "第六届个人会员登记表.pdf", tiny_pdf()).await;
    assert_redirect(&r, &format!("/admin/notices/{id}/edit"));
    let file = app.scalar("SELECT MAX(file_id) FROM notice_attachment").await;
    let download = app.stranger().get(&format!("/notices/{id}/files/{file}")).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("filename*=UTF-8''%E7%AC%AC%E5%85%AD"), "{disposition}");
    assert_eq!(download.bytes().await.unwrap().to_vec(), tiny_pdf());
    let (_, page) = app.stranger().page(&format!("/notices/{id}")).await;
    assert!(page.contains("第六届个人会员登记表.pdf"));

    let r = sec.post_form(&format!("/admin/notices/{id}/files/{file}/delete"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.stranger().get(&format!("/notices/{id}/files/{file}")).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_demo_publishes_the_associations_2014_notice_first() {
    let app = TestApp::spawn().await;
    assert!(huiyuan::bootstrap::seed_demo(&app.state.db).await.unwrap());
    assert!(!huiyuan::bootstrap::seed_demo(&app.state.db).await.unwrap(), "demo data is added once");
    let (_, list) = app.stranger().page("/notices").await;
    assert!(list.contains("关于加强协会自身能力建设的通知") && list.contains("2014-01-06"));
    let id = app.scalar("SELECT MIN(id) FROM notice").await;
    let (_, html) = app.stranger().page(&format!("/notices/{id}")).await;
    assert!(html.contains("晋青科教发〔2014〕01号") && html.contains("2014年1月6日"));
    assert!(html.contains("每个市要发展3—5个团体会员"));
    // Demo accounts sign in with the documented password.
    // Demo accounts sign in with the documented password (the demo's 张伟 shares the
    // fixture's mobile number, so that one was skipped).
    let applicant = app.login_with("applicant", huiyuan::bootstrap::DEMO_PASSWORD).await;
    assert!(applicant.page("/me").await.1.contains("刘芳"));
}
