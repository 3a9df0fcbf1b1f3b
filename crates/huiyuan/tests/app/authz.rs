//! Every route, asked by every kind of user: anonymous, a member, the administrator of
//! another city, the administrator of this city (太原市), the secretariat and the system
//! administrator. A route added without a row here fails `every_route_has_an_authorization_case`.
//! A refused request must change nothing: the audit log does not grow.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use huiyuan::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status.
    Status(u16),
    /// Sent to the sign-in page (pages) — anonymous visitors on protected pages.
    SignIn,
}

use Expect::{SignIn, Status};

const OK: Expect = Status(200);
const CREATED: Expect = Status(201);
const NO_CONTENT: Expect = Status(204);
const SEE_OTHER: Expect = Status(303);
const FORBIDDEN: Expect = Status(403);
const NOT_FOUND: Expect = Status(404);
const UNAUTHORIZED: Expect = Status(401);

#[derive(Clone)]
enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Upload,
}

struct Case {
    method: Method,
    /// The route pattern (as in `paths`).
    pattern: &'static str,
    /// The concrete path requested.
    path: String,
    body: Body,
    /// anonymous, member, other city, this city, secretariat, system administrator
    expect: [Expect; 6],
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn case(method: Method, pattern: &'static str, path: impl Into<String>, body: Body, expect: [Expect; 6]) -> Case {
    Case { method, pattern, path: path.into(), body, expect }
}

const ALL_OK: [Expect; 6] = [OK; 6];
/// Signed-in users of any kind.
const SIGNED_IN: [Expect; 6] = [SignIn, OK, OK, OK, OK, OK];
/// Staff with a back-office role.
const STAFF: [Expect; 6] = [SignIn, FORBIDDEN, OK, OK, OK, OK];
/// Only the secretariat (and the system administrator).
const SECRETARIAT: [Expect; 6] = [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK];
/// Only staff who see 太原市: its administrator and the province.
const THIS_CITY: [Expect; 6] = [SignIn, FORBIDDEN, FORBIDDEN, OK, OK, OK];
const SECRETARIAT_POST: [Expect; 6] = [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, SEE_OTHER];
const API_SECRETARIAT: [Expect; 6] = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK];
const API_STAFF: [Expect; 6] = [UNAUTHORIZED, FORBIDDEN, OK, OK, OK, OK];
const API_THIS_CITY: [Expect; 6] = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, OK, OK];

#[tokio::test]
async fn every_route_answers_each_kind_of_user_as_the_policy_says() {
    // Every kind of user fails one sign-in below; keep the throttle out of the way.
    let app = TestApp::spawn_with(|s| {
        s.security.login_max_failures_per_account = 50;
        s.security.login_max_failures_per_address = 500;
    })
    .await;
    let f = app.fixture.clone();
    let ty = f.taiyuan;
    let ty_admin = f.user(Who::Taiyuan);

    // Things for the routes to act on.
    let published = app.add_notice("关于开展会员普查的通知", true).await;
    let draft = app.add_notice("草稿通知", false).await;
    let sec = app.login_as(Who::Secretariat).await;
    let pdf = sec.upload(&format!("/admin/notices/{published}/files"), "登记表.pdf", tiny_pdf()).await;
    assert_eq!(pdf.status(), StatusCode::SEE_OTHER);
    let file_id = app.scalar("SELECT MAX(file_id) FROM notice_attachment").await;
    let county = app.add_county("140105", "小店区青少年科技教育协会").await;
    let extra_grant = app.grant(Who::Taiyuan, Role::Member, ty).await;
    let extra_grant_2 = app.grant(Who::Taiyuan, Role::Member, f.root).await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let sec_id = f.user(Who::Secretariat);
    let (_, token_a) = huiyuan::auth::tokens::create(&mut conn, sec_id, "网页撤销").await.unwrap();
    let (_, token_b) = huiyuan::auth::tokens::create(&mut conn, sec_id, "接口撤销").await.unwrap();
    drop(conn);
    let mail_id = {
        let r = sec.post_form(&format!("/admin/users/{ty_admin}/password-reset"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let id = app.scalar("SELECT MAX(id) FROM mail_message").await;
        // Let the worker finish with it, then pretend every attempt failed.
        assert!(
            eventually(|| async { app.scalar("SELECT COUNT(*) FROM job WHERE status = 'queued'").await == 0 }).await
        );
        sqlx::query("UPDATE mail_message SET status = 'failed', attempts = 10, last_error = 'test' WHERE id = $1")
            .bind(id)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        id
    };
    let application = app.submitted_application(Who::Teacher, "张伟", &resident_id("140105", "19900307", 491)).await;
    let app_draft = {
        let teacher = app.login_as(Who::Teacher).await;
        let r = teacher.post_form("/apply/individual", &[("name", "张伟"), ("intent", "save")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        location(&r).split('/').nth(2).unwrap().to_string()
    };
    // A scan on the submitted application, and one on the draft.
    let attach = |app_id: i64| {
        let state = app.state.clone();
        async move {
            let mut tx = state.db.begin().await.unwrap();
            let f = huiyuan::files::save(
                &mut tx,
                state.files.as_ref(),
                "扫描件.pdf",
                huiyuan::files::Kind::Pdf,
                &tiny_pdf(),
                None,
            )
            .await
            .unwrap();
            sqlx::query("INSERT INTO application_file (application_id, file_id, purpose) VALUES ($1, $2, '其他')")
                .bind(app_id)
                .bind(f.id)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            f.id
        }
    };
    let app_file = attach(application).await;
    let draft_file = attach(app_draft.parse().unwrap()).await;
    // The review chain: recommendations to batch, an open batch, a forwarded application,
    // filed ones and an open meeting (applicants with their own ID numbers).
    let council_member = f.user(Who::Council).0;
    let id_no = |seq: u32| resident_id("140105", "19700101", seq);
    let rec_new = app.recommended_application(Who::Council, "王一", &id_no(11)).await;
    let rec_b = app.recommended_application(Who::Council, "王二", &id_no(13)).await;
    let rec_c = app.recommended_application(Who::Council, "王三", &id_no(15)).await;
    let open_batch = create_batch(&app.login_as(Who::Taiyuan).await, "太原市授权测试批", &[rec_b, rec_c]).await;
    let fwd = app.forwarded_application(Who::Council, "王四", &id_no(17)).await;
    let ready_new = app.filed_application(Who::Council, "王五", &id_no(19)).await;
    let ready_b = app.filed_application(Who::Council, "王六", &id_no(21)).await;
    let ready_c = app.filed_application(Who::Council, "王七", &id_no(23)).await;
    let open_meeting = call_meeting(&sec, "votes", &[council_member], &[ready_b, ready_c]).await;
    // The same chain for the API's twins, so the pages' cases and theirs do not meet.
    let api_submitted = app.submitted_application(Who::Council, "王八", &id_no(25)).await;
    let rec_api = app.recommended_application(Who::Council, "王九", &id_no(27)).await;
    let rec_api_b = app.recommended_application(Who::Council, "王十", &id_no(29)).await;
    let api_batch = create_batch(&app.login_as(Who::Taiyuan).await, "太原市接口授权批", &[rec_api_b]).await;
    let ready_api = app.filed_application(Who::Council, "王十一", &id_no(31)).await;
    let ready_api_b = app.filed_application(Who::Council, "王十二", &id_no(33)).await;
    let api_meeting = call_meeting(&sec, "votes", &[council_member], &[ready_api_b]).await;
    let api_draft = {
        let teacher = app.login_as(Who::Teacher).await;
        let r = teacher.post_form("/apply/group", &[("name", "接口草稿学校"), ("intent", "save")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        location(&r).split('/').nth(2).unwrap().to_string()
    };
    // Registry: a 太原市 member who is the teacher's own record, and a 太原市 group member.
    let (member, member_number) = app
        .add_member(NewMemberSpec {
            name: "赵老师",
            org: Some(ty),
            user: Some(f.user(Who::Teacher)),
            id_number: &resident_id("140105", "19800101", 31),
            ..NewMemberSpec::default()
        })
        .await;
    let (group_member, _) = app
        .add_member(NewMemberSpec {
            name: "太原市第五中学",
            org: Some(ty),
            kind: "group",
            category: "group",
            ..NewMemberSpec::default()
        })
        .await;
    // A roster import of 太原市 in preview.
    let import_batch = {
        let city = app.login_as(Who::Taiyuan).await;
        let csv = format!("姓名,身份证号码\n孙老师,{}\n", resident_id("140105", "19820101", 35));
        let r =
            city.upload_with("/admin/members/import", &[("city", &ty.to_string())], "名册.csv", csv.into_bytes()).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        location(&r).rsplit('/').next().unwrap().to_string()
    };
    // A census of 太原市, open now: the teacher's record has a task in it.
    let census = {
        let today = app.state.settings.locale.today();
        let close = (today + time::Duration::days(30)).to_string();
        let fields = [
            ("title", "授权测试普查"),
            ("opens_on", &today.to_string()),
            ("closes_on", &close),
            ("org", &ty.to_string()),
        ];
        let r = sec.post_form("/admin/census", &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        location(&r).rsplit('/').next().unwrap().to_string()
    };
    // A certificate batch asked for by 太原市, made by the worker.
    let cert_batch = {
        let city = app.login_as(Who::Taiyuan).await;
        let r = city.post_form("/admin/members/certificates?q=zls", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        app.run_jobs().await;
        assert!(
            eventually(|| async {
                app.scalar("SELECT COUNT(*) FROM certificate_batch WHERE status = 'done'").await == 1
            })
            .await
        );
        location(&r).rsplit('/').next().unwrap().to_string()
    };
    // A proposal of 太原市 for its member, awaiting the secretariat.
    let proposal = {
        let city = app.login_as(Who::Taiyuan).await;
        let url = format!("/admin/members/{member}/proposals");
        let r = city.post_form(&url, &[("field", "category"), ("value", "senior"), ("reason", "获评高级教师")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        app.scalar("SELECT MAX(id) FROM member_proposal").await
    };
    // A second import in preview, for the API's commit.
    let api_import = {
        let city = app.login_as(Who::Taiyuan).await;
        let csv = format!("姓名,身份证号码\n钱老师,{}\n", resident_id("140105", "19830101", 37));
        let r = city
            .upload_with("/admin/members/import", &[("city", &ty.to_string())], "名册二.csv", csv.into_bytes())
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        location(&r).rsplit('/').next().unwrap().to_string()
    };
    // Webhooks of 太原市, each with a failed delivery: one for the pages, one for the API.
    let hook = || {
        let state = app.state.clone();
        async move {
            use huiyuan::webhooks::store;
            let mut tx = state.db.begin().await.unwrap();
            let new = store::NewWebhook {
                org: ty,
                url: "http://127.0.0.1:9/hook",
                description: "",
                events: &["member.created".to_string()],
                secret: "whsec_test",
                by: ty_admin,
            };
            let id = store::insert(&mut tx, &new).await.unwrap();
            let d = store::insert_delivery(&mut tx, id, "member.created", "{}").await.unwrap();
            store::record_attempt(&mut tx, d, None, Some("webhook.e_connect"), true).await.unwrap();
            tx.commit().await.unwrap();
            (id, d)
        }
    };
    let (page_hook, page_delivery) = hook().await;
    let (api_hook, api_delivery) = hook().await;
    // A second proposal, for the API's decision.
    let api_proposal = {
        let city = app.login_as(Who::Taiyuan).await;
        let url = format!("/admin/members/{member}/proposals");
        let r = city.post_form(&url, &[("field", "status"), ("value", "suspended"), ("reason", "长期联系不上")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        app.scalar("SELECT MAX(id) FROM member_proposal").await
    };
    let audit_id = app.scalar("SELECT MAX(id) FROM audit_log").await;

    // The studio: a resource and two bookings of the member's, three days ahead.
    let (resource, booking_a, booking_b) = {
        use huiyuan::services::studio::{slot::Slot, store};
        let mut tx = app.state.db.begin().await.unwrap();
        let row = store::ResourceRow {
            name: "多功能活动室",
            kind: "room",
            description: "",
            capacity: 40,
            purposes: "",
            opens_at: "09:00",
            closes_at: "17:00",
            closed_weekdays: "",
            active: true,
        };
        let r = store::insert_resource(&mut tx, &row).await.unwrap();
        let start = huiyuan::storage::now_ms() + 3 * 86_400_000;
        let booking = |n: i64| store::NewBooking {
            resource: r,
            user: f.user(Who::Teacher),
            booker_name: "张伟",
            member: None,
            org: None,
            slot: Slot { starts_at: start + n * 7_200_000, ends_at: start + n * 7_200_000 + 3_600_000 },
            purpose: "科技活动",
            participants: 10,
            note: "",
        };
        let a = store::insert_booking(&mut tx, &booking(0)).await.unwrap();
        let b = store::insert_booking(&mut tx, &booking(1)).await.unwrap();
        tx.commit().await.unwrap();
        (r, a, b)
    };
    let week = app.state.settings.locale.today();
    let week_end = week + time::Duration::days(6);
    const REFUSED_INPUT: [Expect; 6] = [SignIn, Status(422), Status(422), Status(422), Status(422), Status(422)];
    const MANAGER_INPUT: [Expect; 6] = [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)];
    const API_MANAGER_INPUT: [Expect; 6] = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)];

    let cases = vec![
        // Public pages
        case(Method::GET, "/", "/", Body::None, ALL_OK),
        // The studio: anyone sees it, the signed-in book, the booker and the managers see a
        // booking, the secretariat runs it.
        case(Method::GET, "/studio", "/studio", Body::None, ALL_OK),
        case(Method::GET, "/studio/{id}", format!("/studio/{resource}"), Body::None, ALL_OK),
        case(Method::GET, "/studio/{id}/calendar.ics", format!("/studio/{resource}/calendar.ics"), Body::None, ALL_OK),
        case(Method::GET, "/studio/{id}/book", format!("/studio/{resource}/book"), Body::None, SIGNED_IN),
        case(
            Method::POST,
            "/studio/bookings",
            "/studio/bookings",
            form(&[("resource", &resource.to_string()), ("day", "不是日期")]),
            REFUSED_INPUT,
        ),
        case(
            Method::POST,
            "/studio/bookings/{id}/cancel",
            format!("/studio/bookings/{booking_a}/cancel"),
            Body::None,
            [SignIn, SEE_OTHER, NOT_FOUND, NOT_FOUND, Status(409), Status(409)],
        ),
        case(Method::GET, "/me/services", "/me/services", Body::None, SIGNED_IN),
        case(Method::GET, "/me/services/bookings.ics", "/me/services/bookings.ics", Body::None, SIGNED_IN),
        case(Method::GET, "/admin/studio", "/admin/studio", Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/studio/bookings/{id}/decide",
            format!("/admin/studio/bookings/{booking_b}/decide"),
            form(&[("decision", "decline"), ("note", "")]),
            MANAGER_INPUT,
        ),
        case(
            Method::POST,
            "/admin/studio/closed-days",
            "/admin/studio/closed-days",
            form(&[("day", "x")]),
            MANAGER_INPUT,
        ),
        case(Method::GET, "/admin/studio/resources/new", "/admin/studio/resources/new", Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/studio/resources/new",
            "/admin/studio/resources/new",
            form(&[("name", "")]),
            MANAGER_INPUT,
        ),
        case(
            Method::GET,
            "/admin/studio/resources/{id}",
            format!("/admin/studio/resources/{resource}"),
            Body::None,
            SECRETARIAT,
        ),
        case(
            Method::POST,
            "/admin/studio/resources/{id}",
            format!("/admin/studio/resources/{resource}"),
            form(&[("name", "")]),
            MANAGER_INPUT,
        ),
        case(Method::GET, "/api/v1/studio/resources", "/api/v1/studio/resources", Body::None, ALL_OK),
        case(
            Method::POST,
            "/api/v1/studio/resources",
            "/api/v1/studio/resources",
            Body::Json(json!({"name": "", "kind": "room", "capacity": 0, "opens_at": "09:00", "closes_at": "17:00"})),
            API_MANAGER_INPUT,
        ),
        case(
            Method::PUT,
            "/api/v1/studio/resources/{id}",
            format!("/api/v1/studio/resources/{resource}"),
            Body::Json(json!({"name": "", "kind": "room", "capacity": 0, "opens_at": "09:00", "closes_at": "17:00"})),
            API_MANAGER_INPUT,
        ),
        case(
            Method::POST,
            "/api/v1/studio/closed-days",
            "/api/v1/studio/closed-days",
            Body::Json(json!({"day": "x"})),
            API_MANAGER_INPUT,
        ),
        case(
            Method::GET,
            "/api/v1/studio/resources/{id}/bookings",
            format!("/api/v1/studio/resources/{resource}/bookings?from={week}&to={week_end}"),
            Body::None,
            ALL_OK,
        ),
        case(
            Method::GET,
            "/api/v1/studio/bookings",
            "/api/v1/studio/bookings",
            Body::None,
            [UNAUTHORIZED, OK, OK, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/api/v1/studio/bookings",
            "/api/v1/studio/bookings",
            Body::Json(
                json!({"resource_id": resource.0, "day": "x", "starts": "09:00", "ends": "10:00", "purpose": "科技活动", "participants": 5}),
            ),
            [UNAUTHORIZED, Status(422), Status(422), Status(422), Status(422), Status(422)],
        ),
        case(
            Method::GET,
            "/api/v1/studio/bookings/{id}",
            format!("/api/v1/studio/bookings/{booking_b}"),
            Body::None,
            [UNAUTHORIZED, OK, NOT_FOUND, NOT_FOUND, OK, OK],
        ),
        case(
            Method::POST,
            "/api/v1/studio/bookings/{id}/decision",
            format!("/api/v1/studio/bookings/{booking_b}/decision"),
            Body::Json(json!({"decision": "decline", "note": ""})),
            API_MANAGER_INPUT,
        ),
        case(
            Method::POST,
            "/api/v1/studio/bookings/{id}/cancel",
            format!("/api/v1/studio/bookings/{booking_b}/cancel"),
            Body::None,
            [UNAUTHORIZED, OK, NOT_FOUND, NOT_FOUND, Status(409), Status(409)],
        ),
        case(Method::GET, "/notices", "/notices", Body::None, ALL_OK),
        case(Method::GET, "/notices/{id}", format!("/notices/{published}"), Body::None, ALL_OK),
        case(
            Method::GET,
            "/notices/{id}/files/{file_id}",
            format!("/notices/{published}/files/{file_id}"),
            Body::None,
            ALL_OK,
        ),
        case(Method::GET, "/contact", "/contact", Body::None, ALL_OK),
        case(Method::GET, "/lang/{code}", "/lang/en?next=/", Body::None, [SEE_OTHER; 6]),
        // Accounts
        case(
            Method::GET,
            "/sign-in",
            "/sign-in",
            Body::None,
            [OK, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(
            Method::POST,
            "/sign-in",
            "/sign-in",
            form(&[("login", "nobody"), ("password", "wrong-password-1")]),
            [UNAUTHORIZED; 6],
        ),
        case(
            Method::GET,
            "/sign-up",
            "/sign-up",
            Body::None,
            [OK, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(Method::POST, "/sign-up", "/sign-up", form(&[("username", "")]), [Status(422); 6]),
        case(Method::GET, "/password/forgot", "/password/forgot", Body::None, ALL_OK),
        case(Method::POST, "/password/forgot", "/password/forgot", form(&[("login", "nobody")]), ALL_OK),
        case(Method::GET, "/password/reset", "/password/reset?token=not-a-token", Body::None, [Status(410); 6]),
        case(
            Method::POST,
            "/password/reset",
            "/password/reset",
            form(&[("token", "not-a-token"), ("password", "x"), ("password_confirm", "x")]),
            [Status(410); 6],
        ),
        case(Method::GET, "/me", "/me", Body::None, SIGNED_IN),
        case(Method::GET, "/me/settings", "/me/settings", Body::None, SIGNED_IN),
        case(Method::GET, "/me/password", "/me/password", Body::None, SIGNED_IN),
        case(
            Method::POST,
            "/me/password",
            "/me/password",
            form(&[
                ("current", "wrong-password-1"),
                ("password", "new-pass-2026"),
                ("password_confirm", "new-pass-2026"),
            ]),
            [SignIn, Status(422), Status(422), Status(422), Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/me/language",
            "/me/language",
            form(&[("lang", "zh-CN"), ("next", "/me")]),
            [SignIn, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(Method::GET, "/me/tokens", "/me/tokens", Body::None, SIGNED_IN),
        case(Method::POST, "/me/tokens", "/me/tokens", form(&[("name", "测试")]), SIGNED_IN),
        case(
            Method::POST,
            "/me/tokens/{id}/revoke",
            format!("/me/tokens/{token_a}/revoke"),
            Body::None,
            [SignIn, NOT_FOUND, NOT_FOUND, NOT_FOUND, SEE_OTHER, NOT_FOUND],
        ),
        // Joining
        case(Method::GET, "/apply", "/apply", Body::None, SIGNED_IN),
        case(Method::GET, "/apply/individual", "/apply/individual", Body::None, SIGNED_IN),
        case(
            Method::POST,
            "/apply/individual",
            "/apply/individual",
            form(&[("name", "草稿"), ("intent", "save")]),
            [SignIn, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(Method::GET, "/apply/group", "/apply/group", Body::None, SIGNED_IN),
        case(Method::GET, "/forms/individual.pdf", "/forms/individual.pdf", Body::None, ALL_OK),
        case(Method::GET, "/forms/individual.xlsx", "/forms/individual.xlsx", Body::None, ALL_OK),
        case(Method::GET, "/forms/group.pdf", "/forms/group.pdf", Body::None, ALL_OK),
        case(Method::GET, "/forms/group.xlsx", "/forms/group.xlsx", Body::None, ALL_OK),
        case(
            Method::GET,
            "/applications/{id}/form.pdf",
            format!("/applications/{application}/form.pdf"),
            Body::None,
            [SignIn, OK, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/apply/group",
            "/apply/group",
            form(&[("name", "草稿学校"), ("intent", "save")]),
            [SignIn, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(
            Method::GET,
            "/applications/{id}",
            format!("/applications/{application}"),
            Body::None,
            [SignIn, OK, FORBIDDEN, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(
            Method::GET,
            "/applications/{id}/edit",
            format!("/applications/{app_draft}/edit"),
            Body::None,
            [SignIn, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/applications/{id}/edit",
            format!("/applications/{app_draft}/edit"),
            form(&[("name", "张伟"), ("intent", "save")]),
            [SignIn, SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/applications/{id}/files",
            format!("/applications/{app_draft}/files"),
            Body::Upload,
            // The upload carries no purpose: the applicant is told to choose one.
            [SignIn, Status(422), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::GET,
            "/applications/{id}/files/{file_id}",
            format!("/applications/{application}/files/{app_file}"),
            Body::None,
            [SignIn, OK, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/applications/{id}/files/{file_id}/remove",
            format!("/applications/{app_draft}/files/{draft_file}/remove"),
            Body::None,
            [SignIn, SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/applications/{id}/withdraw",
            format!("/applications/{app_draft}/withdraw"),
            Body::None,
            [SignIn, SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(Method::GET, "/me/notifications", "/me/notifications", Body::None, SIGNED_IN),
        case(
            Method::POST,
            "/me/notifications/read",
            "/me/notifications/read",
            Body::None,
            [SignIn, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(Method::GET, "/admin/applications", "/admin/applications", Body::None, STAFF),
        case(
            Method::GET,
            "/admin/applications/{id}",
            format!("/admin/applications/{application}"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/applications/{id}/decision",
            format!("/admin/applications/{application}/decision"),
            form(&[("action", "return"), ("note", "请补充获奖证书扫描件")]),
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/admin/applications/{id}/id-number",
            format!("/admin/applications/{application}/id-number"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/applications/{id}/dossier",
            format!("/admin/applications/{fwd}/dossier"),
            form(&[("tick", "0"), ("copies", "1"), ("action", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, SEE_OTHER],
        ),
        // Batches: the city's own; the province follows them
        case(Method::GET, "/admin/batches", "/admin/batches", Body::None, STAFF),
        case(
            Method::POST,
            "/admin/batches",
            "/admin/batches",
            form(&[("name", "太原市新批次"), ("app", &rec_new.to_string())]),
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, FORBIDDEN, FORBIDDEN],
        ),
        case(Method::GET, "/admin/batches/{id}", format!("/admin/batches/{open_batch}"), Body::None, THIS_CITY),
        case(
            Method::GET,
            "/admin/batches/{id}/summary.pdf",
            format!("/admin/batches/{open_batch}/summary.pdf"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::GET,
            "/admin/batches/{id}/summary.xlsx",
            format!("/admin/batches/{open_batch}/summary.xlsx"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/batches/{id}/items/{app}/remove",
            format!("/admin/batches/{open_batch}/items/{rec_c}/remove"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/admin/batches/{id}/forward",
            format!("/admin/batches/{open_batch}/forward"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, FORBIDDEN, FORBIDDEN],
        ),
        // The standing council: run by the secretariat; only attending council members vote
        case(Method::GET, "/admin/council", "/admin/council", Body::None, SECRETARIAT),
        case(Method::GET, "/admin/council/new", "/admin/council/new", Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/council",
            "/admin/council",
            form(&[
                ("held_on", "2026-12-20"),
                ("session", "第五届常务理事会第四次会议"),
                ("mode", "minutes"),
                ("attendee", &council_member.to_string()),
                ("agenda", &ready_new.to_string()),
            ]),
            // The system administrator comes second: the application is on the agenda by then.
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(422)],
        ),
        case(Method::GET, "/admin/council/{id}", format!("/admin/council/{open_meeting}"), Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/council/{id}/votes",
            format!("/admin/council/{open_meeting}/votes"),
            form(&[("item", &ready_b.to_string()), (&format!("choice_{ready_b}"), "approve")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/admin/council/{id}/items/{app}/remove",
            format!("/admin/council/{open_meeting}/items/{ready_c}/remove"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, NOT_FOUND],
        ),
        case(
            Method::POST,
            "/admin/council/{id}/close",
            format!("/admin/council/{open_meeting}/close"),
            form(&[("resolution", "晋青科教〔2026〕99号")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(409)],
        ),
        // Joining in the API: the same scopes as the pages.
        case(
            Method::GET,
            "/api/v1/applications/choices",
            "/api/v1/applications/choices",
            Body::None,
            [UNAUTHORIZED, OK, OK, OK, OK, OK],
        ),
        case(
            Method::GET,
            "/api/v1/applications",
            "/api/v1/applications",
            Body::None,
            [UNAUTHORIZED, OK, OK, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/api/v1/applications",
            "/api/v1/applications",
            Body::Json(json!({"kind": "group", "form": {"name": "接口新建学校"}})),
            [UNAUTHORIZED, CREATED, CREATED, CREATED, CREATED, CREATED],
        ),
        case(
            Method::GET,
            "/api/v1/applications/{id}",
            format!("/api/v1/applications/{application}"),
            Body::None,
            [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::PATCH,
            "/api/v1/applications/{id}",
            format!("/api/v1/applications/{api_draft}"),
            Body::Json(json!({"name": "接口草稿学校"})),
            [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/api/v1/applications/{id}/submit",
            format!("/api/v1/applications/{api_draft}/submit"),
            Body::None,
            [UNAUTHORIZED, Status(422), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::GET,
            "/api/v1/applications/{id}/attachments",
            format!("/api/v1/applications/{application}/attachments"),
            Body::None,
            [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/api/v1/applications/{id}/attachments",
            format!("/api/v1/applications/{api_draft}/attachments"),
            Body::Upload,
            // The upload carries no purpose: the applicant is told to choose one.
            [UNAUTHORIZED, Status(422), FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::GET,
            "/api/v1/applications/{id}/attachments/{file_id}",
            format!("/api/v1/applications/{application}/attachments/{app_file}"),
            Body::None,
            [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/api/v1/applications/{id}/withdraw",
            format!("/api/v1/applications/{api_draft}/withdraw"),
            Body::None,
            [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/api/v1/applications/{id}/review",
            format!("/api/v1/applications/{api_submitted}/review"),
            Body::Json(json!({"decision": "return", "opinion": "请补充获奖证书扫描件"})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/api/v1/applications/{id}/dossier",
            format!("/api/v1/applications/{fwd}/dossier"),
            Body::Json(json!({"checklist": {"0": true}, "copies": 1})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK],
        ),
        case(Method::GET, "/api/v1/batches", "/api/v1/batches", Body::None, API_STAFF),
        case(
            Method::POST,
            "/api/v1/batches",
            "/api/v1/batches",
            Body::Json(json!({"name": "太原市接口新批次", "applications": [rec_api]})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN, FORBIDDEN],
        ),
        case(Method::GET, "/api/v1/batches/{id}", format!("/api/v1/batches/{api_batch}"), Body::None, API_THIS_CITY),
        case(
            Method::POST,
            "/api/v1/batches/{id}/forward",
            format!("/api/v1/batches/{api_batch}/forward"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        ),
        case(Method::GET, "/api/v1/council/meetings", "/api/v1/council/meetings", Body::None, API_SECRETARIAT),
        case(
            Method::POST,
            "/api/v1/council/meetings",
            "/api/v1/council/meetings",
            Body::Json(json!({"held_on": "2026-12-20", "session": "第五届常务理事会第六次会议", "mode": "minutes",
                              "attendees": [council_member], "agenda": [ready_api]})),
            // The system administrator comes second: the application is on the agenda by then.
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, Status(422)],
        ),
        case(
            Method::GET,
            "/api/v1/council/meetings/{id}",
            format!("/api/v1/council/meetings/{api_meeting}"),
            Body::None,
            API_SECRETARIAT,
        ),
        case(
            Method::POST,
            "/api/v1/council/meetings/{id}/votes",
            format!("/api/v1/council/meetings/{api_meeting}/votes"),
            Body::Json(json!({"votes": [{"application_id": ready_api_b, "choice": "approve"}]})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/api/v1/council/meetings/{id}/close",
            format!("/api/v1/council/meetings/{api_meeting}/close"),
            Body::Json(json!({"resolution": "晋青科教〔2026〕98号"})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, Status(409)],
        ),
        // The registry in the API: the pages' scopes.
        case(Method::GET, "/api/v1/members/export.csv", "/api/v1/members/export.csv?q=zls", Body::None, API_STAFF),
        case(Method::GET, "/api/v1/members/export.xlsx", "/api/v1/members/export.xlsx?q=zls", Body::None, API_STAFF),
        case(
            Method::POST,
            "/api/v1/members/{id}/status",
            format!("/api/v1/members/{member}/status"),
            Body::Json(json!({"value": "suspended", "reason": ""})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/api/v1/members/{id}/category",
            format!("/api/v1/members/{member}/category"),
            Body::Json(json!({"value": "senior", "reason": ""})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/api/v1/members/{id}/proposals",
            format!("/api/v1/members/{member}/proposals"),
            Body::Json(json!({"field": "status", "value": "suspended", "reason": ""})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, Status(422), FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/api/v1/members/{id}/proposals/{proposal_id}",
            format!("/api/v1/members/{member}/proposals/{api_proposal}"),
            Body::Json(json!({"action": "decline", "note": "已联系上"})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, Status(409)],
        ),
        case(
            Method::GET,
            "/api/v1/members/{id}/certificate.pdf",
            format!("/api/v1/members/{member}/certificate.pdf"),
            Body::None,
            API_THIS_CITY,
        ),
        case(
            Method::POST,
            "/api/v1/members/{id}/certificate/reissue",
            format!("/api/v1/members/{member}/certificate/reissue"),
            Body::Json(json!({"reason": ""})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(Method::GET, "/api/v1/verify/{number}", format!("/api/v1/verify/{member_number}"), Body::None, ALL_OK),
        case(Method::GET, "/api/v1/census", "/api/v1/census", Body::None, API_STAFF),
        case(Method::GET, "/api/v1/census/{id}", format!("/api/v1/census/{census}"), Body::None, API_STAFF),
        case(
            Method::POST,
            "/api/v1/census/{id}/members/{member}/confirm",
            format!("/api/v1/census/{census}/members/{member}/confirm"),
            Body::Json(json!({"note": ""})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, Status(422), Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/api/v1/imports",
            "/api/v1/imports",
            Body::Upload,
            // The upload names no city: refused before anything is read.
            [UNAUTHORIZED, FORBIDDEN, Status(422), Status(422), Status(422), Status(422)],
        ),
        case(Method::GET, "/api/v1/imports/{id}", format!("/api/v1/imports/{api_import}"), Body::None, API_THIS_CITY),
        case(
            Method::POST,
            "/api/v1/imports/{id}/commit",
            format!("/api/v1/imports/{api_import}/commit"),
            Body::Json(json!({})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, Status(409), Status(409)],
        ),
        // Webhooks: the secretariat and each city's administrators, for their own.
        case(Method::GET, "/admin/webhooks", "/admin/webhooks", Body::None, [SignIn, FORBIDDEN, OK, OK, OK, OK]),
        case(
            Method::POST,
            "/admin/webhooks",
            "/admin/webhooks",
            form(&[("url", "")]),
            [SignIn, FORBIDDEN, Status(422), Status(422), Status(422), Status(422)],
        ),
        case(Method::GET, "/admin/webhooks/{id}", format!("/admin/webhooks/{page_hook}"), Body::None, THIS_CITY),
        case(
            Method::POST,
            "/admin/webhooks/deliveries/{id}/resend",
            format!("/admin/webhooks/deliveries/{page_delivery}/resend"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(409), Status(409)],
        ),
        case(
            Method::POST,
            "/admin/webhooks/{id}/remove",
            format!("/admin/webhooks/{page_hook}/remove"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(409), Status(409)],
        ),
        case(Method::GET, "/api/v1/webhooks", "/api/v1/webhooks", Body::None, API_STAFF),
        case(
            Method::POST,
            "/api/v1/webhooks",
            "/api/v1/webhooks",
            Body::Json(json!({"url": "", "events": []})),
            [UNAUTHORIZED, FORBIDDEN, Status(422), Status(422), Status(422), Status(422)],
        ),
        case(
            Method::GET,
            "/api/v1/webhooks/{id}/deliveries",
            format!("/api/v1/webhooks/{api_hook}/deliveries"),
            Body::None,
            API_THIS_CITY,
        ),
        case(
            Method::POST,
            "/api/v1/webhooks/deliveries/{id}/resend",
            format!("/api/v1/webhooks/deliveries/{api_delivery}/resend"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, Status(409), Status(409)],
        ),
        case(
            Method::DELETE,
            "/api/v1/webhooks/{id}",
            format!("/api/v1/webhooks/{api_hook}"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, Status(409), Status(409)],
        ),
        // Back office: dashboard and organisation tree
        case(Method::GET, "/admin", "/admin", Body::None, STAFF),
        // The registry: staff within scope read; only the secretariat changes.
        case(Method::GET, "/admin/members", "/admin/members?q=zls", Body::None, STAFF),
        case(Method::GET, "/admin/members/export.csv", "/admin/members/export.csv?q=zls", Body::None, STAFF),
        case(Method::GET, "/admin/members/export.xlsx", "/admin/members/export.xlsx?q=zls", Body::None, STAFF),
        // Roster imports: a city's own administrators and the secretariat.
        case(
            Method::GET,
            "/admin/members/import",
            "/admin/members/import",
            Body::None,
            [SignIn, FORBIDDEN, OK, OK, OK, OK],
        ),
        case(
            Method::GET,
            "/admin/members/import/template.xlsx",
            "/admin/members/import/template.xlsx",
            Body::None,
            [SignIn, FORBIDDEN, OK, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/admin/members/import",
            "/admin/members/import",
            Body::Upload,
            [SignIn, FORBIDDEN, Status(422), Status(422), Status(422), Status(422)],
        ),
        case(
            Method::GET,
            "/admin/members/import/{id}",
            format!("/admin/members/import/{import_batch}"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::GET,
            "/admin/members/import/{id}/verdicts.xlsx",
            format!("/admin/members/import/{import_batch}/verdicts.xlsx"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/members/import/{id}/mapping",
            format!("/admin/members/import/{import_batch}/mapping"),
            form(&[("col_name", "0"), ("col_id_number", "1")]),
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(
            Method::POST,
            "/admin/members/import/{id}/commit",
            format!("/admin/members/import/{import_batch}/commit"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(409), Status(409)],
        ),
        // Duplicates: staff look within scope; the secretariat scans; merging needs both
        // records in the merger's scope (and a reason: none given here).
        case(Method::GET, "/admin/members/duplicates", "/admin/members/duplicates", Body::None, STAFF),
        case(
            Method::POST,
            "/admin/members/duplicates/scan",
            "/admin/members/duplicates/scan",
            Body::None,
            SECRETARIAT_POST,
        ),
        case(
            Method::POST,
            "/admin/members/merge",
            "/admin/members/merge",
            form(&[("a", &member.to_string()), ("b", &group_member.to_string()), ("reason", "")]),
            [SignIn, FORBIDDEN, Status(422), Status(422), Status(422), Status(422)],
        ),
        // Census: staff follow (each within scope); the secretariat opens and lapses; a city
        // confirms for its own members (a basis is required: none given here).
        // City targets: staff see them (a city administrator, their own city's); the
        // secretariat changes them (an empty form here: refused with reasons).
        case(Method::GET, "/admin/targets", "/admin/targets?year=2026", Body::None, STAFF),
        case(
            Method::GET,
            "/admin/targets/{year}/{org}",
            format!("/admin/targets/2026/{}", ty.0),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/targets/{year}/{org}",
            format!("/admin/targets/2026/{}", ty.0),
            form(&[("groups_min", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        // Dashboards: the province's for the province's roles (a city administrator is sent to
        // their city's); a city's for its administrator and the province.
        case(
            Method::GET,
            "/admin/progress",
            "/admin/progress?year=2026",
            Body::None,
            [SignIn, FORBIDDEN, SEE_OTHER, SEE_OTHER, OK, OK],
        ),
        case(
            Method::GET,
            "/admin/progress/workbook.xlsx",
            "/admin/progress/workbook.xlsx?year=2026",
            Body::None,
            STAFF,
        ),
        case(Method::GET, "/admin/progress/summary.pdf", "/admin/progress/summary.pdf?year=2026", Body::None, STAFF),
        case(
            Method::GET,
            "/admin/progress/{year}/{org}",
            format!("/admin/progress/2026/{}", ty.0),
            Body::None,
            THIS_CITY,
        ),
        // Progress reports: seen by the city and the province; handed in by the city alone (a
        // file without a narrative here: refused with a reason); reviewed by the secretariat
        // (a return without a comment here: refused); a file only through its report.
        case(
            Method::GET,
            "/admin/progress/{year}/{org}/report",
            format!("/admin/progress/2026/{}/report", ty.0),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/progress/{year}/{org}/report",
            format!("/admin/progress/2026/{}/report", ty.0),
            Body::Upload,
            [SignIn, FORBIDDEN, FORBIDDEN, Status(422), FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/admin/progress/{year}/{org}/report/review",
            format!("/admin/progress/2026/{}/report/review", ty.0),
            form(&[("decision", "return"), ("note", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(
            Method::GET,
            "/admin/progress/{year}/{org}/report/files/{file}",
            format!("/admin/progress/2026/{}/report/files/1", ty.0),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND],
        ),
        // Targets and progress through the API: staff in scope read; the secretariat
        // changes targets and reviews; the city's administrator hands in.
        case(Method::GET, "/api/v1/targets", "/api/v1/targets?year=2026", Body::None, API_STAFF),
        case(
            Method::PUT,
            "/api/v1/targets/{year}/{org}",
            format!("/api/v1/targets/2026/{}", ty.0),
            Body::Json(
                json!({"new_groups": [5, 3], "new_individuals": [5, 10], "per_group": [3, 5], "report_deadline": "2026-03-31", "reason": ""}),
            ),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(Method::GET, "/api/v1/progress", "/api/v1/progress?year=2026", Body::None, API_STAFF),
        case(
            Method::GET,
            "/api/v1/progress/{year}/{org}",
            format!("/api/v1/progress/2026/{}", ty.0),
            Body::None,
            API_THIS_CITY,
        ),
        case(
            Method::GET,
            "/api/v1/progress/{year}/{org}/report",
            format!("/api/v1/progress/2026/{}/report", ty.0),
            Body::None,
            API_THIS_CITY,
        ),
        case(
            Method::POST,
            "/api/v1/progress/{year}/{org}/report",
            format!("/api/v1/progress/2026/{}/report", ty.0),
            Body::Json(json!({"narrative": ""})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, Status(422), FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/api/v1/progress/{year}/{org}/report/review",
            format!("/api/v1/progress/2026/{}/report/review", ty.0),
            Body::Json(json!({"decision": "return", "note": "", "version": 1})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(Method::GET, "/admin/census", "/admin/census", Body::None, STAFF),
        case(
            Method::POST,
            "/admin/census",
            "/admin/census",
            form(&[("title", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(Method::GET, "/admin/census/{id}", format!("/admin/census/{census}"), Body::None, STAFF),
        case(
            Method::POST,
            "/admin/census/{id}/members/{member}/confirm",
            format!("/admin/census/{census}/members/{member}/confirm"),
            form(&[("note", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, Status(422), Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/admin/census/{id}/lapse",
            format!("/admin/census/{census}/lapse"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(409), Status(409)],
        ),
        case(
            Method::POST,
            "/me/membership/{id}/census",
            format!("/me/membership/{member}/census"),
            form(&[("action", "confirm")]),
            [SignIn, SEE_OTHER, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
        ),
        case(
            Method::POST,
            "/admin/members/certificates",
            "/admin/members/certificates?q=zls",
            Body::None,
            [SignIn, FORBIDDEN, Status(409), SEE_OTHER, SEE_OTHER, SEE_OTHER],
        ),
        case(
            Method::GET,
            "/admin/members/certificates/{id}",
            format!("/admin/members/certificates/{cert_batch}"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::GET,
            "/admin/members/certificates/{id}/certificates.zip",
            format!("/admin/members/certificates/{cert_batch}/certificates.zip"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::GET,
            "/me/membership/{id}/data.json",
            format!("/me/membership/{member}/data.json"),
            Body::None,
            [SignIn, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
        ),
        case(
            Method::POST,
            "/me/membership/{id}/correction",
            format!("/me/membership/{member}/correction"),
            form(&[("text", "工作单位已调动")]),
            [SignIn, SEE_OTHER, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
        ),
        // Cities propose; the secretariat decides.
        case(
            Method::POST,
            "/admin/members/{id}/proposals",
            format!("/admin/members/{member}/proposals"),
            form(&[("field", "status"), ("value", "suspended"), ("reason", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, Status(422), FORBIDDEN, FORBIDDEN],
        ),
        case(
            Method::POST,
            "/admin/members/{id}/proposals/{proposal}",
            format!("/admin/members/{member}/proposals/{proposal}"),
            form(&[("action", "decline"), ("note", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(409)],
        ),
        case(Method::GET, "/admin/members/{id}", format!("/admin/members/{member}"), Body::None, THIS_CITY),
        case(
            Method::POST,
            "/admin/members/{id}/status",
            format!("/admin/members/{member}/status"),
            form(&[("value", "suspended"), ("reason", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/admin/members/{id}/category",
            format!("/admin/members/{member}/category"),
            form(&[("value", "senior"), ("reason", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(
            Method::POST,
            "/admin/members/{id}/id-number",
            format!("/admin/members/{member}/id-number"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::GET,
            "/admin/members/{id}/certificate.pdf",
            format!("/admin/members/{member}/certificate.pdf"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::GET,
            "/admin/members/{id}/plaque.pdf",
            format!("/admin/members/{group_member}/plaque.pdf"),
            Body::None,
            THIS_CITY,
        ),
        case(
            Method::POST,
            "/admin/members/{id}/reissue",
            format!("/admin/members/{member}/reissue"),
            form(&[("reason", "")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, Status(422), Status(422)],
        ),
        case(Method::GET, "/me/membership", "/me/membership", Body::None, SIGNED_IN),
        case(
            Method::GET,
            "/me/membership/{id}/certificate.pdf",
            format!("/me/membership/{member}/certificate.pdf"),
            Body::None,
            [SignIn, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
        ),
        case(Method::GET, "/verify/{number}", format!("/verify/{member_number}"), Body::None, ALL_OK),
        case(Method::GET, "/verify", format!("/verify?n={member_number}"), Body::None, ALL_OK),
        case(Method::GET, "/admin/orgs", "/admin/orgs", Body::None, STAFF),
        case(
            Method::POST,
            "/admin/orgs",
            "/admin/orgs",
            form(&[
                ("parent_id", &ty.to_string()),
                ("code", "140106"),
                ("name", "迎泽区青少年科技教育协会"),
                ("short_name", "迎泽区"),
            ]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(422)],
        ),
        case(Method::GET, "/admin/orgs/new", "/admin/orgs/new", Body::None, SECRETARIAT),
        case(Method::GET, "/admin/orgs/{id}", format!("/admin/orgs/{ty}"), Body::None, THIS_CITY),
        case(Method::GET, "/admin/orgs/{id}/edit", format!("/admin/orgs/{ty}/edit"), Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/orgs/{id}/edit",
            format!("/admin/orgs/{ty}/edit"),
            form(&[
                ("code", "140100"),
                ("name", "太原市青少年科技教育协会"),
                ("short_name", "太原市"),
                ("sort_order", "0"),
            ]),
            SECRETARIAT_POST,
        ),
        case(
            Method::POST,
            "/admin/orgs/{id}/activation",
            format!("/admin/orgs/{ty}/activation"),
            form(&[("active", "1")]),
            SECRETARIAT_POST,
        ),
        case(
            Method::POST,
            "/admin/orgs/{id}/delete",
            format!("/admin/orgs/{county}/delete"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, NOT_FOUND],
        ),
        // Accounts and roles
        case(Method::GET, "/admin/users", "/admin/users", Body::None, [SignIn, FORBIDDEN, OK, OK, OK, OK]),
        case(
            Method::POST,
            "/admin/users",
            "/admin/users",
            form(&[
                ("display_name", "孙丽"),
                ("username", "sunli"),
                ("email", "sunli@example.org"),
                ("role", "city_admin"),
                ("org_id", &ty.to_string()),
            ]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(422)],
        ),
        case(Method::GET, "/admin/users/new", "/admin/users/new", Body::None, SECRETARIAT),
        case(Method::GET, "/admin/users/{id}", format!("/admin/users/{ty_admin}"), Body::None, THIS_CITY),
        case(
            Method::POST,
            "/admin/users/{id}/grants",
            format!("/admin/users/{ty_admin}/grants"),
            form(&[("role", "council"), ("org_id", &f.root.to_string())]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(422)],
        ),
        case(
            Method::POST,
            "/admin/users/{id}/grants/{grant_id}/revoke",
            format!("/admin/users/{ty_admin}/grants/{extra_grant}/revoke"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, NOT_FOUND],
        ),
        case(
            Method::POST,
            "/admin/users/{id}/activation",
            format!("/admin/users/{ty_admin}/activation"),
            form(&[("active", "1")]),
            SECRETARIAT_POST,
        ),
        case(
            Method::POST,
            "/admin/users/{id}/password-reset",
            format!("/admin/users/{ty_admin}/password-reset"),
            Body::None,
            SECRETARIAT_POST,
        ),
        // Notices
        case(Method::GET, "/admin/notices", "/admin/notices", Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/notices",
            "/admin/notices",
            form(&[("title", "新通知"), ("body", "正文")]),
            SECRETARIAT_POST,
        ),
        case(Method::GET, "/admin/notices/new", "/admin/notices/new", Body::None, SECRETARIAT),
        case(Method::GET, "/admin/notices/{id}/edit", format!("/admin/notices/{draft}/edit"), Body::None, SECRETARIAT),
        case(
            Method::POST,
            "/admin/notices/{id}/edit",
            format!("/admin/notices/{draft}/edit"),
            form(&[("title", "草稿通知（修改）"), ("body", "正文")]),
            SECRETARIAT_POST,
        ),
        case(
            Method::POST,
            "/admin/notices/{id}/status",
            format!("/admin/notices/{draft}/status"),
            form(&[("status", "published")]),
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, Status(409)],
        ),
        case(
            Method::POST,
            "/admin/notices/{id}/files",
            format!("/admin/notices/{draft}/files"),
            Body::Upload,
            SECRETARIAT_POST,
        ),
        case(
            Method::POST,
            "/admin/notices/{id}/files/{file_id}/delete",
            format!("/admin/notices/{published}/files/{file_id}/delete"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER, NOT_FOUND],
        ),
        // Audit log and outbox
        case(Method::GET, "/admin/audit", "/admin/audit", Body::None, SECRETARIAT),
        case(Method::GET, "/admin/audit/{id}", format!("/admin/audit/{audit_id}"), Body::None, SECRETARIAT),
        case(
            Method::GET,
            "/admin/outbox",
            "/admin/outbox",
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
        ),
        case(
            Method::GET,
            "/admin/outbox/{id}",
            format!("/admin/outbox/{mail_id}"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK],
        ),
        case(
            Method::POST,
            "/admin/outbox/{id}/retry",
            format!("/admin/outbox/{mail_id}/retry"),
            Body::None,
            [SignIn, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, SEE_OTHER],
        ),
        // Operations
        case(Method::GET, "/healthz", "/healthz", Body::None, ALL_OK),
        case(Method::GET, "/readyz", "/readyz", Body::None, ALL_OK),
        case(Method::GET, "/metrics", "/metrics", Body::None, ALL_OK),
        case(Method::GET, "/static/{file}", "/static/app.css", Body::None, ALL_OK),
        // JSON API
        case(Method::GET, "/api/v1/openapi.json", "/api/v1/openapi.json", Body::None, ALL_OK),
        case(
            Method::POST,
            "/api/v1/session",
            "/api/v1/session",
            Body::Json(json!({"login": "nobody", "password": "wrong-password-2"})),
            [UNAUTHORIZED; 6],
        ),
        case(Method::GET, "/api/v1/me", "/api/v1/me", Body::None, [UNAUTHORIZED, OK, OK, OK, OK, OK]),
        case(Method::GET, "/api/v1/me/home", "/api/v1/me/home", Body::None, [UNAUTHORIZED, OK, OK, OK, OK, OK]),
        case(Method::GET, "/api/v1/tokens", "/api/v1/tokens", Body::None, [UNAUTHORIZED, OK, OK, OK, OK, OK]),
        case(
            Method::POST,
            "/api/v1/tokens",
            "/api/v1/tokens",
            Body::Json(json!({"name": "集成"})),
            [UNAUTHORIZED, CREATED, CREATED, CREATED, CREATED, CREATED],
        ),
        case(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            format!("/api/v1/tokens/{token_b}"),
            Body::None,
            [UNAUTHORIZED, NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_CONTENT, NOT_FOUND],
        ),
        case(Method::GET, "/api/v1/orgs", "/api/v1/orgs", Body::None, [UNAUTHORIZED, FORBIDDEN, OK, OK, OK, OK]),
        case(
            Method::POST,
            "/api/v1/orgs",
            "/api/v1/orgs",
            Body::Json(
                json!({"parent_id": ty.0, "code": "140107", "name": "杏花岭区青少年科技教育协会", "short_name": "杏花岭区"}),
            ),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, Status(422)],
        ),
        case(
            Method::GET,
            "/api/v1/orgs/{id}",
            format!("/api/v1/orgs/{ty}"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::PATCH,
            "/api/v1/orgs/{id}",
            format!("/api/v1/orgs/{ty}"),
            Body::Json(json!({"sort_order": 0})),
            API_SECRETARIAT,
        ),
        case(Method::GET, "/api/v1/users", "/api/v1/users", Body::None, [UNAUTHORIZED, FORBIDDEN, OK, OK, OK, OK]),
        case(
            Method::GET,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{ty_admin}"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, OK, OK],
        ),
        case(
            Method::POST,
            "/api/v1/users/{id}/grants",
            format!("/api/v1/users/{ty_admin}/grants"),
            Body::Json(json!({"role": "member", "org_id": ty.0})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, Status(422)],
        ),
        case(
            Method::DELETE,
            "/api/v1/users/{id}/grants/{grant_id}",
            format!("/api/v1/users/{ty_admin}/grants/{extra_grant_2}"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, NO_CONTENT, NOT_FOUND],
        ),
        case(Method::GET, "/api/v1/notices", "/api/v1/notices", Body::None, ALL_OK),
        case(
            Method::POST,
            "/api/v1/notices",
            "/api/v1/notices",
            Body::Json(json!({"title": "接口通知", "body": "正文"})),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, CREATED],
        ),
        case(Method::GET, "/api/v1/notices/{id}", format!("/api/v1/notices/{published}"), Body::None, ALL_OK),
        case(Method::GET, "/api/v1/audit", "/api/v1/audit", Body::None, API_SECRETARIAT),
        case(
            Method::GET,
            "/api/v1/members",
            "/api/v1/members?q=zls",
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, OK, OK, OK, OK],
        ),
        case(
            Method::GET,
            "/api/v1/members/{id}",
            format!("/api/v1/members/{member}"),
            Body::None,
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, OK, OK, OK],
        ),
        // Last: these end the sessions used above.
        case(Method::POST, "/sign-out", "/sign-out", Body::None, [SEE_OTHER; 6]),
        case(
            Method::DELETE,
            "/api/v1/session",
            "/api/v1/session",
            Body::None,
            [UNAUTHORIZED, NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT],
        ),
    ];

    // Every route of the product has a case.
    let routes = huiyuan::app::route_list();
    let missing: Vec<String> = routes
        .iter()
        .filter(|r| !cases.iter().any(|c| c.method == r.method.as_str() && c.pattern == r.path))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(missing.is_empty(), "routes without an authorization case: {missing:?}");
    // Every route an anonymous visitor may use is under the public limit, but for those that
    // do no work (language cookie, sign-out, probes, static files).
    let no_work = ["/lang/{code}", "/sign-out", "/healthz", "/readyz", "/metrics", "/static/{file}"];
    let unlimited: Vec<String> = cases
        .iter()
        .filter(|c| !matches!(c.expect[0], SignIn | UNAUTHORIZED) && !no_work.contains(&c.pattern))
        .filter(|c| !routes.iter().any(|r| r.method.as_str() == c.method.as_str() && r.path == c.pattern && r.public))
        .map(|c| format!("{} {}", c.method, c.pattern))
        .collect();
    assert!(unlimited.is_empty(), "open to anyone but not under the public limit: {unlimited:?}");

    let browsers = [
        app.anonymous().await,
        app.login_as(Who::Teacher).await,
        app.login_as(Who::Datong).await,
        app.login_as(Who::Taiyuan).await,
        sec,
        app.login_as(Who::Sysadmin).await,
    ];
    let names = ["anonymous", "member", "other city", "this city", "secretariat", "sysadmin"];
    let mut failures = Vec::new();
    for c in &cases {
        // The API sign-out would also end the page session: run it on fresh sessions.
        let fresh;
        let browsers: &[Browser; 6] = if c.pattern == "/api/v1/session" && c.method == Method::DELETE {
            fresh = [
                app.anonymous().await,
                app.login_as(Who::Teacher).await,
                app.login_as(Who::Datong).await,
                app.login_as(Who::Taiyuan).await,
                app.login_as(Who::Secretariat).await,
                app.login_as(Who::Sysadmin).await,
            ];
            &fresh
        } else {
            &browsers
        };
        for (i, b) in browsers.iter().enumerate() {
            let before = app.audit_count().await;
            let resp = match &c.body {
                Body::None if c.method == Method::GET => b.get(&c.path).await,
                Body::None if c.path.starts_with("/api/") => b.api(c.method.clone(), &c.path, None).await,
                Body::None => b.post_form(&c.path, &[]).await,
                Body::Form(pairs) => {
                    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    b.post_form(&c.path, &pairs).await
                }
                Body::Json(v) => b.api(c.method.clone(), &c.path, Some(v.clone())).await,
                Body::Upload => b.upload(&c.path, "附件.pdf", tiny_pdf()).await,
            };
            let status = resp.status().as_u16();
            let ok = match c.expect[i] {
                Status(s) => status == s,
                SignIn => status == 303 && location(&resp).starts_with("/sign-in"),
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {}: got {status} {}, expected {:?}",
                    c.method,
                    c.path,
                    names[i],
                    location(&resp),
                    c.expect[i]
                ));
            }
            // Read the whole answer: a streamed download finishes its work (and its audit
            // record) when the last byte has gone.
            let _ = resp.bytes().await;
            let refused = matches!(c.expect[i], SignIn | Status(401) | Status(403) | Status(404));
            if refused && app.audit_count().await != before {
                failures.push(format!("{} {} as {}: refused, but the audit log grew", c.method, c.path, names[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{} authorization failures:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn a_city_administrator_sees_only_their_own_city_in_lists() {
    let app = TestApp::spawn().await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let (status, html) = taiyuan.page("/admin/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("太原市青少年科技教育协会"));
    assert!(!html.contains("大同市青少年科技教育协会"));
    assert!(!html.contains("山西省青少年科技教育协会</a>"), "the province node is outside a city's scope");

    let (_, users) = taiyuan.page("/admin/users").await;
    assert!(users.contains("李明"));
    assert!(!users.contains("赵敏"), "the other city's administrator is not listed");

    let api: serde_json::Value = taiyuan.api(Method::GET, "/api/v1/orgs", None).await.json().await.unwrap();
    let names: Vec<&str> = api.as_array().unwrap().iter().map(|o| o["short_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["太原市"]);
}
