//! Administrators hand out accounts and roles; the rules keep the tree consistent.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_secretariat_gives_a_city_its_own_administrator_who_sees_only_that_city() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let yangquan = app.text("SELECT CAST(id AS TEXT) FROM org WHERE code = '140300'").await.unwrap();
    let r = sec
        .post_form(
            "/admin/users",
            &[
                ("display_name", "孙丽"),
                ("username", "yangquan"),
                ("email", "sunli@example.org"),
                ("mobile", "13600000009"),
                ("role", "city_admin"),
                ("org_id", &yangquan),
                ("password", "shanxi-kexie-2026"),
                ("password_confirm", "shanxi-kexie-2026"),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/users/");
    let (_, page) = sec.page(&location(&r)).await;
    assert!(page.contains("已创建账号“孙丽”") && page.contains("市协会管理员") && page.contains("阳泉市"));

    let admin = app.login_with("yangquan", "shanxi-kexie-2026").await;
    let (status, html) = admin.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("阳泉市 · 市协会管理员"));
    let (_, orgs) = admin.page("/admin/orgs").await;
    assert!(orgs.contains("阳泉市青少年科技教育协会") && !orgs.contains("太原市青少年科技教育协会"));
    let r = admin.get(&format!("/admin/orgs/{}", app.fixture.taiyuan)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_account_without_a_password_gets_an_emailed_link() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let ty = app.fixture.taiyuan.to_string();
    let r = sec
        .post_form(
            "/admin/users",
            &[
                ("display_name", "周强"),
                ("username", "zhouqiang"),
                ("email", "zhouqiang@example.org"),
                ("role", "city_admin"),
                ("org_id", &ty),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/users/");
    let (subject, body) = app.last_mail_to("zhouqiang@example.org").await.expect("a password link");
    assert!(subject.contains("设置您的登录密码") && body.contains("周强") && body.contains("/password/reset?token="));
}

#[tokio::test]
async fn roles_must_sit_on_the_right_level_of_the_tree() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let teacher = app.fixture.user(Who::Teacher);
    let root = app.fixture.root.to_string();
    let ty = app.fixture.taiyuan.to_string();
    let r =
        sec.post_form(&format!("/admin/users/{teacher}/grants"), &[("role", "city_admin"), ("org_id", &root)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("此角色不能设在该级机构"));
    let r = sec.post_form(&format!("/admin/users/{teacher}/grants"), &[("role", "council"), ("org_id", &ty)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sec.post_form(&format!("/admin/users/{teacher}/grants"), &[("role", "city_admin"), ("org_id", &ty)]).await;
    assert_redirect(&r, &format!("/admin/users/{teacher}"));
    // The new role works at once.
    let b = app.login_as(Who::Teacher).await;
    assert_eq!(b.get(&format!("/admin/orgs/{ty}")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn only_the_system_administrator_hands_out_the_top_roles() {
    let app = TestApp::spawn().await;
    let teacher = app.fixture.user(Who::Teacher);
    let root = app.fixture.root.to_string();
    let sec = app.login_as(Who::Secretariat).await;
    let r =
        sec.post_form(&format!("/admin/users/{teacher}/grants"), &[("role", "secretariat"), ("org_id", &root)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = app.login_as(Who::Sysadmin).await;
    let r =
        admin.post_form(&format!("/admin/users/{teacher}/grants"), &[("role", "secretariat"), ("org_id", &root)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_last_system_administrator_is_never_lost() {
    let app = TestApp::spawn().await;
    let admin_id = app.fixture.user(Who::Sysadmin);
    let grant =
        app.scalar(&format!("SELECT id FROM role_grant WHERE user_id = {admin_id} AND role = 'sysadmin'")).await;
    let admin = app.login_as(Who::Sysadmin).await;
    let r = admin.post_form(&format!("/admin/users/{admin_id}/grants/{grant}/revoke"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能停用自己的账号或撤销自己的系统管理员角色"));
    let r = admin.post_form(&format!("/admin/users/{admin_id}/activation"), &[("active", "0")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A second administrator cannot take the first one's role while it is the last one.
    let sec_id = app.fixture.user(Who::Secretariat);
    let root = app.fixture.root.to_string();
    admin.post_form(&format!("/admin/users/{sec_id}/grants"), &[("role", "sysadmin"), ("org_id", &root)]).await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec.post_form(&format!("/admin/users/{admin_id}/grants/{grant}/revoke"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "two administrators: one may go");
    let sec_grant =
        app.scalar(&format!("SELECT id FROM role_grant WHERE user_id = {sec_id} AND role = 'sysadmin'")).await;
    let r = sec.post_form(&format!("/admin/users/{sec_id}/grants/{sec_grant}/revoke"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_and_blocks_sign_in() {
    let app = TestApp::spawn().await;
    let teacher = app.login_as(Who::Teacher).await;
    let sec = app.login_as(Who::Secretariat).await;
    let id = app.fixture.user(Who::Teacher);
    let r = sec.post_form(&format!("/admin/users/{id}/activation"), &[("active", "0")]).await;
    assert_redirect(&r, &format!("/admin/users/{id}"));
    assert_redirect(&teacher.get("/me").await, "/sign-in");
    let r = app.anonymous().await.post_form("/sign-in", &[("login", "zhangwei"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("该账号已停用"));
    sec.post_form(&format!("/admin/users/{id}/activation"), &[("active", "1")]).await;
    app.login_as(Who::Teacher).await;
}

#[tokio::test]
async fn the_account_list_filters_by_role_organisation_and_name() {
    let app = TestApp::spawn().await;
    let sec = app.login_as(Who::Secretariat).await;
    let (_, html) = sec.page("/admin/users?role=city_admin").await;
    assert!(html.contains("李明") && html.contains("赵敏") && !html.contains("张伟"));
    assert!(html.contains("共 2 条"));
    let (_, html) = sec.page(&format!("/admin/users?org={}", app.fixture.datong)).await;
    assert!(html.contains("赵敏") && !html.contains("李明"));
    let (_, html) = sec.page("/admin/users?q=%E5%BC%A0").await;
    assert!(html.contains("张伟") && html.contains("共 1 条"));
    let (_, html) = sec.page("/admin/users?q=1380013").await;
    assert!(html.contains("张伟"));
}

#[tokio::test]
async fn the_secretariat_cannot_bring_back_or_reset_a_system_administrator() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Who::Sysadmin).await;
    // A second administrator, deactivated by the first.
    let council = app.fixture.user(Who::Council);
    let root = app.fixture.root.to_string();
    admin.post_form(&format!("/admin/users/{council}/grants"), &[("role", "sysadmin"), ("org_id", &root)]).await;
    let r = admin.post_form(&format!("/admin/users/{council}/activation"), &[("active", "0")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sec = app.login_as(Who::Secretariat).await;
    let before = app.audit_count().await;
    let r = sec.post_form(&format!("/admin/users/{council}/activation"), &[("active", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sec.post_form(&format!("/admin/users/{}/password-reset", app.fixture.user(Who::Sysadmin)), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before);
    let (_, page) = sec.page(&format!("/admin/users/{council}")).await;
    assert!(!page.contains("启用账号"), "the button is not offered either");
}

#[tokio::test]
async fn deactivating_an_account_revokes_its_api_tokens_for_good() {
    let app = TestApp::spawn().await;
    let teacher = app.login_as(Who::Teacher).await;
    let created: serde_json::Value = teacher
        .api(reqwest::Method::POST, "/api/v1/tokens", Some(serde_json::json!({"name": "同步"})))
        .await
        .json()
        .await
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_string();
    let sec = app.login_as(Who::Secretariat).await;
    let id = app.fixture.user(Who::Teacher);
    sec.post_form(&format!("/admin/users/{id}/activation"), &[("active", "0")]).await;
    sec.post_form(&format!("/admin/users/{id}/activation"), &[("active", "1")]).await;
    let r = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the token did not come back with the account");
}

#[tokio::test]
async fn a_city_administrator_sees_only_the_roles_held_in_their_city() {
    let app = TestApp::spawn().await;
    // 李明 administers 太原市 and is also a member registered with 大同市.
    app.grant(Who::Taiyuan, huiyuan::auth::Role::Member, app.fixture.datong).await;
    let datong = app.login_as(Who::Datong).await;
    let (status, page) = datong.page(&format!("/admin/users/{}", app.fixture.user(Who::Taiyuan))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("大同市") && !page.contains("太原市"), "the 太原市 role is not shown to 大同市");
    let (_, list) = datong.page("/admin/users").await;
    assert!(list.contains("李明") && !list.contains("市协会管理员 · 太原市"));
    // Filtering by another city's node finds nobody.
    let (_, probe) = datong.page(&format!("/admin/users?org={}", app.fixture.taiyuan)).await;
    assert!(probe.contains(NO_MATCH) && !probe.contains(r#"class="pager""#));
    let api: serde_json::Value = datong
        .api(reqwest::Method::GET, &format!("/api/v1/users/{}", app.fixture.user(Who::Taiyuan)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["grants"].as_array().unwrap().len(), 1);
}
