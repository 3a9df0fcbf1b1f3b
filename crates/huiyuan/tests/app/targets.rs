//! City targets as data: seeded per year from the settings, changed per city with history
//! and an audit record; the database refuses a range whose bounds are the wrong way round.

use huiyuan::audit::Who as AuditWho;
use huiyuan::targets::{Ranges, TargetInput, store};

use crate::helpers::*;

#[tokio::test]
async fn a_year_starts_from_the_settings_and_a_city_target_changes_with_history() {
    let app = TestApp::spawn().await;
    let settings = &app.state.settings;
    let mut tx = app.state.db.begin().await.unwrap();
    assert_eq!(store::ensure_year(&mut tx, settings, 2026).await.unwrap(), 11, "one target per city");
    assert_eq!(store::ensure_year(&mut tx, settings, 2026).await.unwrap(), 0, "seeding twice adds nothing");
    let all = store::for_year(&mut tx, 2026).await.unwrap();
    assert_eq!(all.len(), 11);
    let taiyuan = all.iter().find(|t| t.org_id == app.fixture.taiyuan).expect("太原 has a target");
    let r = &taiyuan.ranges;
    assert_eq!(
        (r.groups_min, r.groups_max, r.individuals_min, r.individuals_max, r.per_group_min, r.per_group_max),
        (3, 5, 5, 10, 3, 5),
        "the settings' ranges (§一.(一).4)"
    );
    assert_eq!(r.report_deadline, "2026-03-31");
    store::ensure_year(&mut tx, settings, 2025).await.unwrap();

    // The secretariat gives 太原 a larger target for 2026.
    let input = TargetInput {
        groups_min: "5".into(),
        groups_max: "8".into(),
        individuals_min: "10".into(),
        individuals_max: "20".into(),
        per_group_min: "3".into(),
        per_group_max: "5".into(),
        report_deadline: "2026年4月15日".into(),
        reason: "省会城市任务加倍".into(),
    };
    let (ranges, reason) = input.check(2026).expect("a valid target");
    let who = AuditWho::system("test");
    let changed = store::set(&mut tx, &who, 2026, (app.fixture.taiyuan, "太原市"), &ranges, &reason)
        .await
        .unwrap()
        .expect("太原 has a 2026 target");
    assert_eq!((changed.ranges.groups_min, changed.ranges.report_deadline.as_str()), (5, "2026-04-15"));
    // The same values again: nothing new in the history.
    store::set(&mut tx, &who, 2026, (app.fixture.taiyuan, "太原市"), &ranges, &reason).await.unwrap();
    let history = store::changes(&mut tx, 2026, app.fixture.taiyuan).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].before().map(|b| b.groups_max), Some(5));
    assert_eq!(history[0].after().map(|a| a.groups_max), Some(8));
    assert_eq!(history[0].reason, "省会城市任务加倍");
    // Other cities and other years keep theirs.
    let datong = store::find(&mut tx, 2026, app.fixture.datong).await.unwrap().unwrap();
    assert_eq!(datong.ranges.groups_max, 5);
    let last_year = store::find(&mut tx, 2025, app.fixture.taiyuan).await.unwrap().unwrap();
    assert_eq!((last_year.ranges.groups_max, last_year.ranges.report_deadline.as_str()), (5, "2025-03-31"));
    let (audits,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'target.update' AND target_id = $1")
            .bind(format!("2026/{}", app.fixture.taiyuan.0))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(audits, 1);
    // A year nobody has used yet has no targets to change.
    assert!(
        store::set(&mut tx, &who, 2030, (app.fixture.taiyuan, "太原市"), &ranges, &reason).await.unwrap().is_none()
    );
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_database_refuses_a_range_the_wrong_way_round_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let mut tx = app.state.db.begin().await.unwrap();
    store::ensure_year(&mut tx, &app.state.settings, 2026).await.unwrap();
    tx.commit().await.unwrap();
    let bad = Ranges { groups_min: 6, groups_max: 3, ..Ranges::from_settings(&app.state.settings, 2026) };
    let mut tx = app.state.db.begin().await.unwrap();
    let result =
        store::set(&mut tx, &AuditWho::system("test"), 2026, (app.fixture.taiyuan, "太原市"), &bad, "typo").await;
    assert!(result.is_err(), "the CHECK constraint holds even when the form's check is bypassed");
    drop(tx);
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let kept = store::find(&mut conn, 2026, app.fixture.taiyuan).await.unwrap().unwrap();
    assert_eq!((kept.ranges.groups_min, kept.ranges.groups_max), (3, 5));
    assert!(store::changes(&mut conn, 2026, app.fixture.taiyuan).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_secretariat_changes_a_city_target_on_its_page_and_the_city_sees_it() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan.0;
    let sec = app.login_as(Who::Secretariat).await;
    let (status, html) = sec.page("/admin/targets?year=2026").await;
    assert_eq!(status, 200);
    assert!(html.contains("太原市") && html.contains("大同市") && html.contains("3–5") && html.contains("2026-03-31"));

    // Bad input: every reason shown, what was typed kept, nothing changed.
    let bad = [
        ("groups_min", "8"),
        ("groups_max", "4"),
        ("individuals_min", "5"),
        ("individuals_max", "十"),
        ("per_group_min", "3"),
        ("per_group_max", "5"),
        ("report_deadline", "2027-03-31"),
        ("reason", ""),
    ];
    let r = sec.post_form(&format!("/admin/targets/2026/{ty}"), &bad).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    for message in ["下限 8 不能大于上限 4", "请输入 0 至 9,999 之间的整数", "截止日期须在 2026 年内", "请填写调整原因"]
    {
        assert!(html.contains(message), "{message}");
    }
    assert!(html.contains("value=\"十\""), "the form keeps what was typed");
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(store::changes(&mut conn, 2026, app.fixture.taiyuan).await.unwrap().is_empty());

    let good = [
        ("groups_min", "5"),
        ("groups_max", "8"),
        ("individuals_min", "10"),
        ("individuals_max", "20"),
        ("per_group_min", "3"),
        ("per_group_max", "5"),
        ("report_deadline", "2026-04-15"),
        ("reason", "省会城市任务加倍"),
    ];
    let r = sec.post_form(&format!("/admin/targets/2026/{ty}"), &good).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = sec.page(&format!("/admin/targets/2026/{ty}")).await;
    assert!(html.contains("已调整太原市的目标任务"), "the flash names the city");
    assert!(html.contains("3–5 → 5–8") && html.contains("省会城市任务加倍"), "the history shows the change");

    // 太原's administrator sees the new target, read-only; 大同's cannot open 太原's page.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let (status, html) = taiyuan.page("/admin/targets?year=2026").await;
    assert_eq!(status, 200);
    assert!(html.contains("5–8") && !html.contains("大同市"), "only their own city");
    let (_, html) = taiyuan.page(&format!("/admin/targets/2026/{ty}")).await;
    assert!(!html.contains("保存调整"), "no form for a city");
    let datong = app.login_as(Who::Datong).await;
    let (status, _) = datong.page(&format!("/admin/targets/2026/{ty}")).await;
    assert_eq!(status, 403);
    let (status, _) = sec.page("/admin/targets?year=1999").await;
    assert_eq!(status, 404, "years before 2014 have no targets");
}
