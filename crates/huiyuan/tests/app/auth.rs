//! Accounts: sign-in, throttling, sign-out, sign-up, password change and reset, CSRF.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_home_page_greets_visitors_in_chinese() {
    let app = TestApp::spawn().await;
    let (status, html) = app.stranger().page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("山西省青少年科技教育协会"));
    assert!(html.contains("申请入会"));
    assert!(html.contains("太原市") && html.contains("吕梁市"), "the eleven cities are listed");
}

#[tokio::test]
async fn people_sign_in_with_user_name_e_mail_or_mobile_number() {
    let app = TestApp::spawn().await;
    for login in ["zhangwei", "ZhangWei@Example.org", "138 0013 8000", "１３８００１３８０００"] {
        let b = app.login_with(login, PASSWORD).await;
        let (_, html) = b.page("/me").await;
        assert!(html.contains("张伟"), "signed in with {login}");
    }
}

#[tokio::test]
async fn a_failed_sign_in_never_says_whether_the_account_exists() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    let wrong = b.post_form("/sign-in", &[("login", "zhangwei"), ("password", "wrong-password-1")]).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = wrong.text().await.unwrap();
    let unknown = b.post_form("/sign-in", &[("login", "nosuchperson"), ("password", "wrong-password-1")]).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = unknown.text().await.unwrap();
    assert!(wrong.contains("账号或密码不正确"));
    assert!(unknown.contains("账号或密码不正确"));
    // The typed login stays in the form; the password does not come back.
    assert!(wrong.contains("value=\"zhangwei\""));
    assert!(!wrong.contains("wrong-password-1"));
    assert_eq!(b.get("/me").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    for _ in 0..5 {
        let r = b.post_form("/sign-in", &[("login", "zhangwei"), ("password", "guess-1234")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now.
    let r = b.post_form("/sign-in", &[("login", "zhangwei"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("登录失败次数过多，已暂时锁定，请 15 分钟后再试"));
    // Another account is not affected.
    app.login_as(Who::Datong).await;
    // Nor does a lock-out reveal anything: unknown names lock the same way.
    for _ in 0..5 {
        b.post_form("/sign-in", &[("login", "ghost"), ("password", "guess-1234")]).await;
    }
    let r = b.post_form("/sign-in", &[("login", "ghost"), ("password", "guess-1234")]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let app = TestApp::spawn_with(|s| s.security.login_max_failures_per_address = 3).await;
    let b = app.anonymous().await;
    for name in ["a1x", "b2y", "c3z"] {
        b.post_form("/sign-in", &[("login", name), ("password", "guess-1234")]).await;
    }
    let r = b.post_form("/sign-in", &[("login", "zhangwei"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("您所在网络登录失败次数过多"));
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Teacher).await;
    let cookie_sessions = app.scalar("SELECT COUNT(*) FROM session WHERE user_id IS NOT NULL").await;
    assert_eq!(cookie_sessions, 1);
    let r = b.post_form("/sign-out", &[]).await;
    assert_redirect(&r, "/");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM session WHERE user_id IS NOT NULL").await, 0);
    assert_redirect(&b.get("/me").await, "/sign-in?next=/me");
}

#[tokio::test]
async fn session_cookies_are_http_only_same_site_and_secure_behind_https() {
    let app = TestApp::spawn().await;
    let r = app.stranger().get("/sign-in").await;
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("hy_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain-HTTP installations cannot use Secure cookies");

    let https = TestApp::spawn_with(|s| s.server.base_url = "https://huiyuan.example.org".into()).await;
    let r = https.stranger().get("/sign-in").await;
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-hy_session=") && cookie.contains("Secure"), "{cookie}");
    assert!(r.headers().get("strict-transport-security").is_some());
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let b = app.login_as(Who::Teacher).await;
    let before = app.audit_count().await;
    let fields = [("current", PASSWORD), ("password", "brand-new-2026"), ("password_confirm", "brand-new-2026")];
    let r = b.post_form_raw("/me/password", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("表单来源无法确认"));
    let mut forged = fields.to_vec();
    forged.push(("csrf_token", "forged-token"));
    assert_eq!(b.post_form_raw("/me/password", &forged).await.status(), StatusCode::BAD_REQUEST);
    // A cross-site request is refused even with the right token.
    let r = b
        .client
        .post(app.url("/me/password"))
        .header("origin", "https://evil.example")
        .form(&[("csrf_token", b.csrf.clone().unwrap().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.audit_count().await, before);
    app.login_with("zhangwei", PASSWORD).await; // the password did not change
}

#[tokio::test]
async fn a_form_posted_after_the_page_expired_says_so() {
    let app = TestApp::spawn().await;
    let r = app.stranger().post_form_raw("/sign-in", &[("login", "zhangwei"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("页面已过期"));
}

#[tokio::test]
async fn signing_up_creates_a_signed_in_applicant() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    let r = b
        .post_form(
            "/sign-up",
            &[
                ("display_name", "王芳"),
                ("username", "WangFang"),
                ("email", "wangfang@example.org"),
                ("mobile", "139-1234-5678"),
                ("password", "kexue-2026!"),
                ("password_confirm", "kexue-2026!"),
            ],
        )
        .await;
    assert_redirect(&r, "/me");
    let (_, html) = b.page("/me").await;
    assert!(html.contains("您好，王芳") && html.contains("您还不是会员"), "a newcomer is shown the way to apply");
    assert!(html.contains("href=\"/apply/individual\""));
    let (_, html) = b.page("/me/settings").await;
    assert!(html.contains("wangfang") && html.contains("13912345678"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_up'").await, 1);
    // An applicant has no back office.
    assert_eq!(b.get("/admin").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_up_with_bad_input_explains_each_field_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    let long_name = "长".repeat(51);
    let r = b
        .post_form(
            "/sign-up",
            &[
                ("display_name", &long_name),
                ("username", "9abc"),
                ("email", "wangfang@"),
                ("mobile", "1234"),
                ("password", "12345678"),
                ("password_confirm", "12345678"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for message in [
        "不能超过 50 个字",
        "用户名为 3–32 位小写字母",
        "邮箱格式不正确",
        "手机号应为 11 位数字",
        "密码需包含字母、数字、符号中的至少两类",
        "处需要修改",
    ] {
        assert!(html.contains(message), "missing: {message}");
    }
    assert!(
        html.contains(&format!("value=\"{long_name}\""))
            && html.contains("value=\"wangfang@\"")
            && html.contains("value=\"1234\"")
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM app_user WHERE username = '9abc'").await, 0);
}

#[tokio::test]
async fn signing_up_twice_is_refused_on_the_field_that_is_taken() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    let taken = [
        ("zhangwei", "new1@example.org", "13600000001", "该用户名已被使用"),
        ("newname1", "ZHANGWEI@example.org", "13600000002", "该邮箱已注册"),
        ("newname2", "new3@example.org", "13800138000", "该手机号已注册"),
    ];
    for (username, email, mobile, message) in taken {
        let r = b
            .post_form(
                "/sign-up",
                &[
                    ("display_name", "重复"),
                    ("username", username),
                    ("email", email),
                    ("mobile", mobile),
                    ("password", "kexue-2026!"),
                    ("password_confirm", "kexue-2026!"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains(message), "{message}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM app_user WHERE display_name = '重复'").await, 0);
}

async fn reset_link(app: &TestApp, email: &str) -> String {
    let (subject, body) = app.last_mail_to(email).await.expect("a reset mail");
    assert!(subject.contains("设置您的登录密码"));
    let start = body.find("/password/reset?token=").expect("link");
    let end = body[start..].find(char::is_whitespace).map(|e| start + e).unwrap_or(body.len());
    body[start..end].to_string()
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let app = TestApp::spawn().await;
    let signed_in_elsewhere = app.login_as(Who::Teacher).await;
    let b = app.anonymous().await;
    let r = b.post_form("/password/forgot", &[("login", "13800138000")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("重置链接已发送"));
    let link = reset_link(&app, "zhangwei@example.org").await;

    assert_eq!(b.get(&link).await.status(), StatusCode::OK);
    let token = link.split("token=").nth(1).unwrap();
    let weak =
        b.post_form("/password/reset", &[("token", token), ("password", "short"), ("password_confirm", "short")]).await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("密码至少需要 8 个字符"));
    let r = b
        .post_form(
            "/password/reset",
            &[("token", token), ("password", "xin-mima-2026"), ("password_confirm", "xin-mima-2026")],
        )
        .await;
    assert_redirect(&r, "/sign-in");

    app.login_with("zhangwei", "xin-mima-2026").await;
    let old = app.anonymous().await.post_form("/sign-in", &[("login", "zhangwei"), ("password", PASSWORD)]).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    // Sessions that existed before the reset have ended.
    assert_redirect(&signed_in_elsewhere.get("/me").await, "/sign-in");
    // The link works once.
    assert_eq!(b.get(&link).await.status(), StatusCode::GONE);
    let again = b
        .post_form(
            "/password/reset",
            &[("token", token), ("password", "other-mima-2026"), ("password_confirm", "other-mima-2026")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().await.unwrap().contains("此链接无效、已过期或已被使用"));
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    b.post_form("/password/forgot", &[("login", "zhangwei")]).await;
    let link = reset_link(&app, "zhangwei@example.org").await;
    sqlx::query("UPDATE password_reset SET expires_at = 1").execute(app.state.db.pool()).await.unwrap();
    assert_eq!(b.get(&link).await.status(), StatusCode::GONE);
    let token = link.split("token=").nth(1).unwrap();
    let r = b
        .post_form(
            "/password/reset",
            &[("token", token), ("password", "xin-mima-2026"), ("password_confirm", "xin-mima-2026")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::GONE);
    app.login_with("zhangwei", PASSWORD).await;
}

#[tokio::test]
async fn asking_to_reset_an_unknown_account_looks_the_same_and_sends_nothing() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    let known = b.post_form("/password/forgot", &[("login", "zhangwei")]).await.text().await.unwrap();
    let unknown = b.post_form("/password/forgot", &[("login", "nobody-here")]).await.text().await.unwrap();
    let strip = |s: &str| s.replace("value=\"zhangwei\"", "").replace("value=\"nobody-here\"", "");
    assert_eq!(strip(&known), strip(&unknown));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_message").await, 1);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let phone = app.login_as(Who::Teacher).await;
    let desktop = app.login_as(Who::Teacher).await;
    let wrong = desktop
        .post_form(
            "/me/password",
            &[("current", "not-it-1234"), ("password", "xin-mima-2026"), ("password_confirm", "xin-mima-2026")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("当前密码不正确"));
    let r = desktop
        .post_form(
            "/me/password",
            &[("current", PASSWORD), ("password", "xin-mima-2026"), ("password_confirm", "xin-mima-2026")],
        )
        .await;
    assert_redirect(&r, "/me");
    assert_eq!(desktop.get("/me").await.status(), StatusCode::OK);
    assert_redirect(&phone.get("/me").await, "/sign-in");
}

#[tokio::test]
async fn the_language_can_be_switched_and_a_user_keeps_their_choice() {
    let app = TestApp::spawn().await;
    let visitor = app.stranger();
    assert_redirect(&visitor.get("/lang/en?next=/notices").await, "/notices");
    let (_, html) = visitor.page("/notices").await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Sign in"));

    let b = app.login_as(Who::Teacher).await;
    b.post_form("/me/language", &[("lang", "en"), ("next", "/me")]).await;
    assert_eq!(app.text("SELECT locale FROM app_user WHERE username = 'zhangwei'").await.unwrap(), "en");
    let fresh = app.login_as(Who::Teacher).await;
    let (_, html) = fresh.page("/me").await;
    assert!(html.contains("Hello, 张伟"));
}

#[tokio::test]
async fn an_oversized_form_is_refused() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = b.post_form("/sign-in", &[("login", &huge), ("password", "x")]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn failures_count_against_the_account_whichever_login_is_typed() {
    let app = TestApp::spawn().await;
    let b = app.anonymous().await;
    for login in ["zhangwei", "zhangwei@example.org", "13800138000", "zhangwei", "13800138000"] {
        let r = b.post_form("/sign-in", &[("login", login), ("password", "guess-1234")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = b.post_form("/sign-in", &[("login", "zhangwei@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_password_reset_revokes_the_accounts_api_tokens() {
    let app = TestApp::spawn().await;
    let teacher = app.login_as(Who::Teacher).await;
    let created: serde_json::Value = teacher
        .api(reqwest::Method::POST, "/api/v1/tokens", Some(serde_json::json!({"name": "x"})))
        .await
        .json()
        .await
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_string();
    let r = teacher
        .post_form(
            "/me/password",
            &[("current", PASSWORD), ("password", "xin-mima-2026"), ("password_confirm", "xin-mima-2026")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_next_link_cannot_send_people_to_another_site() {
    let app = TestApp::spawn().await;
    let r = app.stranger().get("/lang/en?next=/%09/evil.example").await;
    assert_redirect(&r, "/");
    assert_eq!(location(&r), "/");
    let b = app.anonymous().await;
    let r = b.post_form("/sign-in", &[("login", "zhangwei"), ("password", PASSWORD), ("next", "//evil.example")]).await;
    assert_eq!(location(&r), "/me");
}
