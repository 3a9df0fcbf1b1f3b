//! The development dashboards: every cell of the province's table and of a city's page
//! against a data set counted by hand (`targets::progress_fixture`), the lists each number
//! opens, and who may see which city.

use crate::helpers::*;
use crate::targets::progress_fixture;

/// The link of a figure, and the figure.
fn cell(href: &str, figure: &str) -> String {
    format!(r#"href="{href}">{figure}</a>"#)
}

#[tokio::test]
async fn the_province_dashboard_shows_each_city_s_figures_and_each_number_opens_its_list() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let (ty, dt) = (app.fixture.taiyuan.0, app.fixture.datong.0);
    let year = app.state.settings.locale.today().year();
    let b = app.login_as(Who::Secretariat).await;
    let (status, page) = b.page("/admin/progress").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("各市发展情况 · {year}")), "this year by default");
    // 太原: 2 new groups, 4 new individuals (陈静 joined last year), 1 of 2 schools within 3–5.
    for (href, figure) in [
        (format!("/admin/members?city={ty}&kind=group&year={year}"), "2"),
        (format!("/admin/members?city={ty}&kind=individual&year={year}"), "4"),
        (format!("/admin/members?city={ty}&kind=group&status=active"), "1 / 2"),
        (format!("/admin/applications?city={ty}&status=submitted"), "1"),
        (format!("/admin/applications?city={ty}&status=returned,sent_back"), "0"),
        (format!("/admin/applications?city={ty}&status=recommended"), "1"),
        (format!("/admin/applications?city={ty}&status=forwarded,ready"), "1"),
        (format!("/admin/applications?city={ty}&status=on_agenda"), "0"),
        (format!("/admin/members?city={dt}&kind=individual&year={year}"), "1"),
        // The province's totals: 2 groups, 5 individuals, 3 open applications.
        (format!("/admin/members?kind=individual&year={year}"), "5"),
        ("/admin/applications?status=submitted".to_string(), "1"),
    ] {
        assert!(page.contains(&cell(&href, figure)), "{href} shows {figure}");
    }
    assert!(page.contains("去年 1"), "陈静 counts for last year");
    assert!(page.contains("未达目标"), "太原 is below 3–5 and 5–10");
    assert!(page.contains("全省合计") && page.contains("0 / 11"), "no city has reported yet");
    assert!(page.contains("<svg class=\"chart\""), "charts are drawn on the server");

    // Each number opens the list it counts.
    let (_, list) = b.page(&format!("/admin/members?city={ty}&kind=individual&year={year}")).await;
    assert!(list.contains("共 4 名") && list.contains("张伟") && !list.contains("陈静"), "{list}");
    let (_, queue) = b.page(&format!("/admin/applications?city={ty}&status=forwarded,ready")).await;
    assert!(queue.contains("吴敏") && !queue.contains("孙丽") && !queue.contains("周强"));
    let (_, queue) = b.page(&format!("/admin/applications?city={dt}&status=submitted")).await;
    assert!(!queue.contains("孙丽"), "a city filter keeps other cities out");

    // Last year: 陈静 is 太原's one new individual member.
    let (_, last) = b.page(&format!("/admin/progress?year={}", year - 1)).await;
    assert!(last.contains(&cell(&format!("/admin/members?city={ty}&kind=individual&year={}", year - 1), "1")));
    assert_eq!(b.page("/admin/progress?year=1999").await.0, 404);
}

#[tokio::test]
async fn a_city_sees_its_own_dashboard_with_what_it_must_act_on_and_no_other_city_s() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let (ty, dt) = (app.fixture.taiyuan.0, app.fixture.datong.0);
    let year = app.state.settings.locale.today().year();
    let b = app.login_as(Who::Taiyuan).await;
    let r = b.get("/admin/progress").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/admin/progress/{year}/{ty}").as_str(), "the city's own dashboard");
    let (_, page) = b.page(&format!("/admin/progress/{year}/{ty}")).await;
    // 实验小学 has one individual member of the three it needs; 第五中学 has three.
    assert!(page.contains("太原市实验小学") && !page.contains("太原市第五中学"), "{page}");
    assert!(page.contains("<td data-label=\"尚缺\">2</td>"));
    // Waiting on the city: 孙丽 (to review) and 周强 (to forward); 吴敏 is with the province.
    assert!(page.contains("孙丽") && page.contains("周强") && !page.contains("吴敏"));
    let stage = format!(r#"href="/admin/applications?city={ty}&status=forwarded,ready"><div class="value">1</div>"#);
    assert!(page.contains(&stage), "吴敏 counts as with the province");

    assert_eq!(b.page(&format!("/admin/progress/{year}/{dt}")).await.0, 403, "another city's dashboard");
    let datong = app.login_as(Who::Datong).await;
    let (_, own) = datong.page(&format!("/admin/progress/{year}/{dt}")).await;
    assert!(own.contains("没有等待本市处理的申请") && !own.contains("孙丽"));
    // 大同 has no group members: the page says so, not that every group has enough people.
    assert!(own.contains("本市尚无有效的团体会员") && !own.contains("所有团体会员的个人会员人数均已达到要求"));
    assert!(!own.contains(">0 / 0<"), "no groups is not 0 of 0 within range");
    // The chart's legend explains each colour a bar may have.
    for standing in ["</svg>未达目标</li>", "</svg>达到目标</li>", "</svg>超过目标</li>"] {
        assert!(own.contains(standing), "{standing}");
    }
    // The province opens any city's page; a city page's year selector stays on the city.
    let s = app.login_as(Who::Secretariat).await;
    assert_eq!(s.page(&format!("/admin/progress/{year}/{ty}")).await.0, 200);
    let r = s.get(&format!("/admin/progress?year={}&city={ty}", year - 1)).await;
    assert_eq!(r.headers()["location"], format!("/admin/progress/{}/{ty}", year - 1).as_str());
    let r = b.get(&format!("/admin/progress?year={year}&city={dt}")).await;
    assert_eq!(r.status(), 303, "sent on to the city's page…");
    assert_eq!(b.page(&format!("/admin/progress/{year}/{dt}")).await.0, 403, "…which refuses another city");
    // An administrator of two cities has no single city to start from, but each city
    // page's year selector still works.
    app.grant(Who::Taiyuan, huiyuan::auth::Role::CityAdmin, app.fixture.datong).await;
    let both = app.login_as(Who::Taiyuan).await;
    assert_eq!(both.get("/admin/progress").await.status(), 403);
    let r = both.get(&format!("/admin/progress?year={}&city={dt}", year - 1)).await;
    assert_eq!(r.headers()["location"], format!("/admin/progress/{}/{dt}", year - 1).as_str());
    assert_eq!(both.page(&format!("/admin/progress/{}/{dt}", year - 1)).await.0, 200);
}

/// A cell of a worksheet as text (numbers without a fraction).
fn cell_text(range: &calamine::Range<calamine::Data>, row: usize, col: usize) -> String {
    match range.get((row, col)) {
        Some(calamine::Data::Float(f)) => format!("{f}"),
        Some(calamine::Data::Int(i)) => i.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

#[tokio::test]
async fn the_year_workbook_and_the_pdf_summary_hold_the_dashboard_s_figures() {
    use calamine::Reader;
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let year = app.state.settings.locale.today().year();
    let b = app.login_as(Who::Secretariat).await;
    let r = b.get(&format!("/admin/progress/workbook.xlsx?year={year}")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap().to_vec();
    keep_sample("progress-workbook.xlsx", &bytes);
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 12, "a summary and one sheet per city: {names:?}");
    assert_eq!((names[0].as_str(), names[1].as_str()), ("汇总", "太原市"));
    let summary = book.worksheet_range("汇总").unwrap();
    let row = (0..summary.height()).find(|r| cell_text(&summary, *r, 0) == "太原市").expect("a row for 太原");
    // New groups, new individuals, active groups, within range, submitted, recommended,
    // forwarded, last year's individuals: as counted by hand.
    for (col, want) in [(1, "2"), (5, "4"), (9, "2"), (10, "1"), (11, "1"), (13, "1"), (14, "1"), (20, "1")] {
        assert_eq!(cell_text(&summary, row, col), want, "column {col}");
    }
    assert_eq!(cell_text(&summary, row, 4), "未达目标");
    let total = (0..summary.height()).find(|r| cell_text(&summary, *r, 0) == "全省合计").unwrap();
    assert_eq!(cell_text(&summary, total, 5), "5", "4 in 太原 and 1 in 大同");
    let taiyuan = book.worksheet_range("太原市").unwrap();
    let text: Vec<String> = taiyuan.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(text.iter().any(|t| t == "太原市实验小学") && !text.iter().any(|t| t == "太原市第五中学"));

    // A city administrator's workbook has their city alone.
    let city = app.login_as(Who::Taiyuan).await;
    let bytes = city.get(&format!("/admin/progress/workbook.xlsx?year={year}")).await.bytes().await.unwrap().to_vec();
    let book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["汇总", "太原市"]);

    let r = b.get(&format!("/admin/progress/summary.pdf?year={year}")).await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap().to_vec();
    keep_sample("progress-summary.pdf", &pdf);
    let text = pdf_text(&pdf);
    for want in ["各市会员发展情况", "太原市", "吕梁市", "全省合计", "新发展个人会员与目标", "各月新发展会员"]
    {
        assert!(text.contains(want), "{want} in {text}");
    }
    let datong = app.login_as(Who::Datong).await;
    let pdf = datong.get(&format!("/admin/progress/summary.pdf?year={year}")).await.bytes().await.unwrap().to_vec();
    let text = pdf_text(&pdf);
    assert!(text.contains("大同市") && !text.contains("太原市"), "a city's summary has that city alone");
}

#[tokio::test]
async fn a_group_s_count_of_individual_members_follows_status_changes_and_links() {
    let app = TestApp::spawn().await;
    progress_fixture(&app).await;
    let ty = app.fixture.taiyuan.0;
    let year = app.state.settings.locale.today().year();
    let count = |name: &str| format!("SELECT active_individuals FROM member WHERE name = '{name}'");
    assert_eq!(app.scalar(&count("太原市第五中学")).await, 3);
    assert_eq!(app.scalar(&count("太原市实验小学")).await, 1);
    // 张伟 of 第五中学 lapses: the school falls below 3–5.
    let zhang = app.scalar("SELECT id FROM member WHERE name = '张伟'").await;
    let sec = app.login_as(Who::Secretariat).await;
    let status = format!("/admin/members/{zhang}/status");
    let r = sec.post_form(&status, &[("value", "lapsed"), ("reason", "连续两年未参加活动")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.scalar(&count("太原市第五中学")).await, 2);
    let (_, page) = sec.page("/admin/progress").await;
    assert!(page.contains(&cell(&format!("/admin/members?city={ty}&kind=group&status=active"), "0 / 2")));
    let (_, city) = sec.page(&format!("/admin/progress/{year}/{ty}")).await;
    assert!(city.contains("太原市第五中学") && city.contains("太原市实验小学"), "both schools are short now");
    // Active again: counted again.
    let r = sec.post_form(&status, &[("value", "active"), ("reason", "补交材料，恢复会籍")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.scalar(&count("太原市第五中学")).await, 3);
    // A link removed and added (as a merge moves them): the count follows.
    sqlx::query("DELETE FROM member_link WHERE individual_member_id = $1")
        .bind(zhang)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.scalar(&count("太原市第五中学")).await, 2);
    let school = app.scalar("SELECT id FROM member WHERE name = '太原市实验小学'").await;
    sqlx::query("INSERT INTO member_link (group_member_id, individual_member_id) VALUES ($1, $2)")
        .bind(school)
        .bind(zhang)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.scalar(&count("太原市实验小学")).await, 2);
}
