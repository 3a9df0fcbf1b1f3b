//! Joining after the city's review: batches to the province, the secretariat's dossier, the
//! standing council's resolution, and the member with a unified number.

use reqwest::StatusCode;

use crate::helpers::*;
use huiyuan::auth::Role;

const RESOLUTION: &str = "晋青科教〔2026〕12号";

async fn status_of(app: &TestApp, id: i64) -> String {
    app.text(&format!("SELECT status FROM application WHERE id = {id}")).await.unwrap()
}

#[tokio::test]
async fn a_teacher_becomes_a_member_through_batch_dossier_and_council() {
    let app = TestApp::spawn().await;
    let id = app.recommended_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;

    // The city gathers its recommendations on the queue's recommended tab.
    let city = app.login_as(Who::Taiyuan).await;
    let (_, tab) = city.page("/admin/applications?status=recommended").await;
    assert!(tab.contains("汇总为批次") && tab.contains("年第1批"), "a batch name is proposed");
    let b = create_batch(&city, "太原市2026年第1批", &[id]).await;
    let (_, page) = city.page(&format!("/admin/batches/{b}")).await;
    assert!(page.contains("太原市2026年第1批") && page.contains("张伟") && page.contains("太原市第五中学"));
    // Another city neither sees nor forwards it.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.get(&format!("/admin/batches/{b}")).await.status(), StatusCode::FORBIDDEN);
    assert!(!datong.page("/admin/batches").await.1.contains("太原市2026年第1批"));
    assert_eq!(datong.post_form(&format!("/admin/batches/{b}/forward"), &[]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, id).await, "recommended");

    let r = city.post_form(&format!("/admin/batches/{b}/forward"), &[]).await;
    assert_redirect(&r, &format!("/admin/batches/{b}"));
    assert_eq!(status_of(&app, id).await, "forwarded");
    let again = city.post_form(&format!("/admin/batches/{b}/forward"), &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "a batch is forwarded once");
    assert!(city.page(&format!("/admin/batches/{b}")).await.1.contains("批次已报送，内容已锁定"));
    // The applicant cannot change or resubmit what was forwarded.
    let teacher = app.login_as(Who::Teacher).await;
    let mut form = individual_form("张伟", &resident_id("140105", "19900307", 491), &app.fixture.taiyuan.to_string());
    form.iter_mut().filter(|(k, _)| k == "awards").for_each(|(_, v)| v.push_str("；补充的奖项"));
    form.push(("intent".into(), "submit".into()));
    let r = teacher.post_pairs(&format!("/applications/{id}/edit"), &form).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(status_of(&app, id).await, "forwarded");
    assert_eq!(teacher.post_form(&format!("/applications/{id}/withdraw"), &[]).await.status(), StatusCode::CONFLICT);

    // The secretariat checks the dossier: every item and all three paper copies.
    let sec = app.login_as(Who::Secretariat).await;
    let (_, review) = sec.page(&format!("/admin/applications/{id}")).await;
    assert!(review.contains("秘书处建档") && review.contains("市协会推荐意见已签署并盖章"));
    let url = format!("/admin/applications/{id}/dossier");
    let r = sec.post_form(&url, &[("tick", "0"), ("copies", "3"), ("action", "file")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请逐项核对并勾选全部条件后再建档"));
    let r =
        sec.post_form(&url, &[("tick", "0"), ("tick", "1"), ("tick", "2"), ("copies", "2"), ("action", "file")]).await;
    let body = r.text().await.unwrap();
    assert!(body.contains("纸质登记表须收齐 3 份才能建档"));
    assert!(body.contains(r#"name="copies" value="2""#), "what was typed stays");
    // Saving without filing keeps the ticks for later.
    let r = sec.post_form(&url, &[("tick", "0"), ("copies", "1"), ("action", "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id).await, "forwarded");
    assert!(sec.page(&format!("/admin/applications/{id}")).await.1.contains(r#"name="copies" value="1""#));
    file_dossier(&sec, id).await;
    assert_eq!(status_of(&app, id).await, "ready");

    // A meeting: the council member votes in the app, the secretariat passes the resolution.
    let (_, new) = sec.page("/admin/council/new").await;
    assert!(new.contains("王建国") && new.contains("张伟"));
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "votes", &[council], &[id]).await;
    assert_eq!(status_of(&app, id).await, "on_agenda");
    let member = app.login_as(Who::Council).await;
    let (_, ballot) = member.page(&format!("/admin/council/{m}")).await;
    assert!(ballot.contains("提交表决") && ballot.contains("张伟"));
    let votes = format!("/admin/council/{m}/votes");
    let item = id.to_string();
    let r = member.post_form(&votes, &[("item", &item), (&format!("comment_{id}"), "材料齐全")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("请对“张伟”作出表决") && body.contains("材料齐全"), "{body}");
    let r = member.post_form(&votes, &[("item", &item), (&format!("choice_{id}"), "approve")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The secretariat does not vote; it sees who has voted, not how.
    let (_, followed) = sec.page(&format!("/admin/council/{m}")).await;
    assert!(followed.contains("王建国：已表决") && !followed.contains("提交表决"));
    assert_eq!(
        sec.post_form(&votes, &[("item", &item), (&format!("choice_{id}"), "approve")]).await.status(),
        StatusCode::FORBIDDEN
    );

    let close = format!("/admin/council/{m}/close");
    assert_eq!(member.post_form(&close, &[("resolution", RESOLUTION)]).await.status(), StatusCode::FORBIDDEN);
    let r = sec.post_form(&close, &[("resolution", RESOLUTION)]).await;
    assert_redirect(&r, &format!("/admin/council/{m}"));
    assert_eq!(status_of(&app, id).await, "approved");
    // 太原市 is the first city: unit 101; an ordinary member's class is M.
    assert_eq!(
        app.text(&format!("SELECT number FROM member WHERE application_id = {id}")).await.unwrap(),
        "SXK1010001M"
    );
    let (_, resolved) = sec.page(&format!("/admin/council/{m}")).await;
    assert!(resolved.contains(RESOLUTION) && resolved.contains("王建国：同意") && resolved.contains("批准"));
    let twice = sec.post_form(&close, &[("resolution", "晋青科教〔2026〕13号")]).await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, 1);

    // The teacher reads the number on the status page.
    let teacher = app.login_as(Who::Teacher).await;
    let (_, mine) = teacher.page(&format!("/applications/{id}")).await;
    assert!(mine.contains("SXK1010001M"));
    // … and in the e-mail that told them.
    let (subject, body) = app.last_mail_to("zhangwei@example.org").await.unwrap();
    assert!(subject.contains("已通过"), "{subject}");
    assert!(body.contains("SXK1010001M") && body.contains(RESOLUTION), "{body}");
    // A member does not apply twice.
    let mut again = individual_form("张伟", &resident_id("140105", "19900307", 491), &app.fixture.taiyuan.to_string());
    again.push(("intent".into(), "submit".into()));
    let r = teacher.post_pairs("/apply/individual", &again).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("已是本会会员（会员编号 SXK1010001M）"));
    // Every step left its record (the dossier twice: saved, then filed).
    let steps = [
        ("batch.create", 1),
        ("batch.forward", 1),
        ("application.dossier", 2),
        ("council.create", 1),
        ("council.vote", 1),
        ("council.close", 1),
    ];
    for (action, n) in steps {
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await,
            n,
            "{action}"
        );
    }
    // The applicant heard of each step.
    assert!(
        app.scalar(&format!("SELECT COUNT(*) FROM notification WHERE user_id = {}", app.fixture.user(Who::Teacher).0))
            .await
            >= 4
    );
}

#[tokio::test]
async fn a_batch_keeps_what_was_typed_when_refused_and_locks_when_forwarded() {
    let app = TestApp::spawn().await;
    let a = app.recommended_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let b = app.recommended_application(Who::Council, "王建国", &resident_id("140105", "19700101", 133)).await;
    let city = app.login_as(Who::Taiyuan).await;
    let before = app.audit_count().await;

    let r = city.post_form("/admin/batches", &[("name", "太原市第一批")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("请至少勾选一份申请") && body.contains(r#"value="太原市第一批""#));
    let first = create_batch(&city, "太原市第一批", &[a]).await;
    let (a_s, b_s) = (a.to_string(), b.to_string());
    let r = city.post_form("/admin/batches", &[("name", "太原市第一批"), ("app", &b_s)]).await;
    assert!(r.text().await.unwrap().contains("已有同名批次"));
    let r = city.post_form("/admin/batches", &[("name", "太原市第二批"), ("app", &a_s), ("app", &b_s)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("“张伟”不是待报送的已推荐申请"), "an application is in one open batch");
    // Another city cannot batch 太原市's applications.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(
        datong.post_form("/admin/batches", &[("name", "x"), ("app", &b_s)]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.audit_count().await, before + 2, "one batch and the sign-in; the refusals changed nothing");

    // Taken out of the open batch, it can go in another one.
    let r = city.post_form(&format!("/admin/batches/{first}/items/{a}/remove"), &[]).await;
    assert_redirect(&r, &format!("/admin/batches/{first}"));
    let second = create_batch(&city, "太原市第二批", &[a, b]).await;
    city.post_form(&format!("/admin/batches/{second}/forward"), &[]).await;
    assert_eq!(status_of(&app, a).await, "forwarded");
    assert_eq!(status_of(&app, b).await, "forwarded");
    let r = city.post_form(&format!("/admin/batches/{second}/items/{a}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The empty first batch cannot be forwarded.
    assert_eq!(city.post_form(&format!("/admin/batches/{first}/forward"), &[]).await.status(), StatusCode::CONFLICT);
    assert_eq!(app.text(&format!("SELECT status FROM batch WHERE id = {first}")).await.unwrap(), "open");
}

#[tokio::test]
async fn the_secretariat_sends_an_application_back_to_the_city_with_a_reason() {
    let app = TestApp::spawn().await;
    let id = app.forwarded_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let sec = app.login_as(Who::Secretariat).await;
    let url = format!("/admin/applications/{id}/dossier");
    let r = sec.post_form(&url, &[("copies", "0"), ("action", "send_back"), ("note", "")]).await;
    assert!(r.text().await.unwrap().contains("退回市协会时请写明原因"));
    let r = sec.post_form(&url, &[("copies", "0"), ("action", "send_back"), ("note", "推荐意见未盖章")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id).await, "sent_back");
    // The city reads why and can recommend again.
    let city = app.login_as(Who::Taiyuan).await;
    let (_, page) = city.page(&format!("/admin/applications/{id}")).await;
    assert!(page.contains("推荐意见未盖章") && page.contains(r#"value="recommend""#));
    // The secretariat's dossier form is closed until it comes back.
    assert_eq!(sec.post_form(&url, &[("copies", "3"), ("action", "file")]).await.status(), StatusCode::CONFLICT);
    // Another city cannot even look at the dossier.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.post_form(&url, &[("copies", "3")]).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_province_direct_application_is_checked_and_filed_by_the_secretariat() {
    let app = TestApp::spawn().await;
    let teacher = app.login_as(Who::Teacher).await;
    let mut form = individual_form("张伟", &resident_id("140105", "19900307", 491), "direct");
    form.push(("intent".into(), "submit".into()));
    assert_eq!(teacher.post_pairs("/apply/individual", &form).await.status(), StatusCode::SEE_OTHER);
    let id = app.scalar("SELECT id FROM application").await;
    assert!(!app.login_as(Who::Taiyuan).await.page("/admin/applications").await.1.contains("张伟"));
    let sec = app.login_as(Who::Secretariat).await;
    let (_, page) = sec.page(&format!("/admin/applications/{id}")).await;
    assert!(page.contains("省协会直接吸纳"));
    // The qualification conditions come first (no city checked them), no city seal asked.
    assert!(page.contains("学历为大专以上，与证书一致") && !page.contains("市协会推荐意见已签署"));
    assert!(!page.contains(r#"value="send_back""#), "there is no city to send it back to");
    let url = format!("/admin/applications/{id}/dossier");
    let mut fields = vec![("copies", "3"), ("action", "file")];
    let ticks: Vec<String> = (0..6).map(|i| i.to_string()).collect();
    fields.extend(ticks.iter().take(5).map(|t| ("tick", t.as_str())));
    assert_eq!(sec.post_form(&url, &fields).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    fields.push(("tick", "5"));
    assert_redirect(&sec.post_form(&url, &fields).await, &format!("/admin/applications/{id}"));
    assert_eq!(status_of(&app, id).await, "ready");
    assert!(teacher.page(&format!("/applications/{id}")).await.1.contains("等待常务理事会审批"));

    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "minutes", &[council], &[id]).await;
    let r = sec
        .post_form(
            &format!("/admin/council/{m}/close"),
            &[
                ("resolution", RESOLUTION),
                (&format!("approve_{id}"), "1"),
                (&format!("reject_{id}"), "0"),
                (&format!("abstain_{id}"), "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Province-direct members are numbered in the province's unit.
    assert_eq!(
        app.text(&format!("SELECT number FROM member WHERE application_id = {id}")).await.unwrap(),
        "SXK1000001M"
    );
}

#[tokio::test]
async fn the_minutes_of_an_offline_meeting_decide_each_application() {
    let app = TestApp::spawn().await;
    let a = app.forwarded_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let b = app.forwarded_application(Who::Council, "王建国", &resident_id("140105", "19700101", 133)).await;
    let sec = app.login_as(Who::Secretariat).await;
    file_dossier(&sec, a).await;
    file_dossier(&sec, b).await;
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "minutes", &[council], &[a, b]).await;
    // Nobody votes in the app at an offline meeting.
    let member = app.login_as(Who::Council).await;
    assert!(!member.page(&format!("/admin/council/{m}")).await.1.contains("提交表决"));

    let close = format!("/admin/council/{m}/close");
    let (aa, ar, ab) = (format!("approve_{a}"), format!("reject_{a}"), format!("abstain_{a}"));
    let (ba, br, bb) = (format!("approve_{b}"), format!("reject_{b}"), format!("abstain_{b}"));
    // More votes than people present.
    let r = sec
        .post_form(
            &close,
            &[("resolution", RESOLUTION), (&aa, "2"), (&ar, "0"), (&ab, "0"), (&ba, "0"), (&br, "1"), (&bb, "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("合计不超过出席人数 1") && body.contains(RESOLUTION) && body.contains(r#"value="2""#));
    assert_eq!(app.text(&format!("SELECT status FROM council_meeting WHERE id = {m}")).await.unwrap(), "open");
    let r = sec
        .post_form(
            &close,
            &[("resolution", RESOLUTION), (&aa, "1"), (&ar, "0"), (&ab, "0"), (&ba, "0"), (&br, "1"), (&bb, "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, a).await, "approved");
    assert_eq!(status_of(&app, b).await, "not_approved");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, 1);
    assert!(sec.page(&format!("/admin/council/{m}")).await.1.contains("未批准"));
    // The declined applicant reads the outcome.
    let (_, page) = member.page(&format!("/applications/{b}")).await;
    assert!(page.contains("未批准"));
}

#[tokio::test]
async fn a_meeting_without_quorum_cannot_resolve_and_nothing_changes() {
    let app = TestApp::spawn().await;
    // A council of two: one present is not more than half.
    app.grant(Who::Secretariat, Role::Council, app.fixture.root).await;
    let id = app.forwarded_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let sec = app.login_as(Who::Secretariat).await;
    file_dossier(&sec, id).await;
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "minutes", &[council], &[id]).await;
    assert!(sec.page(&format!("/admin/council/{m}")).await.1.contains("未达到法定人数"));
    let before = app.audit_count().await;
    let r = sec
        .post_form(
            &format!("/admin/council/{m}/close"),
            &[
                ("resolution", RESOLUTION),
                (&format!("approve_{id}"), "1"),
                (&format!("reject_{id}"), "0"),
                (&format!("abstain_{id}"), "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("出席 1 人，未达到 2 名常务理事的法定人数"), "{body}");
    assert_eq!(app.text(&format!("SELECT status FROM council_meeting WHERE id = {m}")).await.unwrap(), "open");
    assert_eq!(status_of(&app, id).await, "on_agenda");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, 0);
    assert_eq!(app.audit_count().await, before);
    // Taken off the agenda, it waits for the next meeting.
    let r = sec.post_form(&format!("/admin/council/{m}/items/{id}/remove"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id).await, "ready");
}

#[tokio::test]
async fn concurrent_approvals_get_distinct_gap_free_numbers() {
    let app = TestApp::spawn().await;
    let settings = app.state.settings.clone();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let db = app.state.db.clone();
        let settings = settings.clone();
        tasks.push(tokio::spawn(async move {
            let unit = if i % 2 == 0 { 101 } else { 102 };
            let mut tx = db.begin().await.unwrap();
            let number = huiyuan::members::numbering::allocate(&mut tx, &settings, unit, "M").await.unwrap();
            // Every tenth approval fails later in its transaction: its number goes back.
            if i % 20 >= 18 {
                tx.rollback().await.unwrap();
                None
            } else {
                tx.commit().await.unwrap();
                Some(number)
            }
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.extend(t.await.unwrap());
    }
    assert_eq!(numbers.len(), 180);
    for (unit, want) in [("101", 90), ("102", 90)] {
        let mut seqs: Vec<u32> =
            numbers.iter().filter(|n| n[3..6] == *unit).map(|n| n[6..10].parse().unwrap()).collect();
        seqs.sort();
        assert_eq!(seqs, (1..=want).collect::<Vec<u32>>(), "unit {unit}: distinct and without gaps");
    }
}

#[tokio::test]
async fn a_used_up_sequence_says_so_instead_of_reusing_a_number() {
    let app = TestApp::spawn().await;
    let settings = app.state.settings.clone();
    sqlx::query("INSERT INTO number_sequence (unit, class, next) VALUES (101, 'M', 9999)")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let last = huiyuan::members::numbering::allocate(&mut tx, &settings, 101, "M").await.unwrap();
    assert_eq!(last, "SXK1019999M");
    let over = huiyuan::members::numbering::allocate(&mut tx, &settings, 101, "M").await;
    assert!(matches!(over, Err(huiyuan::members::numbering::NumberError::Exhausted { .. })));
}

#[tokio::test]
async fn closing_a_meeting_twice_at_once_approves_once() {
    let app = TestApp::spawn().await;
    let id = app.filed_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let sec = app.login_as(Who::Secretariat).await;
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "minutes", &[council], &[id]).await;
    let url = format!("/admin/council/{m}/close");
    let (a, r, b) = (format!("approve_{id}"), format!("reject_{id}"), format!("abstain_{id}"));
    let fields = [("resolution", RESOLUTION), (&a as &str, "1"), (&r, "0"), (&b, "0")];
    let (first, second) = tokio::join!(sec.post_form(&url, &fields), sec.post_form(&url, &fields));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, 1);
    assert_eq!(app.scalar("SELECT next FROM number_sequence").await, 2, "one number drawn");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'application.approve'").await, 1);
}

#[tokio::test]
async fn two_server_processes_resolving_meetings_at_once_draw_distinct_gap_free_numbers() {
    let app = TestApp::spawn().await;
    let mut filed = Vec::new();
    for i in 0..12 {
        filed.push(
            app.filed_application(Who::Council, &format!("申请人{i}"), &resident_id("140105", "19700101", 101 + 2 * i))
                .await,
        );
    }
    let sec = app.login_as(Who::Secretariat).await;
    let council = app.fixture.user(Who::Council).0;
    let mut meetings = Vec::new();
    for pair in filed.chunks(2) {
        meetings.push((call_meeting(&sec, "minutes", &[council], pair).await, pair.to_vec()));
    }
    let second = SecondServer::start(&app.db_url);
    let other = Browser::signed_in(&second.base, Who::Secretariat.username(), PASSWORD).await;
    let closes = meetings.iter().enumerate().map(|(i, (m, apps))| {
        let server = if i % 2 == 0 { &sec } else { &other };
        let mut fields = vec![("resolution".to_string(), format!("晋青科教〔2026〕{}号", 20 + i))];
        for a in apps {
            fields.push((format!("approve_{a}"), "1".into()));
            fields.push((format!("reject_{a}"), "0".into()));
            fields.push((format!("abstain_{a}"), "0".into()));
        }
        async move { server.post_pairs(&format!("/admin/council/{m}/close"), &fields).await.status() }
    });
    let statuses = futures_join_all(closes).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    let mut numbers: Vec<String> = Vec::new();
    for a in &filed {
        numbers.push(app.text(&format!("SELECT number FROM member WHERE application_id = {a}")).await.unwrap());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=12).map(|n| format!("SXK101{n:04}M")).collect();
    assert_eq!(numbers, expected, "distinct and without gaps across both processes");
}

/// Run the futures together; their outputs, in the order they finish.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    // Poll all of them concurrently.
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    out
}

#[tokio::test]
async fn an_application_returned_to_its_applicant_leaves_the_open_batch() {
    let app = TestApp::spawn().await;
    let id = app.recommended_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let city = app.login_as(Who::Taiyuan).await;
    let b = create_batch(&city, "太原市2026年第1批", &[id]).await;
    let r = city
        .post_form(&format!("/admin/applications/{id}/decision"), &[("action", "return"), ("note", "请补充获奖证书")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM batch_item WHERE batch_id = {b}")).await, 0);
    let page = city.page(&format!("/admin/batches/{b}")).await.1;
    assert!(!page.contains(&format!("/admin/applications/{id}")), "{page}");
    // Resubmitted to another city, it is that city's alone.
    let teacher = app.login_as(Who::Teacher).await;
    let mut form = individual_form("张伟", &resident_id("140105", "19900307", 491), &app.fixture.datong.to_string());
    form.push(("intent".into(), "submit".into()));
    assert_eq!(teacher.post_pairs(&format!("/applications/{id}/edit"), &form).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(city.get(&format!("/admin/applications/{id}")).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn nobody_reviews_or_votes_on_their_own_application() {
    let app = TestApp::spawn().await;
    // 太原市's administrator applies to 太原市.
    let own = app.submitted_application(Who::Taiyuan, "李明", &resident_id("140105", "19800101", 337)).await;
    let city = app.login_as(Who::Taiyuan).await;
    let mut fields = vec![("action", "recommend"), ("note", "同意")];
    fields.extend(TICKS_CITY);
    let r = city.post_form(&format!("/admin/applications/{own}/decision"), &fields).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能审核自己提交的入会申请"));
    assert_eq!(status_of(&app, own).await, "submitted");

    // A council member's own application is on the agenda: they do not vote on it.
    let theirs = app.filed_application(Who::Council, "王建国", &resident_id("140105", "19700101", 133)).await;
    let sec = app.login_as(Who::Secretariat).await;
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "votes", &[council], &[theirs]).await;
    let member = app.login_as(Who::Council).await;
    assert!(member.page(&format!("/admin/council/{m}")).await.1.contains("您是申请人，回避表决"));
    let item = theirs.to_string();
    let r = member
        .post_form(&format!("/admin/council/{m}/votes"), &[("item", &item), (&format!("choice_{theirs}"), "approve")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM vote").await, 0);
    // Once the meeting has resolved, no vote is taken.
    let r = sec.post_form(&format!("/admin/council/{m}/close"), &[("resolution", RESOLUTION)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = member
        .post_form(&format!("/admin/council/{m}/votes"), &[("item", &item), (&format!("choice_{theirs}"), "reject")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_council_page_without_meetings_says_who_calls_one_and_when() {
    let app = TestApp::spawn().await;
    let (status, page) = app.login_as(Who::Secretariat).await.page("/admin/council").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("还没有会议。申请经省协会审核建档后，由秘书处点击“召开会议”"), "{page}");
    assert!(page.contains(r#"href="/admin/council/new""#), "beside the button it names");
}
