//! Progress reports (发展情况报告): a city hands its report in with the figures of that
//! moment frozen, a narrative and files; it cannot hand it in twice; the secretariat returns
//! it with a comment or accepts it; a report after the deadline is marked late; another
//! city can neither see nor hand in a city's report.

use crate::helpers::*;
use crate::targets::progress_fixture;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const NARRATIVE: &str = "一、今年发展团体会员 2 个、个人会员 4 名。\n二、下一步走访县区学校。";

fn report_path(year: i32, org: i64) -> String {
    format!("/admin/progress/{year}/{org}/report")
}

#[tokio::test]
async fn a_city_hands_in_its_report_with_the_figures_of_that_moment_and_cannot_hand_it_in_twice() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let ty = app.fixture.taiyuan;
    let year = app.state.settings.locale.today().year();
    let path = report_path(year, ty.0);
    let city = app.login_as(Who::Taiyuan).await;
    let (status, page) = city.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("当前数据") && page.contains("提交报告"), "the form, with the figures as they stand");

    // No narrative: refused, the file is not stored, nothing changes.
    let files_before = app.scalar("SELECT COUNT(*) FROM stored_file").await;
    let r = city.upload_with(&path, &[("narrative", "  ")], "工作总结.pdf", PDF.to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("请填写报告正文"));
    // A file that is not what it says: refused, the narrative kept.
    let r = city.upload_with(&path, &[("narrative", NARRATIVE)], "总结.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("总结.pdf") && page.contains("下一步走访县区学校"), "the reason, and what was typed");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stored_file").await, files_before);

    // Another city can neither see nor hand in 太原's report; the province does not hand it in.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.page(&path).await.0, 403);
    assert_eq!(datong.upload_with(&path, &[("narrative", NARRATIVE)], "a.pdf", PDF.to_vec()).await.status(), 403);
    let secretariat = app.login_as(Who::Secretariat).await;
    assert_eq!(secretariat.upload_with(&path, &[("narrative", NARRATIVE)], "a.pdf", PDF.to_vec()).await.status(), 403);

    let r = city.upload_with(&path, &[("narrative", NARRATIVE)], "工作总结.pdf", PDF.to_vec()).await;
    assert_eq!(r.status(), 303);
    // Figures move on after the report is in: a fifth individual member joins 太原.
    app.add_member(NewMemberSpec { name: "郑宇", org: Some(ty), ..NewMemberSpec::default() }).await;
    let (_, page) = secretariat.page(&path).await;
    assert!(page.contains("已提交待审阅") && page.contains("提交时的数据"), "{page}");
    assert!(page.contains(r#"<td data-label="数量">4</td>"#), "4 individuals when it was handed in, not 5");
    assert!(page.contains("下一步走访县区学校") && page.contains("工作总结.pdf"));
    let file_id = app.scalar("SELECT file_id FROM progress_report_file").await;
    let file = secretariat.get(&format!("{path}/files/{file_id}")).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(datong.get(&format!("{path}/files/{file_id}")).await.status(), 403);
    // The dashboard shows the report in, and the figures as they stand now.
    let (_, dash) = secretariat.page("/admin/progress").await;
    assert!(dash.contains("1 / 11") && dash.contains("已提交待审阅"));
    assert!(dash.contains(&format!(r#"href="/admin/members?city={}&kind=individual&year={year}">5</a>"#, ty.0)));

    // Twice: refused with the reason; still one report, handed in once.
    let r = city.upload_with(&path, &[("narrative", "再次提交")], "", Vec::new()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("不能重复提交"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report").await, 1);
    assert_eq!(app.scalar("SELECT version FROM progress_report").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report.submit'").await, 1);
}

#[tokio::test]
async fn the_secretariat_returns_a_report_with_a_comment_and_accepts_it_once_it_comes_back() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let ty = app.fixture.taiyuan;
    let year = app.state.settings.locale.today().year();
    let path = report_path(year, ty.0);
    let review = format!("{path}/review");
    let city = app.login_as(Who::Taiyuan).await;
    assert_eq!(city.upload_with(&path, &[("narrative", NARRATIVE)], "", Vec::new()).await.status(), 303);
    let secretariat = app.login_as(Who::Secretariat).await;
    // A city cannot review its own report.
    assert_eq!(city.post_form(&review, &[("decision", "accept")]).await.status(), 403);
    // A return needs a comment.
    let r = secretariat.post_form(&review, &[("decision", "return"), ("note", " "), ("version", "1")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("退回时请写明意见"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report WHERE status = 'submitted'").await, 1);

    let r = secretariat
        .post_form(&review, &[("decision", "return"), ("note", "请补充团体会员名单"), ("version", "1")])
        .await;
    assert_eq!(r.status(), 303);
    let (_, page) = city.page(&path).await;
    assert!(page.contains("已退回") && page.contains("请补充团体会员名单") && page.contains("提交报告"), "{page}");
    assert!(page.contains("一、今年发展团体会员"), "the narrative comes back to be corrected");

    // Handed in again: the figures of this moment (a fifth individual has joined).
    app.add_member(NewMemberSpec { name: "郑宇", org: Some(ty), ..NewMemberSpec::default() }).await;
    let r = city.upload_with(&path, &[("narrative", "已补充名单")], "名单.pdf", PDF.to_vec()).await;
    assert_eq!(r.status(), 303);
    let (_, page) = secretariat.page(&path).await;
    assert!(page.contains("第 2 次提交") && page.contains(r#"<td data-label="数量">5</td>"#), "{page}");

    // A decision taken on the first version's page does not apply to the second.
    let r = secretariat.post_form(&review, &[("decision", "accept"), ("note", ""), ("version", "1")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("重新提交"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report WHERE status = 'submitted'").await, 1);
    let r = secretariat.post_form(&review, &[("decision", "accept"), ("note", ""), ("version", "2")]).await;
    assert_eq!(r.status(), 303);
    let (_, page) = city.page(&path).await;
    assert!(page.contains("已接收") && !page.contains("提交报告</button>"));
    // After acceptance: no more hand-ins, no more decisions.
    let r = city.upload_with(&path, &[("narrative", "再改一次")], "", Vec::new()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("已被省协会接收"));
    let r = secretariat.post_form(&review, &[("decision", "return"), ("note", "再看看"), ("version", "2")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("已被省协会接收"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report WHERE status = 'accepted' AND version = 2").await, 1);
    for (action, n) in [("report.submit", 2), ("report.return", 1), ("report.accept", 1)] {
        let sql = format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'");
        assert_eq!(app.scalar(&sql).await, n, "{action}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report_event").await, 4);
}

#[tokio::test]
async fn next_year_s_report_cannot_be_handed_in_yet() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan;
    let next = app.state.settings.locale.today().year() + 1;
    let city = app.login_as(Who::Taiyuan).await;
    let r = city.upload_with(&report_path(next, ty.0), &[("narrative", NARRATIVE)], "", Vec::new()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("尚未开始"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM progress_report").await, 0);
}

#[tokio::test]
async fn a_report_after_the_deadline_is_marked_late() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan;
    // Last year's report, due on 31 March last year.
    let year = app.state.settings.locale.today().year() - 1;
    let city = app.login_as(Who::Taiyuan).await;
    let (_, page) = city.page(&report_path(year, ty.0)).await;
    assert!(page.contains("逾期未交"), "not in, and the deadline has passed");
    let r = city.upload_with(&report_path(year, ty.0), &[("narrative", NARRATIVE)], "", Vec::new()).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.scalar("SELECT late FROM progress_report").await, 1);
    let secretariat = app.login_as(Who::Secretariat).await;
    let (_, dash) = secretariat.page(&format!("/admin/progress?year={year}")).await;
    assert!(dash.contains("逾期提交"), "the dashboard marks it late");
}

#[tokio::test]
async fn reminders_go_out_once_per_reminder_day_to_cities_not_in_or_below_target() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let (ty, dt) = (app.fixture.taiyuan, app.fixture.datong);
    let year = app.state.settings.locale.today().year();
    let on = |m: u8, d: u8| time::Date::from_calendar_date(year, time::Month::try_from(m).unwrap(), d).unwrap();
    // 大同 has its report in and a target it already meets (1 individual against 0–10, no
    // groups against 0–5): nothing to remind it of. 太原 has no report and is below target.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(
        datong.upload_with(&report_path(year, dt.0), &[("narrative", NARRATIVE)], "", Vec::new()).await.status(),
        303
    );
    let mut tx = app.state.db.begin().await.unwrap();
    huiyuan::targets::store::ensure_year(&mut tx, &app.state.settings, year).await.unwrap();
    sqlx::query("UPDATE city_target SET groups_min = 0, individuals_min = 0 WHERE year = $1 AND org_id = $2")
        .bind(i64::from(year))
        .bind(dt)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let send = |day| huiyuan::targets::reminders::send_reminders_on(&app.state, day);
    let mails = "SELECT COUNT(*) FROM mail_message WHERE subject LIKE '%发展情况报告%'";

    assert_eq!(send(on(3, 10)).await.unwrap(), 0, "21 days before: too early");
    assert_eq!(send(on(3, 20)).await.unwrap(), 1, "the 14-day reminder, to 太原 only");
    assert_eq!(app.scalar(mails).await, 1);
    let to = app.text("SELECT to_address FROM mail_message WHERE subject LIKE '%发展情况报告%'").await.unwrap();
    assert_eq!(to, "liming@example.org");
    let body = app.text("SELECT body_text FROM mail_message WHERE subject LIKE '%发展情况报告%'").await.unwrap();
    assert!(body.contains("尚未提交") && body.contains("个人会员 4 名（目标 5–10）"), "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notification WHERE title LIKE '%发展情况报告%'").await, 1);
    // Run again the same day, and the day after: nothing more.
    assert_eq!(send(on(3, 20)).await.unwrap(), 0, "never twice");
    assert_eq!(send(on(3, 21)).await.unwrap(), 0);
    assert_eq!(app.scalar(mails).await, 1);
    // The 3-day reminder is a second one, once.
    assert_eq!(send(on(3, 29)).await.unwrap(), 1);
    assert_eq!(send(on(3, 30)).await.unwrap(), 0);
    assert_eq!(send(on(4, 1)).await.unwrap(), 0, "after the deadline");
    assert_eq!(app.scalar(mails).await, 2);
    let rows = format!("SELECT COUNT(*) FROM target_reminder WHERE org_id = {} AND year = {year}", ty.0);
    assert_eq!(app.scalar(&rows).await, 2, "each reminder recorded as sent");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'target.remind'").await, 2);
}
