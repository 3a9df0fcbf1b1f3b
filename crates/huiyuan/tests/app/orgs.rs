//! The organisation tree: seeded from the settings, changed by the secretariat, scoped.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_first_start_writes_the_province_and_its_eleven_cities() {
    let app = TestApp::spawn().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org WHERE level = 'province'").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org WHERE level = 'city'").await, 11);
    let codes: Vec<(String, String)> =
        sqlx::query_as("SELECT code, short_name FROM org WHERE level = 'city' ORDER BY code")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(codes.first().unwrap(), &("140100".to_string(), "太原市".to_string()));
    assert_eq!(codes.last().unwrap(), &("141100".to_string(), "吕梁市".to_string()));
    // Starting again writes nothing twice.
    let again = huiyuan::bootstrap::first_run(&app.state.db, &app.state.settings, None).await.unwrap();
    assert!(!again.orgs_seeded && !again.admin_created);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org").await, 12);
}

#[tokio::test]
async fn the_secretariat_adds_a_county_association_under_a_city() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Secretariat).await;
    let ty = app.fixture.taiyuan.to_string();
    let r = b
        .post_form(
            "/admin/orgs",
            &[
                ("parent_id", &ty),
                ("code", "１４０１０５"),
                ("name", "小店区青少年科技教育协会"),
                ("short_name", "小店区"),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/orgs/");
    let page = location(&r);
    let (_, html) = b.page(&page).await;
    assert!(html.contains("已新增机构“小店区青少年科技教育协会”"));
    assert!(html.contains("140105") && html.contains("区县级"));
    let path = app.text("SELECT path FROM org WHERE code = '140105'").await.unwrap();
    assert_eq!(path, format!("/{}/{}/{}/", app.fixture.root, ty, page.rsplit('/').next().unwrap()));
    // The city administrator of 太原市 now sees it; 大同市's does not.
    let (status, _) = app.login_as(Who::Taiyuan).await.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    let (status, html) = app.login_as(Who::Datong).await.page(&page).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("无权访问") && html.contains("请求编号"));
}

#[tokio::test]
async fn a_county_code_must_extend_its_city_code_and_the_form_keeps_the_input() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Secretariat).await;
    let before = app.audit_count().await;
    let ty = app.fixture.taiyuan.to_string();
    let r = b
        .post_form(
            "/admin/orgs",
            &[("parent_id", &ty), ("code", "140205"), ("name", "某区协会"), ("short_name", "某区")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("区划代码应以上级机构代码的前几位 1401 开头"));
    assert!(html.contains("value=\"某区协会\"") && html.contains("value=\"140205\""));
    let r = b
        .post_form(
            "/admin/orgs",
            &[("parent_id", &ty), ("code", "140200"), ("name", "重复代码协会"), ("short_name", "重复")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org").await, 12);
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn a_taken_code_or_sibling_name_is_reported_on_its_field() {
    let app = TestApp::spawn().await;
    app.add_county("140105", "小店区青少年科技教育协会").await;
    let b = app.login_as(Who::Secretariat).await;
    let ty = app.fixture.taiyuan.to_string();
    let r = b
        .post_form(
            "/admin/orgs",
            &[("parent_id", &ty), ("code", "140105"), ("name", "另一个协会"), ("short_name", "另一个")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("该区划代码已被其他机构使用"));
    let r = b
        .post_form(
            "/admin/orgs",
            &[("parent_id", &ty), ("code", "140106"), ("name", "小店区青少年科技教育协会"), ("short_name", "小店")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("同一上级下已有同名机构"));
}

#[tokio::test]
async fn renaming_a_city_is_recorded_with_before_and_after() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Secretariat).await;
    let url = format!("/admin/orgs/{}/edit", app.fixture.taiyuan);
    let r = b
        .post_form(
            &url,
            &[
                ("code", "140100"),
                ("name", "太原市青少年科技教育（科技辅导员）协会"),
                ("short_name", "太原市"),
                ("sort_order", "1"),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/orgs/");
    let (before, after): (String, String) =
        sqlx::query_as("SELECT before_json, after_json FROM audit_log WHERE action = 'org.update'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(before.contains("太原市青少年科技教育协会"));
    assert!(after.contains("太原市青少年科技教育（科技辅导员）协会"));
}

#[tokio::test]
async fn the_registry_prints_a_renamed_city_by_its_new_name_at_once() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan;
    app.add_member(NewMemberSpec { name: "张伟", org: Some(ty), ..NewMemberSpec::default() }).await;
    let b = app.login_as(Who::Secretariat).await;
    let city_cell = |html: &str, name: &str| html.contains(&format!(">{name}<"));
    let (_, list) = b.page("/admin/members").await;
    assert!(city_cell(&list, "太原市"), "the row and the city filter name 太原市");
    // The names are kept in memory for the list; a rename through the back office is shown
    // on the very next page, not after the kept copy goes stale.
    let r = b
        .post_form(
            &format!("/admin/orgs/{ty}/edit"),
            &[("code", "140100"), ("name", "太原市青少年科技教育协会"), ("short_name", "并州"), ("sort_order", "1")],
        )
        .await;
    assert_redirect(&r, "/admin/orgs/");
    let (_, list) = b.page("/admin/members").await;
    assert!(city_cell(&list, "并州") && !city_cell(&list, "太原市"), "renamed at once");
    let (_, csv) = b.page("/admin/members/export.csv").await;
    assert!(csv.contains("并州"), "the export too");
}

#[tokio::test]
async fn deactivating_a_city_deactivates_its_counties_and_can_be_undone() {
    let app = TestApp::spawn().await;
    let county = app.add_county("140105", "小店区青少年科技教育协会").await;
    let b = app.login_as(Who::Secretariat).await;
    let ty = app.fixture.taiyuan;
    let r = b.post_form(&format!("/admin/orgs/{ty}/activation"), &[("active", "0")]).await;
    assert_redirect(&r, &format!("/admin/orgs/{ty}"));
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM org WHERE is_active = 0 AND id IN ({ty}, {county})")).await,
        2
    );
    let (_, list) = b.page("/admin/orgs").await;
    assert!(!list.contains("小店区青少年科技教育协会"), "deactivated nodes are hidden by default");
    let (_, list) = b.page("/admin/orgs?inactive=1").await;
    assert!(list.contains("小店区青少年科技教育协会") && list.contains("已停用"));
    // A county cannot come back while its city is deactivated.
    let r = b.post_form(&format!("/admin/orgs/{county}/activation"), &[("active", "1")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("上级机构已停用"));
    b.post_form(&format!("/admin/orgs/{ty}/activation"), &[("active", "1")]).await;
    assert_eq!(app.scalar(&format!("SELECT is_active FROM org WHERE id = {ty}")).await, 1);
}

#[tokio::test]
async fn a_node_in_use_cannot_be_deleted_but_an_empty_one_can() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Secretariat).await;
    // 太原市 has an administrator (and, later, members and applications).
    let r = b.post_form(&format!("/admin/orgs/{}/delete", app.fixture.taiyuan), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能删除；如不再使用，请改为停用"));
    let r = b.post_form(&format!("/admin/orgs/{}/delete", app.fixture.root), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let county = app.add_county("140105", "小店区青少年科技教育协会").await;
    let r = b.post_form(&format!("/admin/orgs/{county}/delete"), &[]).await;
    assert_redirect(&r, "/admin/orgs");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM org WHERE id = {county}")).await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'org.delete'").await, 1);
}

#[tokio::test]
async fn the_root_cannot_be_deactivated_and_counties_have_no_children() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Secretariat).await;
    let r = b.post_form(&format!("/admin/orgs/{}/activation", app.fixture.root), &[("active", "0")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let county = app.add_county("140105", "小店区青少年科技教育协会").await;
    let r = b
        .post_form(
            "/admin/orgs",
            &[("parent_id", &county.to_string()), ("code", "140105"), ("name", "街道"), ("short_name", "街道")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("区县级机构下不能再添加下级机构"));
}

#[tokio::test]
async fn the_administrator_of_a_deactivated_city_loses_the_back_office() {
    let app = TestApp::spawn().await;
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.get("/admin").await.status(), StatusCode::OK);
    let sec = app.login_as(Who::Secretariat).await;
    sec.post_form(&format!("/admin/orgs/{}/activation", app.fixture.datong), &[("active", "0")]).await;
    assert_eq!(datong.get("/admin").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(datong.get("/me").await.status(), StatusCode::OK, "the account itself still works");
}
