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
    // The province opens any city's page.
    let s = app.login_as(Who::Secretariat).await;
    assert_eq!(s.page(&format!("/admin/progress/{year}/{ty}")).await.0, 200);
}
