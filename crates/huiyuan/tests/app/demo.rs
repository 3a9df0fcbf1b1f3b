//! `--demo` shows the work: applications at every stage, and each role's workbench saying
//! what waits for them, with links that lead there.

use reqwest::StatusCode;

use crate::helpers::*;

async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    assert!(huiyuan::bootstrap::seed_demo(&app.state.db).await.unwrap());
    let made = huiyuan::applications::demo::seed(&app.state, huiyuan::bootstrap::DEMO_PASSWORD).await.unwrap();
    assert_eq!(made, 15);
    app
}

/// The `href` of the workbench entry whose text contains `text`.
fn todo_link(page: &str, text: &str) -> String {
    let at = page.find(text).unwrap_or_else(|| panic!("no workbench entry {text:?}"));
    let start = page[..at].rfind("href=\"").expect("a link") + 6;
    let end = start + page[start..].find('"').unwrap();
    page[start..end].replace("&amp;", "&")
}

#[tokio::test]
async fn the_demo_holds_applications_at_every_stage_of_joining() {
    let app = demo_app().await;
    for (status, n) in [
        ("draft", 2),
        ("submitted", 3),
        ("returned", 2),
        ("recommended", 2),
        ("forwarded", 2),
        ("on_agenda", 2),
        ("approved", 2),
    ] {
        let count = app.scalar(&format!("SELECT COUNT(*) FROM application WHERE status = '{status}'")).await;
        assert_eq!(count, n, "{status}");
    }
    // Each step was taken by the account whose job it is, with its audit record.
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE actor_name LIKE '%(taiyuan)%'").await >= 6);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM council_meeting WHERE status = 'closed'").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member WHERE name IN ('吴昊', '彭涛')").await, 2);
}

#[tokio::test]
async fn each_roles_workbench_says_what_waits_for_them_and_leads_there() {
    let app = demo_app().await;

    // A city administrator: what waits for review and for how long, what is not yet batched.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let (status, home) = taiyuan.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("现在要做") && home.contains("2 份入会申请等待审核"), "{home}");
    assert!(home.contains("最早的一份已等 12 天"));
    assert!(home.contains("1 份已推荐的申请尚未编入报送批次"));
    assert!(!home.contains("待您表决") && !home.contains("待建档"), "not the province's work");
    let (status, queue) = taiyuan.page(&todo_link(&home, "份入会申请等待审核")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("陈静") && queue.contains("杨帆") && !queue.contains("冯洁"), "its own city's, waiting");
    let (_, queue) = taiyuan.page(&todo_link(&home, "尚未编入报送批次")).await;
    assert!(queue.contains("赵雪") && !queue.contains("许峰"));
    let datong = app.login_as(Who::Datong).await;
    let (_, home) = datong.page("/admin").await;
    assert!(home.contains("1 份入会申请等待审核") && home.contains("最早的一份已等 5 天"));

    // The secretariat: batches to file, what is ready, the next meeting, the reports.
    let sec = app.login_with("secretariat", huiyuan::bootstrap::DEMO_PASSWORD).await;
    let (_, home) = sec.page("/admin").await;
    assert!(home.contains("2 个报送批次中有 2 份申请待建档"), "{home}");
    assert!(
        home.contains("下次常务理事会") && home.contains("第六届常务理事会第四次会议") && home.contains("议程 2 项")
    );
    assert!(home.contains("年发展情况报告：已交 0 / 11 个市协会"));
    let (status, batches) = sec.page(&todo_link(&home, "份申请待建档")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(batches.contains("太原") && batches.contains("大同"));

    // A council member: the votes waiting for them; one cast, one fewer.
    let council = app.login_with("council", huiyuan::bootstrap::DEMO_PASSWORD).await;
    let (_, home) = council.page("/admin").await;
    assert!(home.contains("2 项入会申请等待您表决"), "{home}");
    let meeting = todo_link(&home, "等待您表决");
    let (_, ballot) = council.page(&meeting).await;
    assert!(ballot.contains("提交表决") && ballot.contains("周琳"));
    let zhou = app.scalar("SELECT id FROM application WHERE name = '周琳'").await.to_string();
    let r = council
        .post_form(&format!("{meeting}/votes"), &[("item", &zhou), (&format!("choice_{zhou}"), "approve")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(council.page("/admin").await.1.contains("1 项入会申请等待您表决"));

    // Applicants and members: their application's next step, their membership.
    let liufang = app.login_with("applicant", huiyuan::bootstrap::DEMO_PASSWORD).await;
    let (_, me) = liufang.page("/me").await;
    assert!(me.contains("入会申请“刘芳”被退回修改"), "{me}");
    let (status, edit) = liufang.page(&todo_link(&me, "被退回修改")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(edit.contains("请补充获奖证书扫描件"), "the city's opinion is where it is mended");
    let chen = app.login_with("chenjing", huiyuan::bootstrap::DEMO_PASSWORD).await;
    let (_, me) = chen.page("/me").await;
    assert!(me.contains("陈静") && me.contains("待审核") && me.contains("正在等待市协会资格审查"), "{me}");
    let wu = app.login_with("wuhao", huiyuan::bootstrap::DEMO_PASSWORD).await;
    let (_, me) = wu.page("/me").await;
    let number = app.text("SELECT number FROM member WHERE name = '吴昊'").await.unwrap();
    assert!(me.contains(&format!("<strong>{number}</strong>")) && me.contains("太原市"), "{me}");
    assert!(!me.contains("正在等待") && !me.contains("app-lines"), "an approved application is done with");
}
