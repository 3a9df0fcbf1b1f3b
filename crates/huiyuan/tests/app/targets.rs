//! City targets as data: seeded per year from the settings, changed per city with history
//! and an audit record; the database refuses a range whose bounds are the wrong way round.

use huiyuan::audit::Who as AuditWho;
use huiyuan::targets::{Ranges, Standing, TargetInput, store};
use reqwest::{Method, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn a_year_starts_from_the_settings_and_a_city_target_changes_with_history() {
    let app = TestApp::spawn().await;
    let settings = &app.state.settings;
    let mut tx = app.state.db.begin().await.unwrap();
    // huiyuan writes the years up to next year when it starts; a later year once it comes.
    assert_eq!(store::ensure_year(&mut tx, settings, 2026).await.unwrap(), 0, "written at the start");
    assert_eq!(store::ensure_year(&mut tx, settings, 2040).await.unwrap(), 11, "one target per city");
    assert_eq!(store::ensure_year(&mut tx, settings, 2040).await.unwrap(), 0, "seeding twice adds nothing");
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

#[tokio::test]
async fn each_city_s_figures_for_the_year_are_counted_as_a_person_would() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let (ty, dt) = (app.fixture.taiyuan, app.fixture.datong);
    let year = app.state.settings.locale.today().year();
    let offset = app.state.settings.locale.utc_offset();
    let mut tx = app.state.db.begin().await.unwrap();
    huiyuan::targets::store::ensure_year(&mut tx, &app.state.settings, year).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let targets = store::for_year(&mut conn, year).await.unwrap();
    let all = huiyuan::targets::progress::for_year(&mut conn, year, offset, &targets).await.unwrap();
    assert_eq!(all.len(), 11, "every city has a row, with or without members");
    let taiyuan = all.iter().find(|p| p.org_id == ty).unwrap();
    assert_eq!((taiyuan.new_groups, taiyuan.new_individuals), (2, 4), "陈静 joined last year");
    assert_eq!((taiyuan.groups, taiyuan.groups_in_range), (2, 1), "only 第五中学 has 3–5 individuals");
    assert_eq!(taiyuan.groups_standing, Standing::Below, "2 new groups against 3–5");
    assert_eq!(taiyuan.individuals_standing, Standing::Below, "4 new individuals against 5–10");
    let p = taiyuan.pipeline;
    assert_eq!((p.submitted, p.recommended, p.forwarded, p.on_agenda, p.returned), (1, 1, 1, 0, 0));
    let datong = all.iter().find(|p| p.org_id == dt).unwrap();
    assert_eq!((datong.new_groups, datong.new_individuals, datong.groups, datong.pipeline.total()), (0, 1, 0, 0));
}

#[tokio::test]
async fn new_members_by_month_stay_counted_through_every_change_and_follow_the_time_zone() {
    use huiyuan::targets::{enrolment, progress};
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let (ty, dt) = (app.fixture.taiyuan, app.fixture.datong);
    let year = app.state.settings.locale.today().year();
    let offset = app.state.settings.locale.utc_offset();
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert_eq!(enrolment::clock(&mut conn).await.unwrap(), i64::from(offset.whole_seconds()), "made for the settings");
    assert_kept_enrolments_match(&app).await;
    let last = progress::enrolments(&mut conn, year - 1, offset, &[ty]).await.unwrap()[&ty];
    assert_eq!((last.individuals[5], last.individuals_total()), (1, 1), "陈静 joined in June last year");

    // 张伟 moves to 大同 and joined on the first of March at local midnight; 李娜 a
    // millisecond before it (the last of February where the association is).
    let march = time::Date::from_calendar_date(year, time::Month::March, 1).unwrap();
    let midnight = march.midnight().assume_offset(offset).unix_timestamp() * 1000;
    for (name, at, org) in [("张伟", midnight, dt), ("李娜", midnight - 1, ty)] {
        sqlx::query("UPDATE member SET joined_at = $1, org_id = $2 WHERE name = $3")
            .bind(at)
            .bind(org)
            .bind(name)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    assert_kept_enrolments_match(&app).await;
    let this = progress::enrolments(&mut conn, year, offset, &[ty, dt]).await.unwrap();
    assert_eq!((this[&ty].individuals[1], this[&dt].individuals[2]), (1, 1), "李娜 in February, 张伟 in March");
    assert_eq!((this[&ty].individuals_total(), this[&dt].individuals_total()), (3, 2));

    // Started with the settings of another time zone, the counts are made again for it:
    // at UTC, midnight of 1 March in China is still February.
    let utc = time::UtcOffset::UTC;
    assert_ne!(offset, utc, "the test settings are not at UTC");
    drop(conn);
    assert!(enrolment::align(&app.state.db, utc).await.unwrap(), "counted again");
    assert!(!enrolment::align(&app.state.db, utc).await.unwrap(), "once");
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let kept = progress::enrolments(&mut conn, year, utc, &[dt]).await.unwrap();
    assert_eq!(kept, progress::enrolments_counted(&mut conn, year, utc, &[dt]).await.unwrap());
    assert_eq!((kept[&dt].individuals[1], kept[&dt].individuals[2]), (1, 0), "张伟 in February at UTC");
    // A reader in the old time zone counts the members itself, and gets the same as before.
    assert_eq!(progress::enrolments(&mut conn, year, offset, &[ty, dt]).await.unwrap(), this);
}

/// A year's data counted by hand: 太原 has two group members and four individuals who
/// joined this year (the first school with three individual members, within 3–5; the second
/// with one) and one individual who joined in June last year; 大同 one individual this
/// year; applications to 太原: one submitted (孙丽), one recommended (周强), one forwarded (吴敏).
pub async fn progress_fixture(app: &TestApp) {
    let (ty, dt) = (app.fixture.taiyuan, app.fixture.datong);
    let group =
        |name| NewMemberSpec { name, org: Some(ty), kind: "group", category: "group", ..NewMemberSpec::default() };
    let person = |name, org| NewMemberSpec { name, org: Some(org), ..NewMemberSpec::default() };
    // 太原: two group members and four individuals this year, one individual last year.
    let (g1, _) = app.add_member(group("太原市第五中学")).await;
    let (g2, _) = app.add_member(group("太原市实验小学")).await;
    let mut people = Vec::new();
    for name in ["张伟", "李娜", "王芳", "刘洋"] {
        people.push(app.add_member(person(name, ty)).await.0);
    }
    let (earlier, _) = app.add_member(person("陈静", ty)).await;
    // 大同: one individual this year.
    app.add_member(person("赵磊", dt)).await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let year = app.state.settings.locale.today().year();
    let last_year = time::Date::from_calendar_date(year - 1, time::Month::June, 1).unwrap();
    let offset = app.state.settings.locale.utc_offset();
    sqlx::query("UPDATE member SET joined_at = $1 WHERE id = $2")
        .bind(last_year.midnight().assume_offset(offset).unix_timestamp() * 1000)
        .bind(earlier)
        .execute(&mut *conn)
        .await
        .unwrap();
    // The first school has three individual members (within 3–5), the second one.
    for (g, i) in [(g1, people[0]), (g1, people[1]), (g1, people[2]), (g2, people[3])] {
        sqlx::query("INSERT INTO member_link (group_member_id, individual_member_id) VALUES ($1, $2)")
            .bind(g)
            .bind(i)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    drop(conn);
    // Applications to 太原: one submitted, one recommended, one forwarded.
    app.submitted_application(Who::Teacher, "孙丽", &resident_id("140105", "19900307", 491)).await;
    app.recommended_application(Who::Council, "周强", &resident_id("140105", "19700101", 133)).await;
    app.forwarded_application(Who::Sysadmin, "吴敏", &resident_id("140105", "19800505", 217)).await;
}

#[tokio::test]
async fn reading_a_year_not_written_yet_shows_the_settings_targets_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let count_2025 = "SELECT COUNT(*) FROM city_target WHERE year = 2025";
    // As if huiyuan had not started since the year came within range.
    sqlx::query("DELETE FROM city_target WHERE year = 2025").execute(app.state.db.pool()).await.unwrap();
    let sec = app.login_as(Who::Secretariat).await;
    let ty = app.fixture.taiyuan.0;
    for page in [
        "/admin/targets?year=2025".to_string(),
        format!("/admin/targets/2025/{ty}"),
        "/admin/progress?year=2025".into(),
    ] {
        let (status, html) = sec.page(&page).await;
        assert_eq!(status, 200, "{page}");
        assert!(html.contains("3–5") || html.contains("2025-03-31"), "{page} shows the settings' targets");
    }
    assert_eq!(app.scalar(count_2025).await, 0, "pages only read");
    // Changing a target writes the year first, then the change.
    let change = [
        ("groups_min", "4"),
        ("groups_max", "6"),
        ("individuals_min", "5"),
        ("individuals_max", "10"),
        ("per_group_min", "3"),
        ("per_group_max", "5"),
        ("report_deadline", "2025-03-31"),
        ("reason", "补录"),
    ];
    let r = sec.post_form(&format!("/admin/targets/2025/{ty}"), &change).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.scalar(count_2025).await, 11, "every city's target of the year, 太原's changed");
    let (_, html) = sec.page(&format!("/admin/targets/2025/{ty}")).await;
    assert!(html.contains("3–5 → 4–6"), "the history starts from the settings' target");
}

#[tokio::test]
async fn targets_and_progress_reach_the_api_with_the_pages_rules_and_scopes() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan.0;
    let sec = app.login_as(Who::Secretariat).await;
    let list: serde_json::Value = sec.api(Method::GET, "/api/v1/targets?year=2026", None).await.json().await.unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(11), "every city");
    assert_eq!(list[0]["new_groups"], serde_json::json!([3, 5]));

    // A change needs a reason, like the page; with one it is kept with its history.
    let change = |reason: &str| {
        serde_json::json!({"new_groups": [5, 8], "new_individuals": [10, 20], "per_group": [3, 5],
            "report_deadline": "2026-04-15", "reason": reason})
    };
    let r = sec.api(Method::PUT, &format!("/api/v1/targets/2026/{ty}"), Some(change(""))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["fields"]["reason"]["message"], "请填写调整原因");
    let r = sec.api(Method::PUT, &format!("/api/v1/targets/2026/{ty}"), Some(change("省会城市任务加倍"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let t: serde_json::Value = r.json().await.unwrap();
    assert_eq!((t["city"].as_str(), &t["new_groups"]), (Some("太原市"), &serde_json::json!([5, 8])));
    let (_, html) = sec.page(&format!("/admin/targets/2026/{ty}")).await;
    assert!(html.contains("3–5 → 5–8") && html.contains("省会城市任务加倍"), "the page shows the API's change");

    // The city reads its own year and hands in its report; the secretariat returns it.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let mine: serde_json::Value =
        taiyuan.api(Method::GET, "/api/v1/progress?year=2026", None).await.json().await.unwrap();
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "a city sees itself only");
    assert_eq!(mine[0]["target"]["city"], "太原市");
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(
        datong.api(Method::GET, &format!("/api/v1/progress/2026/{ty}"), None).await.status(),
        StatusCode::FORBIDDEN
    );
    let report = format!("/api/v1/progress/2026/{ty}/report");
    let r =
        taiyuan.api(Method::POST, &report, Some(serde_json::json!({"narrative": "一、今年新发展会员情况。"}))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let rep: serde_json::Value = r.json().await.unwrap();
    assert_eq!((rep["status"].as_str(), rep["may_submit"].as_bool()), (Some("submitted"), Some(false)));
    assert!(rep["figures"]["progress"]["new_groups"].is_i64(), "the frozen figures come with it");
    let review = format!("{report}/review");
    let r =
        sec.api(Method::POST, &review, Some(serde_json::json!({"decision": "return", "note": "", "version": 1}))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "returning needs a note");
    let r = sec
        .api(
            Method::POST,
            &review,
            Some(serde_json::json!({"decision": "return", "note": "请补充活动照片", "version": 1})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rep: serde_json::Value = taiyuan.api(Method::GET, &report, None).await.json().await.unwrap();
    assert_eq!((rep["status"].as_str(), rep["review_note"].as_str()), (Some("returned"), Some("请补充活动照片")));
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('target.update', 'report.submit', 'report.return')"
        )
        .await,
        3
    );
}
