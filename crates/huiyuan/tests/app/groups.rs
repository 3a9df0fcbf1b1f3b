//! Group applications (团体会员): the institution's form, its registered individual members,
//! and the group through the chain to a member linked with its people.

use reqwest::StatusCode;

use crate::helpers::*;

/// A complete group form for 太原市 registering `people` (name, ID number).
fn group_form(city: &str, people: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("name", "太原市第五中学校"),
        ("institution_type", "中小学"),
        ("code_type", "credit_code"),
        ("code", "91350100M000100Y43"),
        ("legal_rep", "王志强"),
        ("science_head", "李红梅"),
        ("contact_name", "赵刚"),
        ("contact_post", "科技处主任"),
        ("contact_mobile", "13912345678"),
        ("contact_email", "kjc@example.org"),
        ("address", "太原市小店区坞城路1号"),
        ("postcode", "030006"),
        ("students", "2400"),
        ("staff", "180"),
        ("counsellors_full", "3"),
        ("counsellors_part", "12"),
        ("city", city),
        ("category", "group"),
        ("activities", "每年举办校园科技节，组织学生参加青少年科技创新大赛。"),
        ("consent", "yes"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for i in 0..5 {
        form.push((format!("cond_{i}"), "yes".into()));
        form.push((format!("cond_text_{i}"), format!("第{}条的具体做法", i + 1)));
    }
    for (i, (name, id)) in people.iter().enumerate() {
        form.push((format!("person_name_{i}"), name.to_string()));
        form.push((format!("person_id_{i}"), id.to_string()));
    }
    form
}

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    form.iter_mut().filter(|(k, _)| k == key).for_each(|(_, v)| *v = value.to_string());
}

fn submit(mut form: Vec<(String, String)>) -> Vec<(String, String)> {
    form.push(("intent".into(), "submit".into()));
    form
}

/// Three teachers with individual applications in: (name, ID number).
async fn three_teachers(app: &TestApp) -> [(String, String, i64); 3] {
    let zhang = resident_id("140105", "19900307", 491);
    let wang = resident_id("140105", "19700101", 133);
    let zhao = resident_id("140105", "19850612", 224);
    let a = app.submitted_application(Who::Teacher, "张伟", &zhang).await;
    let b = app.submitted_application(Who::Council, "王建国", &wang).await;
    let c = app.submitted_application(Who::Datong, "赵敏", &zhao).await;
    [("张伟".into(), zhang, a), ("王建国".into(), wang, b), ("赵敏".into(), zhao, c)]
}

#[tokio::test]
async fn a_group_registers_its_teachers_and_what_is_wrong_is_said_in_place() {
    let app = TestApp::spawn().await;
    let people = three_teachers(&app).await;
    let rows: Vec<(&str, &str)> = people.iter().map(|(n, i, _)| (n.as_str(), i.as_str())).collect();
    let school = app.login_as(Who::Sysadmin).await;
    let city = app.fixture.taiyuan.to_string();
    let (status, page) = school.page("/apply/group").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("有专兼职的科技辅导员") && page.contains("3–5"));

    // A wrong check character, a stranger's number and a missing declaration, all at once.
    let mut form = group_form(&city, &rows);
    set(&mut form, "code", "91350100M000100Y44");
    set(&mut form, "person_id_2", &resident_id("140105", "19800101", 338));
    set(&mut form, "cond_3", "no");
    let r = school.post_pairs("/apply/group", &submit(form)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("统一社会信用代码校验位不正确，请核对最后一位"));
    assert!(body.contains("请确认本单位符合此条件"));
    assert!(body.contains("没有找到此姓名和证件号码对应的个人会员"));
    assert!(body.contains("李红梅") && body.contains("第3条的具体做法"), "what was typed stays");
    // Right number, wrong name: the same answer (the form does not reveal who applied).
    let mut form = group_form(&city, &rows);
    set(&mut form, "person_name_1", "王建军");
    let r = school.post_pairs(&location_of_draft(&app).await, &submit(form)).await;
    assert!(r.text().await.unwrap().contains("没有找到此姓名和证件号码对应的个人会员"));
    // Two people are not enough.
    let r = school.post_pairs(&location_of_draft(&app).await, &submit(group_form(&city, &rows[..2]))).await;
    assert!(r.text().await.unwrap().contains("须登记 3–5 名个人会员"));

    let r = school.post_pairs(&location_of_draft(&app).await, &submit(group_form(&city, &rows))).await;
    assert_redirect(&r, "/applications/");
    let id = app.scalar("SELECT id FROM application WHERE kind = 'group'").await;
    assert_eq!(app.text(&format!("SELECT status FROM application WHERE id = {id}")).await.unwrap(), "submitted");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM group_person WHERE application_id = {id}")).await, 3);
    // One open application per institution.
    let other = app.login_as(Who::Secretariat).await;
    let r = other.post_pairs("/apply/group", &submit(group_form(&city, &rows))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("该单位已有一份进行中的入会申请"));

    // The city reads the declarations and the people, their numbers masked until it asks to
    // read them in full (it checks them; each full view is logged).
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let (_, review) = taiyuan.page(&format!("/admin/applications/{id}")).await;
    assert!(
        review.contains("第5条的具体做法")
            && review.contains("王建国")
            && review.contains("登记表填写完整，加盖单位公章")
    );
    assert!(!review.contains(&people[1].1) && review.contains("1401**********1335"));
    let r = taiyuan.post_form(&format!("/admin/applications/{id}/id-number"), &[]).await;
    assert!(r.text().await.unwrap().contains(&people[1].1));
    // A council member reads the numbers masked, on the page and on the printed form.
    let council = app.login_as(Who::Council).await;
    let (_, page) = council.page(&format!("/admin/applications/{id}")).await;
    assert!(page.contains("王建国") && !page.contains(&people[1].1) && page.contains("1401**********1335"));
    let pdf = council.get(&format!("/applications/{id}/form.pdf")).await.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("王建国") && !text.contains(&people[1].1), "{text}");
}

/// The id of the group draft saved by the last refused submission, as its edit path.
async fn location_of_draft(app: &TestApp) -> String {
    let id = app.scalar("SELECT id FROM application WHERE kind = 'group'").await;
    format!("/applications/{id}/edit")
}

#[tokio::test]
async fn a_group_and_its_teachers_become_linked_members_whichever_is_approved_first() {
    let app = TestApp::spawn().await;
    let people = three_teachers(&app).await;
    let rows: Vec<(&str, &str)> = people.iter().map(|(n, i, _)| (n.as_str(), i.as_str())).collect();
    let school = app.login_as(Who::Sysadmin).await;
    let r = school.post_pairs("/apply/group", &submit(group_form(&app.fixture.taiyuan.to_string(), &rows))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let group = app.scalar("SELECT id FROM application WHERE kind = 'group'").await;

    // The city reviews the group against its own checklist (six conditions) and 张伟.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let ticks: Vec<String> = (0..6).map(|i| i.to_string()).collect();
    let mut fields = vec![("action", "recommend"), ("note", "同意推荐")];
    fields.extend(ticks.iter().map(|t| ("tick", t.as_str())));
    let r = taiyuan.post_form(&format!("/admin/applications/{group}/decision"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let zhang = people[0].2;
    let mut fields = vec![("action", "recommend"), ("note", "同意推荐")];
    fields.extend(TICKS_CITY);
    taiyuan.post_form(&format!("/admin/applications/{zhang}/decision"), &fields).await;
    let batch = create_batch(&taiyuan, "太原市2026年第1批", &[zhang, group]).await;
    assert!(taiyuan.page(&format!("/admin/batches/{batch}")).await.1.contains("中小学"));
    taiyuan.post_form(&format!("/admin/batches/{batch}/forward"), &[]).await;

    let sec = app.login_as(Who::Secretariat).await;
    file_dossier(&sec, zhang).await;
    file_dossier(&sec, group).await;
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "minutes", &[council], &[zhang, group]).await;
    let mut close = vec![("resolution".to_string(), "晋青科教〔2026〕12号".to_string())];
    for a in [zhang, group] {
        close.push((format!("approve_{a}"), "1".into()));
        close.push((format!("reject_{a}"), "0".into()));
        close.push((format!("abstain_{a}"), "0".into()));
    }
    assert_eq!(sec.post_pairs(&format!("/admin/council/{m}/close"), &close).await.status(), StatusCode::SEE_OTHER);
    // Groups draw from their own class: G.
    assert_eq!(
        app.text(&format!("SELECT number FROM member WHERE application_id = {group}")).await.unwrap(),
        "SXK1010001G"
    );
    assert_eq!(
        app.text(&format!("SELECT number FROM member WHERE application_id = {zhang}")).await.unwrap(),
        "SXK1010001M"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM member_link").await,
        1,
        "张伟 was a member first: the group links to him"
    );

    // 王建国 is approved later: his link is made then.
    let wang = people[1].2;
    let mut fields = vec![("action", "recommend"), ("note", "同意推荐")];
    fields.extend(TICKS_CITY);
    taiyuan.post_form(&format!("/admin/applications/{wang}/decision"), &fields).await;
    let b2 = create_batch(&taiyuan, "太原市2026年第2批", &[wang]).await;
    taiyuan.post_form(&format!("/admin/batches/{b2}/forward"), &[]).await;
    file_dossier(&sec, wang).await;
    let m2 = call_meeting(&sec, "minutes", &[council], &[wang]).await;
    let close = [
        ("resolution", "晋青科教〔2026〕13号"),
        (&format!("approve_{wang}") as &str, "1"),
        (&format!("reject_{wang}"), "0"),
        (&format!("abstain_{wang}"), "0"),
    ];
    assert_eq!(sec.post_form(&format!("/admin/council/{m2}/close"), &close).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member_link").await, 2);
    let linked = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM member_link l JOIN member g ON g.id = l.group_member_id WHERE g.application_id = {group}"
        ))
        .await;
    assert_eq!(linked, 2);
}
