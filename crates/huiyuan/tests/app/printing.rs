//! Printed documents: the blank registration forms anyone downloads, an application's filled
//! form with its QR code, and a batch's summary sheet — PDFs with Chinese text that a PDF
//! reader extracts, and workbooks that say the same.

use reqwest::StatusCode;

use crate::helpers::*;

async fn bytes(b: &Browser, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = b.get(path).await;
    let status = r.status();
    let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, kind, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn anyone_downloads_the_blank_forms_as_pdf_and_xlsx() {
    let app = TestApp::spawn().await;
    let visitor = app.anonymous().await;
    let (status, kind, pdf) = bytes(&visitor, "/forms/individual.pdf").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    for words in [
        "山西省青少年科技教育协会",
        "第六届个人会员登记表",
        "出生日期",
        "主要业绩",
        "市协会推荐意见",
        "省协会审批意见",
        "本表一式三份",
    ] {
        assert!(text.contains(words), "{words} missing from:\n{text}");
    }
    assert!(pdf.len() < 150_000, "the font is embedded as a subset: {} bytes", pdf.len());
    keep_sample("individual-blank.pdf", &pdf);
    let (_, _, group) = bytes(&visitor, "/forms/group.pdf").await;
    keep_sample("group-blank.pdf", &group);
    let text = pdf_text(&group);
    assert!(text.contains("第六届团体会员登记表") && text.contains("统一社会信用代码") && text.contains("兼职辅导员"));
    assert!(text.contains("有专兼职的科技辅导员"), "the group conditions come from the settings");

    let (status, kind, xlsx) = bytes(&visitor, "/forms/group.xlsx").await;
    keep_sample("group-blank.xlsx", &xlsx);
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/vnd.openxmlformats"));
    let strings = xlsx_strings(&xlsx);
    assert!(strings.contains("第六届团体会员登记表") && strings.contains("科技教育负责人"));
    assert!(xlsx_strings(&bytes(&visitor, "/forms/individual.xlsx").await.2).contains("获奖及论文"));
    // The apply page links them.
    let teacher = app.login_as(Who::Teacher).await;
    let (_, page) = teacher.page("/apply").await;
    assert!(page.contains("/forms/individual.pdf") && page.contains("/forms/group.xlsx"));
}

#[tokio::test]
async fn an_application_prints_as_its_filled_form_with_a_qr_code_for_staff() {
    let app = TestApp::spawn().await;
    let id_number = resident_id("140105", "19900307", 491);
    let id = app.submitted_application(Who::Teacher, "张伟", &id_number).await;
    let teacher = app.login_as(Who::Teacher).await;
    let path = format!("/applications/{id}/form.pdf");
    let (status, _, pdf) = bytes(&teacher, &path).await;
    assert_eq!(status, StatusCode::OK);
    keep_sample("individual-filled.pdf", &pdf);
    let text = pdf_text(&pdf);
    for words in [
        "张伟",
        "太原市第五中学",
        &id_number,
        "太原市青少年科技教育协会",
        "普通会员",
        "指导学生获全国青少年科技创新大赛二等奖",
        &format!("申请编号 {id}"),
    ] {
        assert!(text.contains(words), "{words} missing from:\n{text}");
    }
    assert_eq!(pdf_qr_codes(&pdf), [format!("{}/applications/{id}", app.state.settings.server.base_url)]);
    // Scanning it, the city's administrator lands on the review page.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let r = taiyuan.get(&format!("/applications/{id}")).await;
    assert_redirect(&r, &format!("/admin/applications/{id}"));
    assert!(pdf_text(&bytes(&taiyuan, &path).await.2).contains(&id_number), "the reviewer reads the number");
    // Others do not get it; a council member reads the number masked.
    assert_eq!(app.login_as(Who::Datong).await.get(&path).await.status(), StatusCode::FORBIDDEN);
    let council = app.login_as(Who::Council).await;
    let text = pdf_text(&bytes(&council, &path).await.2);
    assert!(text.contains("1401**********4910") && !text.contains(&id_number));
}

#[tokio::test]
async fn a_batch_summary_lists_its_applications_in_pdf_and_xlsx() {
    let app = TestApp::spawn().await;
    let a = app.recommended_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let b = app.recommended_application(Who::Council, "王建国", &resident_id("140105", "19700101", 133)).await;
    let city = app.login_as(Who::Taiyuan).await;
    let batch = create_batch(&city, "太原市2026年第1批", &[a, b]).await;
    let (status, _, pdf) = bytes(&city, &format!("/admin/batches/{batch}/summary.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    keep_sample("batch-summary.pdf", &pdf);
    let text = pdf_text(&pdf);
    for words in ["入会申请汇总表", "太原市2026年第1批", "张伟", "王建国", "1401**********4910", "同意推荐"]
    {
        assert!(text.contains(words), "{words} missing from:\n{text}");
    }
    assert!(text.replace(' ', "").contains("共2份"));
    let (_, _, xlsx) = bytes(&city, &format!("/admin/batches/{batch}/summary.xlsx")).await;
    let strings = xlsx_strings(&xlsx);
    assert!(strings.contains("王建国") && strings.contains("太原市第五中学"));
    assert_eq!(
        app.login_as(Who::Datong).await.get(&format!("/admin/batches/{batch}/summary.xlsx")).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn without_a_chinese_font_pdfs_are_refused_clearly_and_spreadsheets_still_work() {
    let app = TestApp::spawn_with(|s| s.print.fonts = vec!["/nonexistent/font.ttc#2".into()]).await;
    let visitor = app.anonymous().await;
    let r = visitor.get("/forms/individual.pdf").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().await.unwrap().contains("服务器未安装中文字体"));
    assert_eq!(visitor.get("/forms/individual.xlsx").await.status(), StatusCode::OK);
}
