//! Joining: the individual application from draft to the city's decision.

use reqwest::StatusCode;

use crate::helpers::*;

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if k == key {
            *v = value.to_string();
        }
    }
}

fn with_intent(mut form: Vec<(String, String)>, intent: &str) -> Vec<(String, String)> {
    form.push(("intent".into(), intent.into()));
    form
}

#[tokio::test]
async fn a_teacher_saves_a_draft_comes_back_and_submits() {
    let app = TestApp::spawn().await;
    let phone = app.login_as(Who::Teacher).await;
    let id_number = resident_id("140105", "19900307", 491);
    let mut form = individual_form("张伟", &id_number, &app.fixture.taiyuan.to_string());
    set(&mut form, "achievements", "");
    let r = phone.post_pairs("/apply/individual", &with_intent(form.clone(), "save")).await;
    assert_redirect(&r, "/applications/");
    let edit = location(&r);
    assert!(edit.ends_with("/edit"));

    // Later, on another device: everything typed is there.
    let desktop = app.login_as(Who::Teacher).await;
    let (status, html) = desktop.page(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("value=\"{id_number}\"")) && html.contains("太原市小店区坞城路1号"));
    let (_, apply) = desktop.page("/apply").await;
    assert!(apply.contains("草稿"));
    // Staff never see drafts.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    assert!(!taiyuan.page("/admin/applications").await.1.contains("张伟"));

    set(&mut form, "achievements", "指导学生获全国青少年科技创新大赛二等奖。");
    let r = desktop.post_pairs(&edit, &with_intent(form, "submit")).await;
    assert_redirect(&r, "/applications/");
    let status_page = location(&r);
    let (_, html) = desktop.page(&status_page).await;
    assert!(html.contains("待审核") && html.contains("正在等待市协会资格审查"));
    assert!(html.contains("太原市青少年科技教育协会"), "the reviewing body is named");
    // The applicant is told in the app and by e-mail.
    let (_, messages) = desktop.page("/me/notifications").await;
    assert!(messages.contains("入会申请：待审核"));
    let (subject, body) = app.last_mail_to("zhangwei@example.org").await.expect("an e-mail");
    assert!(subject.contains("入会申请：待审核") && body.contains("张伟"));
    // The city sees it in its queue; the other city does not.
    let (_, queue) = taiyuan.page("/admin/applications").await;
    assert!(queue.contains("张伟") && queue.contains("待审核"));
    let (_, other) = app.login_as(Who::Datong).await.page("/admin/applications").await;
    assert!(!other.contains("张伟"));
    // Submitted: the form can no longer be changed by the applicant.
    let locked = desktop.post_pairs(&edit, &[("name".into(), "改名".into()), ("intent".into(), "save".into())]).await;
    assert_eq!(locked.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_wrong_id_number_is_explained_next_to_the_field_and_nothing_typed_is_lost() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Teacher).await;
    let good = resident_id("140105", "19900307", 491);
    let wrong_check = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let mut form = individual_form("张伟", &wrong_check, &app.fixture.taiyuan.to_string());
    set(&mut form, "education", "高中（中专）");
    let r = b.post_pairs("/apply/individual", &with_intent(form.clone(), "submit")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("身份证号校验位不正确，请核对最后一位"));
    assert!(html.contains("学历需在大专及以上"));
    assert!(html.contains("指导学生获全国青少年科技创新大赛二等奖。") && html.contains("value=\"太原市第五中学\""));
    // The form was kept as a draft even though it could not be submitted.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM application WHERE status = 'draft'").await, 1);

    // A birth date that disagrees with the number.
    let mut form = individual_form("张伟", &good, &app.fixture.taiyuan.to_string());
    set(&mut form, "birth_date", "1990-03-08");
    let id = app.scalar("SELECT id FROM application").await;
    let r = b.post_pairs(&format!("/applications/{id}/edit"), &with_intent(form.clone(), "submit")).await;
    assert!(r.text().await.unwrap().contains("身份证号中的出生日期与填写的出生日期不一致"));
    set(&mut form, "birth_date", "1990年3月7日");
    let r = b.post_pairs(&format!("/applications/{id}/edit"), &with_intent(form, "submit")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_person_has_one_open_application() {
    let app = TestApp::spawn().await;
    let id_number = resident_id("140105", "19850612", 123);
    app.submitted_application(Who::Teacher, "张伟", &id_number).await;
    let someone = app.login_as(Who::Council).await;
    let form = individual_form("张伟", &id_number, &app.fixture.taiyuan.to_string());
    let r = someone.post_pairs("/apply/individual", &with_intent(form, "submit")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("该证件号码已有一份进行中的入会申请"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM application").await, 1);
}

#[tokio::test]
async fn the_city_reviews_against_the_checklist_and_recommends() {
    let app = TestApp::spawn().await;
    let id = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let (status, page) = taiyuan.page(&format!("/admin/applications/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("热心并投身于青少年科技教育事业") && page.contains("太原市第五中学"));
    let url = format!("/admin/applications/{id}/decision");
    // Not every condition ticked.
    let r = taiyuan.post_form(&url, &[("action", "recommend"), ("tick", "0"), ("note", "同意推荐")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请逐项核对并勾选全部审查条件后再推荐"));
    let r = taiyuan
        .post_form(
            &url,
            &[
                ("action", "recommend"),
                ("tick", "0"),
                ("tick", "1"),
                ("tick", "2"),
                ("tick", "3"),
                ("note", "同意推荐"),
            ],
        )
        .await;
    assert_redirect(&r, &format!("/admin/applications/{id}"));
    assert_eq!(app.text(&format!("SELECT status FROM application WHERE id = {id}")).await.unwrap(), "recommended");
    let detail = app
        .text(&format!("SELECT detail FROM application_event WHERE application_id = {id} AND action = 'recommend'"))
        .await
        .unwrap();
    assert!(detail.contains("学历为大专以上"), "the ticked conditions are kept");
    // The applicant sees the step done, by the body — not by the staff member.
    let teacher = app.login_as(Who::Teacher).await;
    let (_, status_page) = teacher.page(&format!("/applications/{id}")).await;
    assert!(status_page.contains("已推荐") && status_page.contains("太原市"));
    assert!(!status_page.contains("李明"));
}

#[tokio::test]
async fn a_returned_application_is_corrected_and_both_versions_are_kept() {
    let app = TestApp::spawn().await;
    let id_number = resident_id("140105", "19900307", 491);
    let id = app.submitted_application(Who::Teacher, "张伟", &id_number).await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let url = format!("/admin/applications/{id}/decision");
    let r = taiyuan.post_form(&url, &[("action", "return"), ("note", "")]).await;
    assert!(r.text().await.unwrap().contains("请写明需要申请人修改的内容"));
    let r = taiyuan.post_form(&url, &[("action", "return"), ("note", "请补充2024年获奖证书的级别")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let teacher = app.login_as(Who::Teacher).await;
    let (_, edit) = teacher.page(&format!("/applications/{id}/edit")).await;
    assert!(edit.contains("请补充2024年获奖证书的级别"), "the applicant sees what to fix");
    let mut form = individual_form("张伟", &id_number, &app.fixture.taiyuan.to_string());
    set(&mut form, "awards", "2024年山西省优秀科技辅导员（省级）");
    let r = teacher.post_pairs(&format!("/applications/{id}/edit"), &with_intent(form, "submit")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM application_version WHERE application_id = {id}")).await, 2);
    let first = app
        .text(&format!("SELECT data FROM application_version WHERE application_id = {id} AND version = 1"))
        .await
        .unwrap();
    assert!(!first.contains("（省级）") && first.contains("2024年山西省优秀科技辅导员"));
    let (_, review) = taiyuan.page(&format!("/admin/applications/{id}")).await;
    assert!(review.contains("共提交 2 次") && review.contains("（省级）"));
}

#[tokio::test]
async fn a_rejection_needs_a_reason_which_the_applicant_reads() {
    let app = TestApp::spawn().await;
    let id = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let r = taiyuan
        .post_form(
            &format!("/admin/applications/{id}/decision"),
            &[("action", "reject"), ("note", "从事科技教育年限不足，暂不推荐")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let teacher = app.login_as(Who::Teacher).await;
    let (_, page) = teacher.page(&format!("/applications/{id}")).await;
    assert!(page.contains("不予推荐") && page.contains("从事科技教育年限不足，暂不推荐"));
    // Closed: the same person may apply again.
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM application WHERE id = {id} AND open_key IS NULL")).await, 1);
}

#[tokio::test]
async fn another_citys_administrator_cannot_act_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let id = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let before = app.audit_count().await;
    let datong = app.login_as(Who::Datong).await;
    let r = datong
        .post_form(&format!("/admin/applications/{id}/decision"), &[("action", "reject"), ("note", "不符合")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(datong.get(&format!("/admin/applications/{id}")).await.status(), StatusCode::FORBIDDEN);
    // The secretariat sees it but does not decide a city's review.
    let sec = app.login_as(Who::Secretariat).await;
    assert_eq!(sec.get(&format!("/admin/applications/{id}")).await.status(), StatusCode::OK);
    let r =
        sec.post_form(&format!("/admin/applications/{id}/decision"), &[("action", "reject"), ("note", "不符合")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.text(&format!("SELECT status FROM application WHERE id = {id}")).await.unwrap(), "submitted");
    assert_eq!(app.audit_count().await, before + 2, "only the two sign-ins were recorded");
}

#[tokio::test]
async fn a_double_click_decides_once() {
    let app = TestApp::spawn().await;
    let id = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let url = format!("/admin/applications/{id}/decision");
    let ticks = [("action", "recommend"), ("tick", "0"), ("tick", "1"), ("tick", "2"), ("tick", "3"), ("note", "同意")];
    let (a, b) = tokio::join!(taiyuan.post_form(&url, &ticks), taiyuan.post_form(&url, &ticks));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM application_event WHERE application_id = {id} AND action = 'recommend'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn an_applicant_withdraws_before_a_decision() {
    let app = TestApp::spawn().await;
    let id = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let teacher = app.login_as(Who::Teacher).await;
    let r = teacher.post_form(&format!("/applications/{id}/withdraw"), &[]).await;
    assert_redirect(&r, &format!("/applications/{id}"));
    assert!(teacher.page(&format!("/applications/{id}")).await.1.contains("已撤回"));
    let again = teacher.post_form(&format!("/applications/{id}/withdraw"), &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("不能进行此操作"));
}

#[tokio::test]
async fn the_queue_counts_each_stage_and_filters() {
    let app = TestApp::spawn().await;
    let a = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    app.submitted_application(Who::Council, "王建国", &resident_id("140105", "19700101", 133)).await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    taiyuan
        .post_form(&format!("/admin/applications/{a}/decision"), &[("action", "return"), ("note", "请补充材料")])
        .await;
    let (_, all) = taiyuan.page("/admin/applications").await;
    assert!(
        all.contains("待审核<span class=\"count\">1</span>") && all.contains("已退回<span class=\"count\">1</span>")
    );
    let (_, returned) = taiyuan.page("/admin/applications?status=returned").await;
    assert!(returned.contains("张伟") && !returned.contains("王建国"));
    let (_, search) = taiyuan.page("/admin/applications?q=%E7%8E%8B").await;
    assert!(search.contains("王建国") && !search.contains("张伟"));
}

#[tokio::test]
async fn a_reviewer_reads_an_applicants_id_number_masked_and_in_full_only_on_asking_which_is_logged() {
    let app = TestApp::spawn().await;
    let id_number = resident_id("140105", "19900307", 491);
    let id = app.submitted_application(Who::Teacher, "张伟", &id_number).await;
    let views = "SELECT COUNT(*) FROM audit_log WHERE action = 'application.id_view'";
    for who in [Who::Taiyuan, Who::Secretariat] {
        let reviewer = app.login_as(who).await;
        let (status, page) = reviewer.page(&format!("/admin/applications/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("1401**********4910") && !page.contains(&id_number), "masked on the page");
        assert!(page.contains("查看完整号码"));
        let before = app.scalar(views).await;
        let r = reviewer.post_form(&format!("/admin/applications/{id}/id-number"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let page = r.text().await.unwrap();
        assert!(page.contains(&id_number) && page.contains("本次查看已记入审计日志"));
        assert_eq!(app.scalar(views).await, before + 1, "each full view is logged");
        // The printed form carries the full number for a reviewer: a full view, logged too.
        let r = reviewer.get(&format!("/applications/{id}/form.pdf")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(app.scalar(views).await, before + 2);
    }
    let first = format!(
        "SELECT actor_name FROM audit_log WHERE action = 'application.id_view' AND target_id = '{id}' ORDER BY id LIMIT 1"
    );
    assert!(app.text(&first).await.unwrap().contains("taiyuan"), "who read it is in the log");
    // Another city sees neither; the applicant's own printout is not a staff view.
    let before = app.scalar(views).await;
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(
        datong.post_form(&format!("/admin/applications/{id}/id-number"), &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let teacher = app.login_as(Who::Teacher).await;
    assert_eq!(teacher.get(&format!("/applications/{id}/form.pdf")).await.status(), StatusCode::OK);
    assert_eq!(app.scalar(views).await, before);
}

#[tokio::test]
async fn an_empty_field_s_error_names_what_is_expected() {
    let app = TestApp::spawn().await;
    let teacher = app.login_as(Who::Teacher).await;
    let r = teacher.post_form("/apply/individual", &[("name", ""), ("intent", "submit")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写姓名"), "the field's own words, not only that it is required");
    assert!(!html.contains(">此项为必填项<"));
}
