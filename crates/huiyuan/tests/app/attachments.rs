//! Attachments to an application: scans the applicant uploads while the form is theirs to
//! change, checked by content and size, downloadable by whoever may see the application.

use reqwest::StatusCode;

use crate::helpers::*;

const SIGNED_FORM: &str = "签字的登记表扫描件";

async fn attach(b: &Browser, app: i64, purpose: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().text("purpose", purpose.to_string()).part("file", part);
    let url = format!("{}/applications/{app}/files?csrf_token={}", b.base, b.csrf.clone().unwrap_or_default());
    b.client.post(url).multipart(form).send().await.unwrap()
}

/// A draft of the teacher's, with its id.
async fn draft(app: &TestApp) -> (Browser, i64) {
    let teacher = app.login_as(Who::Teacher).await;
    let mut form = individual_form("张伟", &resident_id("140105", "19900307", 491), &app.fixture.taiyuan.to_string());
    form.push(("intent".into(), "save".into()));
    let r = teacher.post_pairs("/apply/individual", &form).await;
    let id = location(&r).split('/').nth(2).unwrap().parse().unwrap();
    (teacher, id)
}

#[tokio::test]
async fn an_applicant_attaches_a_scan_which_the_reviewers_open() {
    let app = TestApp::spawn().await;
    let (teacher, id) = draft(&app).await;
    let (_, edit) = teacher.page(&format!("/applications/{id}/edit")).await;
    assert!(edit.contains("附件") && edit.contains(SIGNED_FORM));
    let r = attach(&teacher, id, SIGNED_FORM, "登记表（签字）.pdf", tiny_pdf()).await;
    assert_redirect(&r, &format!("/applications/{id}/edit#attachments"));
    let (_, edit) = teacher.page(&format!("/applications/{id}/edit")).await;
    assert!(edit.contains("登记表（签字）.pdf"));
    let file = app.scalar(&format!("SELECT file_id FROM application_file WHERE application_id = {id}")).await;
    let mut form = individual_form("张伟", &resident_id("140105", "19900307", 491), &app.fixture.taiyuan.to_string());
    form.push(("intent".into(), "submit".into()));
    assert_eq!(teacher.post_pairs(&format!("/applications/{id}/edit"), &form).await.status(), StatusCode::SEE_OTHER);

    let url = format!("/applications/{id}/files/{file}");
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let r = taiyuan.get(&url).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), tiny_pdf());
    assert!(taiyuan.page(&format!("/admin/applications/{id}")).await.1.contains("登记表（签字）.pdf"));
    assert_eq!(app.login_as(Who::Datong).await.get(&url).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.stranger().get(&url).await.status(), StatusCode::SEE_OTHER);
    // Submitted: the attachments are part of what was handed in.
    let r = attach(&teacher, id, SIGNED_FORM, "补充.pdf", tiny_pdf()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = teacher.post_form(&format!("/applications/{id}/files/{file}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM application_file WHERE application_id = {id}")).await, 1);
}

#[tokio::test]
async fn a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept() {
    let app = TestApp::spawn().await;
    let (teacher, id) = draft(&app).await;
    let before = app.audit_count().await;
    let r = attach(&teacher, id, SIGNED_FORM, "登记表.pdf", b"MZ\x90\x00 this is a program".to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("不支持此文件类型，请上传 .pdf,.jpg,.jpeg,.png 格式的文件"), "{body}");
    assert!(body.contains("太原市第五中学"), "the form is shown again as it was");
    let png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];
    let r = attach(&teacher, id, SIGNED_FORM, "登记表.pdf", png).await;
    assert!(r.text().await.unwrap().contains("文件内容与扩展名不符"));
    let r = attach(&teacher, id, "随便什么", "登记表.pdf", tiny_pdf()).await;
    assert!(r.text().await.unwrap().contains("请选择附件类型"));
    let r = attach(&teacher, id, SIGNED_FORM, "", Vec::new()).await;
    assert!(r.text().await.unwrap().contains("请选择要上传的文件"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM application_file").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stored_file").await, 0);
    assert_eq!(app.audit_count().await, before);
    // Someone else's application is not theirs to attach to.
    let other = app.login_as(Who::Council).await;
    assert_eq!(attach(&other, id, SIGNED_FORM, "a.pdf", tiny_pdf()).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn size_and_count_limits_come_from_the_settings() {
    let app = TestApp::spawn_with(|s| {
        s.joining.attachments.max_bytes = 1024;
        s.joining.attachments.max_count = 2;
    })
    .await;
    let (teacher, id) = draft(&app).await;
    let mut big = tiny_pdf();
    big.resize(2048, b' ');
    let r = attach(&teacher, id, SIGNED_FORM, "大文件.pdf", big).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("文件过大，单个附件不能超过 1 KB"));
    for name in ["一.pdf", "二.pdf"] {
        assert_eq!(attach(&teacher, id, "获奖证书", name, tiny_pdf()).await.status(), StatusCode::SEE_OTHER);
    }
    let r = attach(&teacher, id, "获奖证书", "三.pdf", tiny_pdf()).await;
    assert!(r.text().await.unwrap().contains("附件最多 2 个"));
    // Deleting one makes room; the deletion is recorded.
    let file = app.scalar(&format!("SELECT MIN(file_id) FROM application_file WHERE application_id = {id}")).await;
    let r = teacher.post_form(&format!("/applications/{id}/files/{file}/remove"), &[]).await;
    assert_redirect(&r, &format!("/applications/{id}/edit#attachments"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'application.file_remove'").await, 1);
    assert_eq!(attach(&teacher, id, "获奖证书", "三.pdf", tiny_pdf()).await.status(), StatusCode::SEE_OTHER);
}
