//! Browser tests: the real `huiyuan` binary (`serve --demo` on SQLite), driven through
//! chromedriver in Debian's headless Chromium. Screenshots of every page visited are written
//! to `target/screenshots/` for people to look at.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod rig;
mod studio;
mod tour;
mod webhooks;

use std::time::Duration;

use fantoccini::Locator;
use rig::{DEMO_PASSWORD, Rig};

#[tokio::test]
async fn the_home_page_shows_the_association_in_chinese() {
    let rig = Rig::start().await;
    rig.open("/").await;
    assert_eq!(rig.text("h1").await, "山西省青少年科技教育协会");
    let body = rig.body().await;
    assert!(body.contains("申请入会") && body.contains("关于加强协会自身能力建设的通知"));
    rig.shot("home-desktop").await;
    rig.width(375, 900).await;
    rig.open("/").await;
    rig.assert_no_horizontal_scroll("home page").await;
    assert!(
        rig.browser.find(Locator::Css(".topbar a[href='/sign-in']")).await.unwrap().is_displayed().await.unwrap(),
        "sign-in stays reachable on a phone"
    );
    rig.shot("home-375").await;
    rig.open("/sign-up").await;
    rig.assert_no_horizontal_scroll("sign-up form").await;
    rig.shot("sign-up-375").await;
    rig.stop().await;
}

#[tokio::test]
async fn a_member_signs_in_and_out() {
    let rig = Rig::start().await;
    rig.sign_in("teacher", "wrong-password-1").await;
    rig.wait_path("/sign-in").await;
    assert!(rig.text(".alert").await.contains("账号或密码不正确"));
    rig.shot("sign-in-failed").await;
    rig.sign_in("13800138000", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    assert_eq!(rig.text(".flash").await, "登录成功");
    assert!(rig.body().await.contains("张伟"));
    rig.shot("me-desktop").await;
    rig.width(375, 900).await;
    // On a phone the name in the header is hidden: every page, public ones too, has 我的.
    rig.open("/notices").await;
    assert!(!rig.browser.find(Locator::Css(".who")).await.unwrap().is_displayed().await.unwrap());
    rig.assert_no_horizontal_scroll("notices, signed in").await;
    rig.shot("notices-signed-in-375").await;
    rig.click(".me-link").await;
    rig.wait_path("/me").await;
    rig.assert_no_horizontal_scroll("my account").await;
    rig.shot("me-375").await;
    rig.browser.find(Locator::XPath("//button[text()='退出']")).await.unwrap().click().await.unwrap();
    rig.wait_path("/").await;
    assert_eq!(rig.text(".flash").await, "您已安全退出");
    rig.open("/me").await;
    rig.wait_path("/sign-in").await;
    rig.stop().await;
}

#[tokio::test]
async fn a_city_administrator_opening_another_citys_page_gets_the_403_page() {
    let rig = Rig::start().await;
    let datong = rig.org_id("140200").await;
    let taiyuan = rig.org_id("140100").await;
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open(&format!("/admin/orgs/{taiyuan}")).await;
    assert!(rig.text("h1").await.contains("太原市青少年科技教育协会"));
    rig.open(&format!("/admin/orgs/{datong}")).await;
    assert!(rig.text("h1").await.contains("无权访问"));
    let body = rig.body().await;
    assert!(body.contains("您没有权限访问此页面") && body.contains("请求编号"));
    assert!(!body.contains("大同市青少年科技教育协会"));
    rig.shot("forbidden-desktop").await;
    rig.width(375, 800).await;
    rig.assert_no_horizontal_scroll("403 page").await;
    rig.shot("forbidden-375").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_notice_list_fits_a_375_px_phone_screen() {
    let rig = Rig::start().await;
    rig.open("/notices").await;
    rig.width(375, 812).await;
    let (viewport, _) = rig.widths().await;
    assert_eq!(viewport, 375);
    assert!(rig.body().await.contains("关于加强协会自身能力建设的通知"));
    rig.assert_no_horizontal_scroll("notice list").await;
    rig.shot("notices-375").await;
    rig.browser
        .find(Locator::XPath("//a[contains(., '关于加强协会自身能力建设的通知')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    rig.assert_no_horizontal_scroll("notice page").await;
    rig.shot("notice-375").await;
    rig.width(1280, 900).await;
    rig.shot("notice-desktop").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_back_office_works_on_a_phone_without_sideways_scrolling() {
    let rig = Rig::start().await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    let taiyuan = rig.org_id("140100").await;
    let pages = [
        ("dashboard", "/admin".to_string()),
        ("orgs", "/admin/orgs".to_string()),
        ("org", format!("/admin/orgs/{taiyuan}")),
        ("org-new", format!("/admin/orgs/new?parent={taiyuan}")),
        ("users", "/admin/users".to_string()),
        ("user-new", "/admin/users/new".to_string()),
        ("notices-admin", "/admin/notices".to_string()),
        ("notice-new", "/admin/notices/new".to_string()),
        ("audit", "/admin/audit".to_string()),
    ];
    for (name, path) in &pages {
        rig.width(1280, 900).await;
        rig.open(path).await;
        rig.shot(&format!("{name}-desktop")).await;
        rig.width(375, 812).await;
        rig.open(path).await;
        rig.assert_no_horizontal_scroll(path).await;
        rig.shot(&format!("{name}-375")).await;
    }
    // The side menu folds behind the menu button on a phone.
    rig.open("/admin").await;
    let menu = rig.browser.find(Locator::Css(".sidemenu")).await.unwrap();
    assert!(!menu.is_displayed().await.unwrap());
    rig.browser.find(Locator::Css(".menu-button")).await.unwrap().click().await.unwrap();
    assert!(menu.is_displayed().await.unwrap());
    rig.shot("menu-open-375").await;
    rig.stop().await;
}

/// A valid resident ID number for a birth date and sequence.
/// The queue's review link in the row of the application of `name`.
fn review_link(name: &str) -> String {
    format!("//tr[.//text()[contains(., '{name}')]]//a[text()='审核']")
}

fn resident_id(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body17.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body17}{}", C[(sum % 11) as usize])
}

#[tokio::test]
async fn a_teacher_applies_on_a_phone_and_corrects_a_wrong_id_number() {
    let rig = Rig::start().await;
    rig.width(375, 812).await;
    rig.sign_in("teacher", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.open("/apply").await;
    rig.browser.find(Locator::Css("a[href='/apply/individual']")).await.unwrap().click().await.unwrap();
    rig.wait_path("/apply/individual").await;
    rig.assert_no_horizontal_scroll("application form").await;
    // Sent empty: the summary lists each field to mend, each a link that takes the phone to
    // the field; the birth date (a date picker) says what it expects.
    rig.click("button[value=submit]").await;
    let birth = rig.text("#birth_date-error").await;
    assert_eq!(birth, "请填写日期，如 1985-06-12");
    let links = rig.browser.find_all(Locator::Css(".error-summary li a")).await.unwrap();
    assert!(links.len() >= 10, "{} links in the summary", links.len());
    let summary = rig.text(".error-summary").await;
    assert!(summary.contains("出生日期：请填写日期，如 1985-06-12"), "{summary}");
    rig.shot("apply-summary-375").await;
    let first = links[0].attr("href").await.unwrap().unwrap();
    links[0].click().await.unwrap();
    let focused: String =
        serde_json::from_value(rig.browser.execute("return document.activeElement.id", vec![]).await.unwrap()).unwrap();
    assert_eq!(format!("#{focused}"), first, "the link takes the focus to its field");
    let good = resident_id("14010519900307491");
    let wrong = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    rig.choose("gender", "male").await;
    rig.fill("birth_date", "1990-03-07").await;
    rig.choose("ethnicity", "汉族").await;
    rig.choose("id_type", "resident_id").await;
    rig.fill("id_number", &wrong).await;
    rig.choose("education", "本科").await;
    rig.fill("employer", "太原市第五中学").await;
    rig.choose("in_service", "in_service").await;
    rig.fill("years", "8").await;
    rig.fill("address", "太原市小店区坞城路1号").await;
    rig.fill("postcode", "030006").await;
    let taiyuan = rig.org_id("140100").await;
    rig.choose("city", &taiyuan.to_string()).await;
    rig.choose("category", "ordinary").await;
    rig.fill("achievements", "指导学生获全国青少年科技创新大赛二等奖。").await;
    rig.click("input[name=consent]").await;
    rig.click("button[value=submit]").await;

    let error = rig.text("#id_number-error").await;
    assert_eq!(error, "身份证号校验位不正确，请核对最后一位");
    assert_eq!(rig.value("employer").await, "太原市第五中学", "the other fields are kept");
    assert_eq!(rig.value("achievements").await, "指导学生获全国青少年科技创新大赛二等奖。");
    rig.assert_no_horizontal_scroll("form with errors").await;
    rig.browser
        .execute("document.getElementById('id_number').scrollIntoView({block: 'center'})", vec![])
        .await
        .unwrap();
    rig.shot("apply-error-375").await;

    rig.fill("id_number", &good).await;
    rig.click("button[value=submit]").await;
    assert!(rig.text(".flash").await.contains("申请已提交"));
    assert!(rig.body().await.contains("待审核"));
    rig.assert_no_horizontal_scroll("application status").await;
    rig.shot("application-status-375").await;
    rig.width(1280, 900).await;
    rig.shot("application-status-desktop").await;

    // The city administrator finds it in the queue and opens it.
    rig.browser.find(Locator::XPath("//button[text()='退出']")).await.unwrap().click().await.unwrap();
    rig.wait_path("/").await;
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/applications").await;
    assert!(rig.body().await.contains("张伟"));
    rig.shot("queue-desktop").await;
    rig.browser.find(Locator::XPath(&review_link("张伟"))).await.unwrap().click().await.unwrap();
    assert!(rig.text("#decision h2").await.contains("审核意见"));
    rig.shot("review-desktop").await;
    rig.width(375, 812).await;
    rig.assert_no_horizontal_scroll("review page").await;
    rig.shot("review-375").await;
    rig.open("/admin/applications").await;
    rig.assert_no_horizontal_scroll("queue").await;
    rig.shot("queue-375").await;
    rig.stop().await;
}

#[tokio::test]
async fn an_application_goes_through_batch_dossier_and_council_to_a_member_number() {
    let rig = Rig::start().await;
    // 太原市 returned 刘芳's application (the demo); her workbench leads her to mend it on
    // her phone, and she hands it in again.
    rig.width(375, 812).await;
    rig.sign_in("applicant", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.click(".todo-list a[href$='/edit']").await;
    rig.wait_path("/edit").await;
    assert!(rig.body().await.contains("请补充获奖证书扫描件"), "the city's opinion is beside the form");
    rig.fill("achievements", "组织学校科技节，指导学生获省青少年科技创新大赛一等奖；学校科技活动情况见附件。").await;
    rig.click("button[value=submit]").await;
    assert!(rig.text(".flash").await.contains("申请已提交"));
    let status_path = rig.browser.current_url().await.unwrap().path().to_string();
    rig.sign_out().await;

    // 太原市 recommends it and gathers it into a batch.
    rig.width(1280, 900).await;
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/applications").await;
    rig.browser.find(Locator::XPath(&review_link("刘芳"))).await.unwrap().click().await.unwrap();
    rig.tick_all("#decision input[name=tick]").await;
    rig.click("#decision input[value=recommend]").await;
    rig.click("#decision button[type=submit]").await;
    assert!(rig.text(".flash").await.contains("已推荐"));
    rig.open("/admin/applications?status=recommended").await;
    // The demo's first batch of the year is out: the next one is proposed.
    assert!(rig.value("batch-name").await.ends_with("年第2批"), "a batch name is proposed");
    rig.both_widths("batching").await;
    rig.click(".batch-form button").await;
    assert!(rig.text(".flash").await.contains("已汇总批次"));
    rig.both_widths("batch-open").await;
    rig.confirm_yes().await;
    rig.click("form[action$='/forward'] button").await;
    assert!(rig.text(".flash").await.contains("报送省协会"));
    rig.both_widths("batch-forwarded").await;
    rig.open("/admin/batches").await;
    rig.both_widths("batches").await;
    rig.sign_out().await;

    // The secretariat files the dossier and calls a meeting.
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/applications?status=forwarded").await;
    rig.browser.find(Locator::XPath(&review_link("刘芳"))).await.unwrap().click().await.unwrap();
    assert!(rig.text("#dossier h2").await.contains("秘书处建档"));
    rig.browser.execute("document.getElementById('dossier').scrollIntoView()", vec![]).await.unwrap();
    rig.shot("dossier-desktop").await;
    rig.width(375, 812).await;
    rig.assert_no_horizontal_scroll("dossier").await;
    rig.browser.execute("document.getElementById('dossier').scrollIntoView()", vec![]).await.unwrap();
    rig.shot("dossier-375").await;
    rig.width(1280, 900).await;
    rig.tick_all("#dossier input[name=tick]").await;
    rig.fill("dossier-note", "纸质登记表三份已收到").await;
    rig.browser.find(Locator::Css("#dossier input[name=copies]")).await.unwrap().clear().await.unwrap();
    rig.browser.find(Locator::Css("#dossier input[name=copies]")).await.unwrap().send_keys("3").await.unwrap();
    rig.click("#dossier button[value=file]").await;
    assert!(rig.text(".flash").await.contains("已建档"));
    rig.open("/admin/council").await;
    rig.both_widths("council").await;
    rig.open("/admin/council/new").await;
    rig.both_widths("meeting-new").await;
    rig.fill("session", "第五届常务理事会第三次会议").await;
    rig.click("form.form button[type=submit]").await;
    assert!(rig.text(".flash").await.contains("会议已创建"));
    let meeting_path = rig.browser.current_url().await.unwrap().path().to_string();
    rig.sign_out().await;

    // The council member votes on a phone.
    rig.width(375, 812).await;
    rig.sign_in("council", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open(&meeting_path).await;
    rig.click("input[value=approve]").await;
    rig.click("form[action$='/votes'] button[type=submit]").await;
    assert!(rig.text(".flash").await.contains("表决已提交"));
    rig.assert_no_horizontal_scroll("ballot").await;
    rig.shot("meeting-vote-375").await;
    rig.sign_out().await;

    // The secretariat passes the resolution: 刘芳 becomes a member with a number.
    rig.width(1280, 900).await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open(&meeting_path).await;
    rig.shot("meeting-open-desktop").await;
    rig.fill("resolution", "晋青科教〔2026〕12号").await;
    rig.confirm_yes().await;
    rig.click("form[action$='/close'] button[type=submit]").await;
    assert!(rig.text(".flash").await.contains("批准 1 份"));
    rig.both_widths("meeting-closed").await;
    rig.sign_out().await;
    rig.width(375, 812).await;
    rig.sign_in("applicant", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.open(&status_path).await;
    // The next number of 太原市 after the demo registry's members.
    let page = rig.body().await;
    let number = page.split("SXK101").nth(1).map(|rest| rest.chars().take(5).collect::<String>()).unwrap_or_default();
    assert!(number.len() == 5 && number[..4].bytes().all(|b| b.is_ascii_digit()) && number.ends_with('M'), "{page}");
    rig.shot("member-number-375").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_group_form_works_on_a_phone_and_says_what_is_missing_in_place() {
    let rig = Rig::start().await;
    // The association's notice links the blank forms, as its paper attachments.
    rig.open("/notices").await;
    rig.click("a[href^='/notices/']").await;
    rig.browser.find(Locator::Css("a[href='/forms/group.pdf']")).await.unwrap();
    rig.browser.find(Locator::Css("a[href='/forms/individual.xlsx']")).await.unwrap();
    rig.sign_in("applicant", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.open("/apply").await;
    rig.both_widths("apply").await;
    rig.browser.find(Locator::Css("a[href='/apply/group']")).await.unwrap().click().await.unwrap();
    rig.wait_path("/apply/group").await;
    rig.both_widths("group-form").await;
    rig.width(375, 812).await;
    rig.fill("name", "太原市实验小学").await;
    rig.fill("code", "91350100M000100Y44").await;
    rig.click("button[value=submit]").await;
    assert_eq!(rig.text("#code-error").await, "统一社会信用代码校验位不正确，请核对最后一位");
    assert_eq!(rig.value("name").await, "太原市实验小学", "what was typed stays");
    assert!(rig.text("#cond_0 .field-error").await.contains("请确认本单位符合此条件"));
    rig.assert_no_horizontal_scroll("group form with errors").await;
    rig.browser.execute("document.getElementById('person_0').scrollIntoView({block: 'center'})", vec![]).await.unwrap();
    rig.shot("group-form-errors-375").await;
    rig.stop().await;
}

#[tokio::test]
async fn an_applicant_uploads_a_scan_from_a_phone() {
    let rig = Rig::start().await;
    rig.width(375, 812).await;
    rig.sign_in("applicant", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.open("/apply/individual").await;
    rig.fill("employer", "太原市实验小学").await;
    rig.click("button[value=save]").await;
    assert!(rig.text(".flash").await.contains("草稿"));
    let scan = rig.data_dir.path().join("登记表扫描件.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .unwrap();
    rig.browser.execute("document.getElementById('attachments').scrollIntoView()", vec![]).await.unwrap();
    rig.browser
        .find(Locator::Css("#attachments input[type=file]"))
        .await
        .unwrap()
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    rig.click("#attachments button[type=submit]").await;
    assert!(rig.text("#attachments ul.files").await.contains("登记表扫描件.pdf"));
    assert!(rig.text(".flash").await.contains("附件已上传"));
    assert_eq!(rig.value("employer").await, "太原市实验小学", "the draft's fields are still there");
    rig.assert_no_horizontal_scroll("attachments").await;
    rig.browser.execute("document.getElementById('attachments').scrollIntoView()", vec![]).await.unwrap();
    rig.shot("attachments-375").await;
    rig.width(1280, 900).await;
    rig.browser.execute("document.getElementById('attachments').scrollIntoView()", vec![]).await.unwrap();
    rig.shot("attachments-desktop").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_registry_is_searched_by_pinyin_and_a_member_page_reads_well_on_a_phone() {
    let rig = Rig::start().await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    // The menu leads to the registry; a pinyin search finds the demo teacher.
    rig.click("a[href='/admin/members']").await;
    rig.wait_path("/admin/members").await;
    rig.fill("member-q", "zhangwei").await;
    rig.click(".filters button[type='submit']").await;
    for _ in 0..50 {
        if rig.browser.current_url().await.unwrap().as_str().contains("q=zhangwei") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows = rig.text("table.list tbody").await;
    assert!(rows.contains("张伟") && rows.contains("太原市第五中学"), "{rows}");
    rig.both_widths("members").await;
    // On a phone the whole card opens the record, not only the name.
    rig.width(375, 812).await;
    rig.browser.refresh().await.unwrap();
    // What a tap in the middle of the card's last line lands on: the record's link.
    let tapped = rig
        .browser
        .execute(
            "const td = document.querySelector('table.list tbody tr:first-child td:last-child');
             td.scrollIntoView({block: 'center'});
             const r = td.getBoundingClientRect();
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
             const link = hit && hit.closest('a');
             return link ? link.getAttribute('href') : '';",
            vec![],
        )
        .await
        .unwrap();
    let href = tapped.as_str().unwrap_or_default().to_string();
    assert!(href.starts_with("/admin/members/"), "the tap lands on {tapped:?}");
    // WebDriver refuses to click a covered cell, so the tap goes to what covers it.
    rig.click(&format!("a[href='{href}']")).await;
    for _ in 0..50 {
        if rig.browser.current_url().await.unwrap().path().starts_with("/admin/members/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(rig.browser.current_url().await.unwrap().path().starts_with("/admin/members/"), "the card opened it");
    rig.width(1280, 900).await;
    let page = rig.body().await;
    assert!(page.contains("SXK101") && page.contains("高级会员") && page.contains("1401**********1235"));
    rig.both_widths("member").await;
    // The member's own page, and the public verification page.
    rig.sign_out().await;
    rig.sign_in("teacher", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.open("/me/membership").await;
    let mine = rig.body().await;
    assert!(mine.contains("下载会员证"), "{mine}");
    rig.both_widths("membership").await;
    let number = rig.text(".member-card dd.code").await;
    rig.open(&format!("/verify/{}", number.trim())).await;
    assert!(rig.body().await.contains("有效会员"));
    rig.both_widths("verify").await;
    rig.stop().await;
}

#[tokio::test]
async fn a_city_administrator_imports_a_roster_from_the_browser() {
    let rig = Rig::start().await;
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/members").await;
    rig.click("a[href='/admin/members/import']").await;
    rig.wait_path("/admin/members/import").await;
    rig.both_widths("import").await;
    // A roster with a title row, a good row, a row Excel damaged and a bad mobile.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("太原市会员花名册.csv");
    let roster = format!(
        "太原市会员花名册\n序号,姓名,身份证号码,手机,工作单位,入会时间\n1,郝建平,{},13934567890,太原市第十二中学,2015/9/1\n2,武丽,1.40105E+17,13934567891,太原市实验小学,2016年3月1日\n3,乔磊,{},1393456,太原市第一中学,2017-05-01\n",
        resident_id("14010519790601123"),
        resident_id("14010819850301041"),
    );
    std::fs::write(&file, roster).unwrap();
    let input = rig.browser.find(Locator::Css("input[type=file]")).await.unwrap();
    input.send_keys(file.to_str().unwrap()).await.unwrap();
    rig.click(".filters button[type='submit']").await;
    for _ in 0..50 {
        if rig.browser.current_url().await.unwrap().path().contains("/admin/members/import/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = rig.body().await;
    assert!(page.contains("郝建平") && page.contains("科学计数法") && page.contains("应为 11 位"), "{page}");
    rig.both_widths("import-preview").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_secretariat_scans_for_duplicates_and_opens_a_census() {
    let rig = Rig::start().await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/members/duplicates").await;
    rig.click(".panel-head form button[type='submit']").await;
    let mut scanned = false;
    for _ in 0..50 {
        if rig.browser.source().await.unwrap_or_default().contains("上次查找") {
            scanned = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(scanned, "the scan ran and the page says when");
    rig.both_widths("duplicates").await;
    rig.open("/admin/census").await;
    rig.both_widths("census-list").await;
    rig.fill("title", "2026年会员普查与重新登记").await;
    rig.click("#open button[type='submit']").await;
    for _ in 0..50 {
        let path = rig.browser.current_url().await.unwrap().path().to_string();
        if path.starts_with("/admin/census/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = rig.body().await;
    assert!(page.contains("2026年会员普查与重新登记") && page.contains("各市情况"), "{page}");
    rig.both_widths("census").await;
    // The teacher finds the task on their membership page.
    rig.sign_out().await;
    rig.sign_in("teacher", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.open("/me/membership").await;
    assert!(rig.body().await.contains("信息无误"));
    rig.both_widths("membership-census").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_secretariat_changes_a_city_target() {
    let rig = Rig::start().await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/targets").await;
    assert!(rig.body().await.contains("太原市"));
    rig.both_widths("targets").await;
    rig.click("table.list tbody tr:first-child a").await;
    for _ in 0..50 {
        if rig.browser.current_url().await.unwrap().path().starts_with("/admin/targets/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A range the wrong way round and no reason: both explained, nothing saved.
    rig.fill("groups_min", "9").await;
    rig.click("#edit button[type='submit']").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let page = rig.body().await;
    assert!(page.contains("不能大于上限") && page.contains("请填写调整原因"), "{page}");
    rig.shot("target-refused-desktop").await;
    rig.fill("groups_min", "4").await;
    rig.fill("groups_max", "6").await;
    rig.fill("reason", "省会城市任务适当提高").await;
    rig.click("#edit button[type='submit']").await;
    let mut saved = false;
    for _ in 0..50 {
        if rig.body().await.contains("省会城市任务适当提高") {
            saved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saved, "the change is in the history");
    rig.both_widths("target").await;
    rig.stop().await;
}

#[tokio::test]
async fn the_province_dashboard_shows_each_city_against_its_target() {
    let rig = Rig::start().await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/progress").await;
    let page = rig.body().await;
    assert!(page.contains("各市发展情况") && page.contains("全省合计") && page.contains("太原"), "{page}");
    rig.both_widths("progress").await;
    rig.click("table.figures tbody tr:first-child td:first-child a").await;
    for _ in 0..50 {
        if rig.browser.current_url().await.unwrap().path().starts_with("/admin/progress/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = rig.body().await;
    assert!(page.contains("尚缺个人会员的团体会员") && page.contains("待本市处理的申请"), "{page}");
    rig.both_widths("progress-city").await;
    rig.stop().await;
}

#[tokio::test]
async fn a_city_hands_in_its_progress_report_and_the_secretariat_accepts_it() {
    let rig = Rig::start().await;
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/progress").await;
    rig.click(".panel-head .actions a.button").await;
    rig.wait_path("/report").await;
    // Without a narrative: explained, nothing handed in.
    rig.click("#submit button[type='submit']").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rig.body().await.contains("请填写报告正文"));
    rig.both_widths("report-form").await;
    rig.fill("narrative", "一、今年新发展会员情况。\n二、下一步工作打算。").await;
    rig.click("#submit button[type='submit']").await;
    let mut done = false;
    for _ in 0..50 {
        if rig.body().await.contains("已提交待审阅") {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "the report is in");
    rig.sign_out().await;
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/progress").await;
    rig.click("table.figures tbody tr:first-child a .tag").await;
    rig.wait_path("/report").await;
    assert!(rig.body().await.contains("二、下一步工作打算"));
    rig.both_widths("report-review").await;
    rig.click("#review button[value='accept']").await;
    let mut accepted = false;
    for _ in 0..50 {
        if rig.body().await.contains("已接收太原市的发展情况报告") {
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(accepted, "the flash says so");
    rig.stop().await;
}

#[tokio::test]
async fn the_demo_gives_each_account_its_work_on_the_workbench() {
    let rig = Rig::start().await;
    // The city: applications waiting for review, and the link leads to them.
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    let todos = rig.text(".todos").await;
    assert!(todos.contains("2 份入会申请等待审核") && todos.contains("最早的一份已等 12 天"), "{todos}");
    rig.both_widths("workbench-city").await;
    rig.click(".todo-list li:first-child a").await;
    rig.wait_path("/admin/applications").await;
    let queue = rig.body().await;
    assert!(queue.contains("陈静") && queue.contains("杨帆"), "{queue}");
    rig.sign_out().await;
    // The secretariat: batches to file and the next council meeting.
    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    let todos = rig.text(".todos").await;
    assert!(todos.contains("份申请待建档") && todos.contains("第六届常务理事会第四次会议"), "{todos}");
    rig.both_widths("workbench-secretariat").await;
    rig.sign_out().await;
    // The council member: the votes waiting for them.
    rig.sign_in("council", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    assert!(rig.text(".todos").await.contains("2 项入会申请等待您表决"));
    rig.sign_out().await;
    // An applicant whose application came back: what to do, on a phone.
    rig.sign_in("applicant", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    let todos = rig.text(".todos").await;
    assert!(todos.contains("被退回修改"), "{todos}");
    rig.both_widths("workbench-applicant").await;
    rig.stop().await;
}
