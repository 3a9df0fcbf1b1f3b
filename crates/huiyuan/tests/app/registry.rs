//! The registry (会员名册): search by name part, pinyin, initials, number, mobile and
//! employer within the viewer's scope; category and status changes with history;
//! certificates with public verification; the member's own page.

use reqwest::{Method, StatusCode};

use crate::helpers::*;

/// Approve these filed applications at one council meeting (minutes mode, unanimous).
async fn approve(app: &TestApp, ids: &[i64], resolution: &str) {
    let sec = app.login_as(Who::Secretariat).await;
    let council = app.fixture.user(Who::Council).0;
    let m = call_meeting(&sec, "minutes", &[council], ids).await;
    let mut fields = vec![("resolution".to_string(), resolution.to_string())];
    for id in ids {
        fields.push((format!("approve_{id}"), "1".into()));
        fields.push((format!("reject_{id}"), "0".into()));
        fields.push((format!("abstain_{id}"), "0".into()));
    }
    let r = sec.post_pairs(&format!("/admin/council/{m}/close"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// The names in a member list page, in order.
fn names(html: &str) -> Vec<String> {
    html.split("<a href=\"/admin/members/")
        .skip(1)
        .filter(|s| s.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|s| s.split_once("\">").and_then(|(_, rest)| rest.split_once("</a>")).map(|(n, _)| n.to_string()))
        .filter(|n| !n.contains('<'))
        .collect()
}

async fn search(b: &Browser, q: &str) -> Vec<String> {
    let (status, html) = b.page(&format!("/admin/members?q={}", urlencode(q))).await;
    assert_eq!(status, StatusCode::OK);
    names(&html)
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn members_are_found_by_name_part_pinyin_initials_number_mobile_and_employer() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (Some(app.fixture.taiyuan), Some(app.fixture.datong));
    let (_, zw_number) = app
        .add_member(NewMemberSpec {
            name: "张伟",
            org: ty,
            employer: "太原市第五中学",
            mobile: "13800138000",
            ..NewMemberSpec::default()
        })
        .await;
    app.add_member(NewMemberSpec { name: "张小伟", org: dt, employer: "大同一中", ..NewMemberSpec::default() }).await;
    app.add_member(NewMemberSpec { name: "欧阳晓明", org: ty, mobile: "13912345678", ..NewMemberSpec::default() })
        .await;
    app.add_member(NewMemberSpec { name: "曾华", org: ty, ..NewMemberSpec::default() }).await;
    app.add_member(NewMemberSpec {
        name: "太原市实验小学",
        org: ty,
        kind: "group",
        category: "group",
        ..NewMemberSpec::default()
    })
    .await;

    let sec = app.login_as(Who::Secretariat).await;
    let mut both = search(&sec, "伟").await;
    both.sort();
    assert_eq!(both, ["张伟", "张小伟"]);
    assert_eq!(search(&sec, "zhangwei").await, ["张伟"]);
    assert_eq!(search(&sec, "ZW").await, ["张伟"], "initials, any case");
    assert_eq!(search(&sec, "ｚｘｗ").await, ["张小伟"], "full-width letters");
    assert_eq!(search(&sec, "xiaoming").await, ["欧阳晓明"], "the given name's pinyin");
    assert_eq!(search(&sec, "阳晓").await, ["欧阳晓明"], "any part of the name");
    assert_eq!(search(&sec, "zeng").await, ["曾华"], "the surname reading of 曾");
    assert_eq!(search(&sec, "五中").await, ["张伟"], "part of the employer");
    assert_eq!(search(&sec, "8000").await, ["张伟"], "last four digits of the mobile");
    assert_eq!(search(&sec, "13912345678").await, ["欧阳晓明"]);
    assert_eq!(search(&sec, &zw_number.to_lowercase()).await, ["张伟"], "the member number");
    assert_eq!(search(&sec, "实验小学").await, ["太原市实验小学"]);
    assert_eq!(search(&sec, "张 五中").await, ["张伟"], "words narrow each other");
    assert!(search(&sec, "李").await.is_empty());
    let (_, html) = sec.page("/admin/members?q=%E6%9D%8E").await;
    assert!(html.contains("没有符合条件的会员"), "an empty search says so");

    // Filters: kind, and the city administrator's scope (search, list, API).
    let (_, html) = sec.page("/admin/members?kind=group").await;
    assert_eq!(names(&html), ["太原市实验小学"]);
    let taiyuan = app.login_as(Who::Taiyuan).await;
    assert_eq!(search(&taiyuan, "伟").await, ["张伟"], "another city's 张小伟 stays out of sight");
    let (_, html) = taiyuan.page("/admin/members").await;
    assert!(!names(&html).contains(&"张小伟".to_string()) && names(&html).len() == 4);
    let r = taiyuan.api(Method::GET, "/api/v1/members?q=zxw", None).await;
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["total"], 0);
    let r = sec.api(Method::GET, "/api/v1/members?q=zxw", None).await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["items"][0]["name"], "张小伟");
    let datong_member = body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(taiyuan.get(&format!("/admin/members/{datong_member}")).await.status(), StatusCode::FORBIDDEN);
    let r = taiyuan.api(Method::GET, &format!("/api/v1/members/{datong_member}"), None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Sorting by name follows pinyin: 欧阳 (ou) before 曾 (zeng) before 张 (zhang).
    let (_, html) = sec.page("/admin/members?kind=individual&sort=name").await;
    assert_eq!(names(&html), ["欧阳晓明", "曾华", "张伟", "张小伟"]);
}

#[tokio::test]
async fn the_city_filter_and_column_are_shown_only_to_those_who_see_several_cities() {
    let app = TestApp::spawn().await;
    app.add_member(NewMemberSpec { name: "张伟", org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() }).await;
    let city_filter = r#"<select name="city">"#;
    let (_, province) = app.login_as(Who::Secretariat).await.page("/admin/members").await;
    assert!(province.contains(city_filter) && province.contains("<th>所属协会</th>"));
    // A city administrator sees one city: neither a one-choice filter nor a column saying
    // the same city on every row.
    let (_, city) = app.login_as(Who::Taiyuan).await.page("/admin/members").await;
    assert!(city.contains("张伟"), "the member is listed");
    assert!(!city.contains(city_filter) && !city.contains("<th>所属协会</th>"), "{city}");
    // The whole card opens the record on a phone: the name is the row's link.
    assert!(city.contains(r#"" class="row-link">张伟</a>"#));
}

#[tokio::test]
async fn a_search_shows_its_total_on_every_page_and_past_the_end() {
    let app = TestApp::spawn().await;
    let ty = Some(app.fixture.taiyuan);
    let given = "一二三四五六七八九十百千万亿甲乙丙丁戊己庚辛壬癸子";
    for c in given.chars() {
        app.add_member(NewMemberSpec { name: &format!("司马{c}"), org: ty, ..NewMemberSpec::default() }).await;
    }
    let sec = app.login_as(Who::Secretariat).await;
    let total = |v: &serde_json::Value| (v["total"].as_i64().unwrap(), v["items"].as_array().unwrap().len());
    let page = |n: u32| {
        let sec = &sec;
        async move {
            let r = sec.api(Method::GET, &format!("/api/v1/members?q=simA&per_page=10&page={n}"), None).await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    assert_eq!(total(&page(1).await), (25, 10), "a full first page counts the rest");
    assert_eq!(total(&page(3).await), (25, 5), "the last page");
    assert_eq!(total(&page(9).await), (25, 0), "past the end the total still says how far the list goes");
    let (_, html) = sec.page("/admin/members?q=%E5%8F%B8%E9%A9%AC").await;
    assert_eq!(names(&html).len(), 20);
    assert!(html.contains("25"), "the page shows the total");
}

#[tokio::test]
async fn an_approved_member_carries_the_form_details_into_the_registry() {
    let app = TestApp::spawn().await;
    let id_number = resident_id("140105", "19850612", 123);
    let filed = app.filed_application(Who::Teacher, "张伟", &id_number).await;
    approve(&app, &[filed], "晋青科教〔2026〕21号").await;
    let member = app.scalar(&format!("SELECT id FROM member WHERE application_id = {filed}")).await;
    let sec = app.login_as(Who::Secretariat).await;
    let (status, html) = sec.page(&format!("/admin/members/{member}")).await;
    assert_eq!(status, StatusCode::OK);
    let form = individual_form("张伟", &id_number, "");
    let field = |k: &str| form.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert!(html.contains(&field("mobile")) && html.contains(&field("employer")), "details from the form");
    assert!(html.contains("1401**********"), "the ID number is masked");
    assert!(!html.contains(&id_number));
    assert!(html.contains("晋青科教〔2026〕21号"), "the resolution it joined by");
    // Reading the full number is an action of its own, logged.
    let before = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.id_view'").await;
    let r = sec.post_form(&format!("/admin/members/{member}/id-number"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains(&id_number));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.id_view'").await, before + 1);
    // The council member sees the record but never the full number.
    let council = app.login_as(Who::Council).await;
    let (status, html) = council.page(&format!("/admin/members/{member}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("查看完整号码"));
    let r = council.post_form(&format!("/admin/members/{member}/id-number"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Search finds the new member by the mobile from the form.
    assert_eq!(search(&sec, &field("mobile")).await, ["张伟"]);
}

#[tokio::test]
async fn category_and_status_change_only_by_the_secretariat_with_a_reason_and_are_kept_as_history() {
    let app = TestApp::spawn().await;
    let (id, number) = app
        .add_member(NewMemberSpec { name: "王建华", org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() })
        .await;
    let url = format!("/admin/members/{id}");
    let sec = app.login_as(Who::Secretariat).await;

    // No reason: refused, what was chosen stays chosen, nothing changes.
    let audit = app.audit_count().await;
    let r = sec.post_form(&format!("{url}/status"), &[("value", "suspended"), ("reason", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写原因"));
    assert!(html.contains(r#"<option value="suspended" selected>"#));
    assert_eq!(app.audit_count().await, audit);
    assert_eq!(app.text(&format!("SELECT status FROM member WHERE id = {id}")).await.unwrap(), "active");

    // A city administrator cannot change it, even for their own city.
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let r = taiyuan.post_form(&format!("{url}/status"), &[("value", "lapsed"), ("reason", "未参加普查")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = sec.post_form(&format!("{url}/status"), &[("value", "lapsed"), ("reason", "连续两年未参加活动")]).await;
    assert_redirect(&r, &url);
    let r = sec.post_form(&format!("{url}/category"), &[("value", "group"), ("reason", "误选")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a group category does not fit a person");
    assert!(r.text().await.unwrap().contains("该类别不适用于此类会员"));
    let r = sec.post_form(&format!("{url}/category"), &[("value", "senior"), ("reason", "获评高级教师")]).await;
    assert_redirect(&r, &url);
    let r = sec.post_form(&format!("{url}/status"), &[("value", "active"), ("reason", "补交材料，恢复会籍")]).await;
    assert_redirect(&r, &url);

    let (_, html) = sec.page(&url).await;
    for text in [
        "连续两年未参加活动",
        "获评高级教师",
        "补交材料，恢复会籍",
        "普通会员 → 高级会员",
        "有效 → 失效",
        "失效 → 有效",
    ] {
        assert!(html.contains(text), "history shows {text}");
    }
    assert_eq!(app.text(&format!("SELECT number FROM member WHERE id = {id}")).await.unwrap(), number, "number kept");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM member_period WHERE member_id = {id}")).await, 2);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM member_period WHERE member_id = {id} AND ended_on IS NOT NULL"))
            .await,
        1,
        "the lapse ended the first period; reinstatement opened a second"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('member.status', 'member.category')").await,
        3
    );
    // The status filter and the search agree with the change.
    let (_, html) = sec.page("/admin/members?category=senior&status=active").await;
    assert_eq!(names(&html), ["王建华"]);
    let (_, html) = sec.page("/admin/members?q=wjh&status=lapsed").await;
    assert!(names(&html).is_empty());
}

#[tokio::test]
async fn certificates_carry_the_number_and_a_qr_code_that_verifies_them() {
    let app = TestApp::spawn_with(|s| s.security.verify_per_minute = 1000).await;
    let teacher = app.fixture.user(Who::Teacher);
    let (id, number) = app
        .add_member(NewMemberSpec {
            name: "张小伟",
            org: Some(app.fixture.taiyuan),
            user: Some(teacher),
            ..NewMemberSpec::default()
        })
        .await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec.get(&format!("/admin/members/{id}/certificate.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap().to_vec();
    keep_sample("certificate.pdf", &pdf);
    assert!(pdf.len() < 200 * 1024, "{} bytes", pdf.len());
    let text = pdf_text(&pdf);
    for part in ["会", "员", "证", "张小伟", &number, "普通会员", "山西省青少年科技教育协会"] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    let serial = format!("{number}-01");
    let codes = pdf_qr_codes(&pdf);
    assert_eq!(codes, [format!("http://127.0.0.1:8080/verify/{number}?s={serial}")]);

    // Verification, as anyone who scans it sees it: masked name, category, nothing else.
    let public = app.anonymous().await;
    let (status, html) = public.page(&format!("/verify/{number}?s={serial}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("有效会员") && html.contains("张*伟") && html.contains("普通会员"));
    assert!(!html.contains("张小伟"));
    let (_, html) = public.page("/verify/SXK9999999M").await;
    assert!(html.contains("查无此会员"));

    // The member downloads their own; nobody else's.
    let own = app.login_as(Who::Teacher).await;
    let (_, html) = own.page("/me/membership").await;
    assert!(html.contains(&number) && html.contains(&format!("/me/membership/{id}/certificate.pdf")));
    let r = own.get(&format!("/me/membership/{id}/certificate.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(pdf_qr_codes(&r.bytes().await.unwrap()), codes, "the same certificate, not a new one");
    let r = app.login_as(Who::Taiyuan).await.get(&format!("/me/membership/{id}/certificate.pdf")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Reissue: the old serial shows as revoked, the new one as valid.
    let r = sec.post_form(&format!("/admin/members/{id}/reissue"), &[("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sec.post_form(&format!("/admin/members/{id}/reissue"), &[("reason", "原证遗失")]).await;
    assert_redirect(&r, &format!("/admin/members/{id}"));
    let (_, html) = public.page(&format!("/verify/{number}?s={serial}")).await;
    assert!(html.contains("此证书已作废"), "{html}");
    let (_, html) = public.page(&format!("/verify/{number}?s={number}-02")).await;
    assert!(html.contains("有效会员"));

    // The printed certificate number typed where the member number goes checks that
    // certificate; a number typed in lower case, with spaces or in full-width characters is
    // the same number — in the path and in the verification page's own box.
    let (_, html) = public.page(&format!("/verify/{serial}")).await;
    assert!(html.contains("此证书已作废") && html.contains(&serial), "the old serial typed in: {html}");
    let (_, html) = public.page(&format!("/verify/{}-02", number.to_lowercase())).await;
    assert!(html.contains("有效会员") && html.contains(&format!("{number}-02")));
    let (status, html) = public.page("/verify").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"n\"") && !html.contains("查无此会员"), "the box, and no verdict yet");
    let full_width: String = format!("{number}－０２")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
        .collect();
    for typed in [format!(" {} ", number.to_lowercase()), full_width.clone()] {
        let (status, html) =
            public.page(&format!("/verify?{}", huiyuan::paths::encode_filters(&[("n", &typed)]))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("有效会员"), "{typed:?} verifies: {html}");
        assert!(html.contains(&format!("value=\"{typed}\"")), "the box keeps what was typed");
    }
    let (_, html) = public.page("/verify?n=SXK9999999M-01").await;
    assert!(html.contains("查无此会员"), "a serial of no member");

    // A lapsed member gets no certificate, with the reason; verification says so.
    let r =
        sec.post_form(&format!("/admin/members/{id}/status"), &[("value", "lapsed"), ("reason", "未参加普查")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sec.get(&format!("/admin/members/{id}/certificate.pdf")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("会籍已失效"));
    let (_, html) = public.page(&format!("/verify/{number}")).await;
    assert!(html.contains("会籍当前无效"));
    let (_, html) = public.page(&format!("/verify/{number}?s={number}-02")).await;
    assert!(html.contains("此证书已作废"), "ending the membership revokes the certificate");
}

#[tokio::test]
async fn group_members_get_a_plaque_and_show_whether_they_meet_the_range() {
    let app = TestApp::spawn().await;
    let (group, number) = app
        .add_member(NewMemberSpec {
            name: "太原市第五中学",
            org: Some(app.fixture.taiyuan),
            kind: "group",
            category: "group",
            ..NewMemberSpec::default()
        })
        .await;
    let sec = app.login_as(Who::Secretariat).await;
    let (_, html) = sec.page(&format!("/admin/members/{group}")).await;
    assert!(html.contains("人数未达要求") && html.contains("现有个人会员 0 名，要求 3–5 名"));
    for (i, name) in ["李一", "李二", "李三"].iter().enumerate() {
        let (person, _) =
            app.add_member(NewMemberSpec { name, org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() }).await;
        sqlx::query("INSERT INTO member_link (group_member_id, individual_member_id) VALUES ($1, $2)")
            .bind(group)
            .bind(person)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        assert!(i < 3);
    }
    let (_, html) = sec.page(&format!("/admin/members/{group}")).await;
    assert!(html.contains("人数符合要求") && html.contains("李二"));
    let (_, html) = sec.page(&format!("/admin/members?group={group}")).await;
    let mut listed = names(&html);
    listed.sort();
    assert_eq!(listed, ["李一", "李三", "李二"]);
    let r = sec.get(&format!("/admin/members/{group}/plaque.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap().to_vec();
    keep_sample("plaque.pdf", &pdf);
    let text = pdf_text(&pdf);
    assert!(text.contains("团体会员单位") && text.contains("太原市第五中学") && text.contains(&number), "{text}");
}

#[tokio::test]
async fn verification_is_rate_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.security.verify_per_minute = 3).await;
    let public = app.anonymous().await;
    for _ in 0..3 {
        assert_eq!(public.get("/verify/SXK1010001M").await.status(), StatusCode::OK);
    }
    let r = public.get("/verify/SXK1010002M").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("查询过于频繁"));
}

#[tokio::test]
async fn a_generated_registry_is_searchable_and_numbering_continues_after_it() {
    let app = TestApp::spawn().await;
    let done = huiyuan::members::generate::generate(&app.state.db, &app.state.settings, 300, 42).await.unwrap();
    assert_eq!(done.members, 300);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, 300);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member_period").await, 300);
    assert!(done.terms > 300 * 10, "{} terms", done.terms);
    // Any generated member is found by its pinyin initials and by its number.
    let (name, number) = (
        app.text("SELECT name FROM member WHERE kind = 'individual' ORDER BY id LIMIT 1").await.unwrap(),
        app.text("SELECT number FROM member WHERE kind = 'individual' ORDER BY id LIMIT 1").await.unwrap(),
    );
    let sec = app.login_as(Who::Secretariat).await;
    assert_eq!(search(&sec, &number).await, vec![name.clone()]);
    assert!(search(&sec, &name).await.contains(&name));
    // A member added afterwards gets the next free number of its unit, not a taken one.
    let (_, next) = app
        .add_member(NewMemberSpec { name: "新会员", org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() })
        .await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM member WHERE number = '{next}'")).await, 1);
}

#[tokio::test]
async fn exports_follow_the_filters_and_scope_mask_id_numbers_and_are_audited() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (Some(app.fixture.taiyuan), Some(app.fixture.datong));
    let id_a = resident_id("140105", "19850612", 123);
    let id_b = resident_id("140202", "19900101", 45);
    app.add_member(NewMemberSpec {
        name: "张伟",
        org: ty,
        employer: "=HYPERLINK(\"http://x\")",
        mobile: "13800138000",
        id_number: &id_a,
        ..NewMemberSpec::default()
    })
    .await;
    app.add_member(NewMemberSpec { name: "王芳", org: ty, ..NewMemberSpec::default() }).await;
    app.add_member(NewMemberSpec { name: "赵敏", org: dt, id_number: &id_b, ..NewMemberSpec::default() }).await;

    // The city administrator: their city only, full ID numbers (they keep the dossiers).
    let taiyuan = app.login_as(Who::Taiyuan).await;
    let r = taiyuan.get("/admin/members/export.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a byte order mark for Excel and WPS");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("会员编号,姓名/单位名称"));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(text.contains("张伟") && text.contains("王芳") && !text.contains("赵敏"));
    assert!(text.contains(&id_a), "full ID number for the city's own administrator");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "a formula is defused: {text}");
    let entry = app.text("SELECT after_json FROM audit_log WHERE action = 'member.export' ORDER BY id DESC").await;
    assert!(entry.unwrap().contains("\"rows\":2"));

    // A search narrows the export like the list.
    let r = taiyuan.get("/admin/members/export.csv?q=wf").await;
    let text = r.text().await.unwrap();
    assert!(text.contains("王芳") && !text.contains("张伟"));

    // The council member reads masked numbers; the .xlsx says the same.
    let council = app.login_as(Who::Council).await;
    let text = council.get("/admin/members/export.csv").await.text().await.unwrap();
    assert!(text.contains("赵敏") && !text.contains(&id_a) && text.contains("1401**********"));
    let r = council.get("/admin/members/export.xlsx?city=".to_string().as_str()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    keep_sample("members.xlsx", &bytes);
    let sheet = xlsx_sheet(&bytes);
    assert!(sheet.contains("张伟") && sheet.contains("赵敏") && sheet.contains("1401**********"));
    assert!(!sheet.contains(&id_a));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.export'").await, 4);
    // A member cannot export.
    let teacher = app.login_as(Who::Teacher).await;
    assert_eq!(teacher.get("/admin/members/export.csv").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn probable_duplicates_are_found_and_merged_into_the_older_record_within_scope() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (Some(app.fixture.taiyuan), Some(app.fixture.datong));
    let id_old = resident_id("140105", "19800101", 11);
    let (old, old_number) = app
        .add_member(NewMemberSpec {
            name: "刘洋",
            org: ty,
            mobile: "13800001111",
            id_number: &id_old,
            ..NewMemberSpec::default()
        })
        .await;
    let (new, new_number) = app
        .add_member(NewMemberSpec {
            name: "刘洋",
            org: ty,
            mobile: "13800001111",
            employer: "太原市第五中学",
            ..NewMemberSpec::default()
        })
        .await;
    // Another pair across two cities, and one that only shares a name.
    app.add_member(NewMemberSpec { name: "周敏", org: ty, employer: "实验中学", ..NewMemberSpec::default() }).await;
    app.add_member(NewMemberSpec { name: "周敏", org: dt, employer: "实验中学", ..NewMemberSpec::default() }).await;
    app.add_member(NewMemberSpec { name: "刘洋", org: dt, mobile: "13999999999", ..NewMemberSpec::default() }).await;
    // The database itself refuses a second member with the same ID number.
    let again = sqlx::query(
        "INSERT INTO member (kind, number, name, category, channel, status, identity_key, joined_at, created_at, updated_at)
         VALUES ('individual', 'X1', '刘洋', 'ordinary', 'city', 'active', $1, 0, 0, 0)",
    )
    .bind(format!("resident_id:{id_old}"))
    .execute(app.state.db.pool())
    .await;
    assert!(again.is_err(), "identity_key is UNIQUE");

    let sec = app.login_as(Who::Secretariat).await;
    let taiyuan = app.login_as(Who::Taiyuan).await;
    assert_eq!(taiyuan.post_form("/admin/members/duplicates/scan", &[]).await.status(), StatusCode::FORBIDDEN);
    let r = sec.post_form("/admin/members/duplicates/scan", &[]).await;
    assert_redirect(&r, "/admin/members/duplicates");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM duplicate_group").await, 2);
    let (_, html) = sec.page("/admin/members/duplicates").await;
    assert!(html.contains("姓名、手机相同") && html.contains("姓名、工作单位相同"));
    // The city sees its own pair only; 周敏 spans two cities.
    let (_, html) = taiyuan.page("/admin/members/duplicates").await;
    assert!(html.contains("刘洋") && !html.contains("周敏"));

    // Merging needs a reason; then the older number survives with the newer one's details.
    let url = "/admin/members/merge";
    let r = taiyuan.post_form(url, &[("a", &new.to_string()), ("b", &old.to_string()), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let datong = app.login_as(Who::Datong).await;
    let r = datong.post_form(url, &[("a", &new.to_string()), ("b", &old.to_string()), ("reason", "同一人")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "not the other city's records");
    let r = taiyuan
        .post_form(url, &[("a", &new.to_string()), ("b", &old.to_string()), ("reason", "电话核实为同一人")])
        .await;
    assert_redirect(&r, &format!("/admin/members/{old}"));
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM member WHERE id = {new}")).await, 0);
    assert_eq!(app.text(&format!("SELECT employer FROM member WHERE id = {old}")).await.unwrap(), "太原市第五中学");
    assert_eq!(app.text(&format!("SELECT number FROM member WHERE id = {old}")).await.unwrap(), old_number);
    let (_, html) = taiyuan.page(&format!("/admin/members/{old}")).await;
    assert!(html.contains(&format!("{new_number} → {old_number}")) && html.contains("电话核实为同一人"));
    let merged = app.text("SELECT before_json FROM audit_log WHERE action = 'member.merge'").await.unwrap();
    assert!(merged.contains(&new_number), "the audit log keeps the merged record: {merged}");
    // The dashboards' new members by month no longer count the merged record.
    assert_kept_enrolments_match(&app).await;
    // Search now finds the survivor by the merged record's employer.
    assert_eq!(search(&sec, "五中").await, ["刘洋"]);
    // The scan's group went with the merged record.
    let (_, html) = taiyuan.page("/admin/members/duplicates").await;
    assert!(!html.contains(&new_number));
}

/// Move a campaign's end date (time passing, in a test).
async fn census_closes(app: &TestApp, id: i64, days_from_today: i64) {
    let day = app.state.settings.locale.today() + time::Duration::days(days_from_today);
    sqlx::query("UPDATE census SET closes_on = $1 WHERE id = $2")
        .bind(day.to_string())
        .bind(id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_census_campaign_runs_from_notices_to_answers_reminders_and_lapse() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (Some(app.fixture.taiyuan), Some(app.fixture.datong));
    let teacher = app.fixture.user(Who::Teacher);
    let (own, _) = app
        .add_member(NewMemberSpec {
            name: "张伟",
            org: ty,
            user: Some(teacher),
            employer: "太原五中",
            ..NewMemberSpec::default()
        })
        .await;
    let (phone, _) = app.add_member(NewMemberSpec { name: "王芳", org: ty, ..NewMemberSpec::default() }).await;
    let (silent, _) =
        app.add_member(NewMemberSpec { name: "赵强", org: ty, category: "senior", ..NewMemberSpec::default() }).await;
    let (elsewhere, _) = app.add_member(NewMemberSpec { name: "周敏", org: dt, ..NewMemberSpec::default() }).await;
    sqlx::query("UPDATE member SET email = 'zhaoqiang@example.org' WHERE id = $1")
        .bind(silent)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let today = app.state.settings.locale.today();
    let ty_s = app.fixture.taiyuan.to_string();
    let sec = app.login_as(Who::Secretariat).await;

    // Bad input: refused with the reason, nothing created; a city cannot open one.
    let close = (today + time::Duration::days(30)).to_string();
    let r = sec
        .post_form(
            "/admin/census",
            &[("title", "2026年会员重新登记"), ("opens_on", &close), ("closes_on", &today.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("截止日期不能早于开始日期"));
    let city = app.login_as(Who::Taiyuan).await;
    let fields =
        [("title", "2026年会员重新登记"), ("opens_on", &today.to_string()), ("closes_on", &close), ("org", &ty_s)];
    assert_eq!(city.post_form("/admin/census", &fields).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM census").await, 0);

    // Opened for 太原市: its three active members get the task.
    let r = sec.post_form("/admin/census", &fields).await;
    assert_redirect(&r, "/admin/census/");
    let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM census_member WHERE census_id = {id}")).await, 3);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM census_member WHERE member_id = {elsewhere}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM notification WHERE user_id = {}", teacher.0)).await, 1);
    assert!(app.last_mail_to("zhaoqiang@example.org").await.is_some(), "members with an address are e-mailed");

    // The member corrects their record (a bad mobile first: refused, typed values kept).
    let me = app.login_as(Who::Teacher).await;
    let (_, page) = me.page("/me/membership").await;
    assert!(page.contains("2026年会员重新登记") && page.contains("信息无误"));
    let url = format!("/me/membership/{own}/census");
    let r = me
        .post_form(&url, &[("action", "correct"), ("mobile", "123"), ("email", ""), ("employer", "太原市第五中学")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("手机号应为 11 位") && html.contains("太原市第五中学"));
    let r = me
        .post_form(
            &url,
            &[("action", "correct"), ("mobile", "13800138000"), ("email", ""), ("employer", "太原市第五中学")],
        )
        .await;
    assert_redirect(&r, "/me/membership");
    assert_eq!(app.text(&format!("SELECT employer FROM member WHERE id = {own}")).await.unwrap(), "太原市第五中学");
    assert_eq!(search(&sec, "13800138000").await, ["张伟"], "the correction is searchable");
    assert_eq!(me.post_form(&url, &[("action", "confirm")]).await.status(), StatusCode::CONFLICT, "answered once");

    // The city confirms for a member without an account (with the basis), not for others.
    let confirm = format!("/admin/census/{id}/members/{phone}/confirm");
    assert_eq!(city.post_form(&confirm, &[("note", "")]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.post_form(&confirm, &[("note", "电话核实")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(city.post_form(&confirm, &[("note", "电话核实")]).await.status(), StatusCode::SEE_OTHER);

    // Reminders go out once, within the reminder days.
    census_closes(&app, id, 3).await;
    let sent = huiyuan::members::census::service::send_reminders(&app.state).await.unwrap();
    assert_eq!(sent, 1, "only 赵强 is still pending and has an address");
    assert_eq!(huiyuan::members::census::service::send_reminders(&app.state).await.unwrap(), 0, "never twice");

    // Lapse: not before the end; then the preview names who, and they lapse.
    let r = sec.post_form(&format!("/admin/census/{id}/lapse"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    census_closes(&app, id, -1).await;
    let (_, html) = sec.page(&format!("/admin/census/{id}")).await;
    assert!(html.contains("仍有 1 名会员未确认"));
    assert_eq!(city.post_form(&format!("/admin/census/{id}/lapse"), &[]).await.status(), StatusCode::FORBIDDEN);
    let r = sec.post_form(&format!("/admin/census/{id}/lapse"), &[]).await;
    assert_redirect(&r, &format!("/admin/census/{id}"));
    assert_eq!(app.text(&format!("SELECT status FROM member WHERE id = {silent}")).await.unwrap(), "lapsed");
    assert_eq!(app.text(&format!("SELECT status FROM member WHERE id = {phone}")).await.unwrap(), "active");
    assert_eq!(sec.post_form(&format!("/admin/census/{id}/lapse"), &[]).await.status(), StatusCode::CONFLICT);
    // The report per city, as the city sees it.
    let (_, html) = city.page(&format!("/admin/census/{id}")).await;
    assert!(html.contains("太原市"), "{html}");
    let mut counts = Vec::new();
    for status in ["confirmed", "corrected", "pending", "lapsed"] {
        let q = format!("SELECT COUNT(*) FROM census_member WHERE census_id = {id} AND status = '{status}'");
        counts.push(app.scalar(&q).await);
    }
    assert_eq!(counts, [1, 1, 0, 1]);
    // Reversible, with a reason.
    let r =
        sec.post_form(&format!("/admin/members/{silent}/status"), &[("value", "active"), ("reason", "补登记")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_citys_certificates_are_made_in_the_background_as_one_zip() {
    let app = TestApp::spawn().await;
    let ty = Some(app.fixture.taiyuan);
    let mut numbers = Vec::new();
    for name in ["张一", "张二", "张三"] {
        numbers.push(app.add_member(NewMemberSpec { name, org: ty, ..NewMemberSpec::default() }).await.1);
    }
    let (lapsed, _) = app.add_member(NewMemberSpec { name: "张四", org: ty, ..NewMemberSpec::default() }).await;
    sqlx::query("UPDATE member SET status = 'lapsed' WHERE id = $1")
        .bind(lapsed)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.add_member(NewMemberSpec { name: "赵五", org: Some(app.fixture.datong), ..NewMemberSpec::default() }).await;

    let city = app.login_as(Who::Taiyuan).await;
    let r = city.post_form("/admin/members/certificates", &[]).await;
    assert_redirect(&r, "/admin/members/certificates/");
    let page = location(&r);
    let (_, html) = city.page(&page).await;
    assert!(html.contains("http-equiv=\"refresh\""), "the page follows the progress");
    app.run_jobs().await;
    assert!(
        eventually(|| async { app.scalar("SELECT COUNT(*) FROM certificate_batch WHERE status = 'done'").await == 1 })
            .await,
        "the worker finishes the batch"
    );
    let (_, html) = city.page(&page).await;
    assert!(html.contains("已生成 3 / 3 份") && html.contains("下载 .zip"), "{html}");
    let r = city.get(&format!("{page}/certificates.zip")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(zip.len(), 3, "the city's active members only");
    let mut names: Vec<String> = (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().unwrap().to_string()).collect();
    names.sort();
    assert!(names[0].starts_with(&numbers[0]) && names[0].ends_with("张一.pdf"), "{names:?}");
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_index(0).unwrap(), &mut pdf).unwrap();
    assert!(pdf_text(&pdf).contains(&numbers[0]));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM certificate").await, 3, "issued on the way");
    // Another city's administrator cannot follow or download it; an empty list is refused.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.get(&page).await.status(), StatusCode::FORBIDDEN);
    let r = city.post_form("/admin/members/certificates?q=nobody", &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_member_downloads_their_own_data_and_asks_for_a_correction() {
    let app = TestApp::spawn().await;
    let teacher = app.fixture.user(Who::Teacher);
    let id_number = resident_id("140105", "19850612", 123);
    let (id, number) = app
        .add_member(NewMemberSpec {
            name: "张伟",
            org: Some(app.fixture.taiyuan),
            user: Some(teacher),
            id_number: &id_number,
            mobile: "13800138000",
            ..NewMemberSpec::default()
        })
        .await;
    let me = app.login_as(Who::Teacher).await;
    let r = me.get(&format!("/me/membership/{id}/data.json")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let data: serde_json::Value = r.json().await.unwrap();
    assert_eq!(data["member"]["number"], number.as_str());
    assert_eq!(data["member"]["id_number"], id_number.as_str(), "their own full number");
    assert_eq!(data["history"][0]["kind"], "joined");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.data_export'").await, 1);
    let other = app.login_as(Who::Datong).await;
    assert_eq!(other.get(&format!("/me/membership/{id}/data.json")).await.status(), StatusCode::NOT_FOUND);

    let url = format!("/me/membership/{id}/correction");
    let r = me.post_form(&url, &[("text", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = me.post_form(&url, &[("text", "我已调到太原市第十中学工作")]).await;
    assert_redirect(&r, "/me/membership");
    let taiyuan = app.fixture.user(Who::Taiyuan);
    let note = app.text(&format!("SELECT body FROM notification WHERE user_id = {}", taiyuan.0)).await.unwrap();
    assert!(note.contains("太原市第十中学"), "the city's administrator is told");
    let (_, page) = app.login_as(Who::Taiyuan).await.page(&format!("/admin/members/{id}")).await;
    assert!(page.contains("信息更正") && page.contains("我已调到太原市第十中学工作"));
}

#[tokio::test]
async fn a_city_proposes_a_change_and_the_secretariat_decides() {
    let app = TestApp::spawn().await;
    let (id, _) = app
        .add_member(NewMemberSpec { name: "王建华", org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() })
        .await;
    let url = format!("/admin/members/{id}/proposals");
    let city = app.login_as(Who::Taiyuan).await;
    let r = city.post_form(&url, &[("field", "category"), ("value", "senior"), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请填写原因"));
    let r = city.post_form(&url, &[("field", "category"), ("value", "senior"), ("reason", "获评高级教师")]).await;
    assert_redirect(&r, &format!("/admin/members/{id}"));
    assert_eq!(app.text(&format!("SELECT category FROM member WHERE id = {id}")).await.unwrap(), "ordinary");
    let datong = app.login_as(Who::Datong).await;
    let r = datong.post_form(&url, &[("field", "status"), ("value", "lapsed"), ("reason", "x")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let sec = app.login_as(Who::Secretariat).await;
    let secretariat = app.fixture.user(Who::Secretariat);
    assert!(app.scalar(&format!("SELECT COUNT(*) FROM notification WHERE user_id = {}", secretariat.0)).await >= 1);
    let (_, page) = sec.page(&format!("/admin/members/{id}")).await;
    assert!(page.contains("待秘书处决定") && page.contains("获评高级教师"));
    let pid = app.scalar("SELECT MAX(id) FROM member_proposal").await;
    let decide = format!("/admin/members/{id}/proposals/{pid}");
    assert_eq!(city.post_form(&decide, &[("action", "accept")]).await.status(), StatusCode::FORBIDDEN);
    let r = sec.post_form(&decide, &[("action", "accept"), ("note", "同意")]).await;
    assert_redirect(&r, &format!("/admin/members/{id}"));
    assert_eq!(app.text(&format!("SELECT category FROM member WHERE id = {id}")).await.unwrap(), "senior");
    let reason =
        app.text(&format!("SELECT reason FROM member_event WHERE member_id = {id} AND kind = 'category'")).await;
    assert!(reason.unwrap().contains("市协会提议"));
    assert_eq!(sec.post_form(&decide, &[("action", "decline")]).await.status(), StatusCode::CONFLICT, "decided once");
    // A declined proposal changes nothing.
    city.post_form(&url, &[("field", "status"), ("value", "suspended"), ("reason", "长期未联系")]).await;
    let pid = app.scalar("SELECT MAX(id) FROM member_proposal").await;
    let r = sec
        .post_form(&format!("/admin/members/{id}/proposals/{pid}"), &[("action", "decline"), ("note", "已联系上")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.text(&format!("SELECT status FROM member WHERE id = {id}")).await.unwrap(), "active");
    let taiyuan = app.fixture.user(Who::Taiyuan);
    assert!(
        app.text(&format!("SELECT title FROM notification WHERE user_id = {} ORDER BY id DESC", taiyuan.0))
            .await
            .unwrap()
            .contains("未同意")
    );
}

#[tokio::test]
async fn the_api_lists_a_group_members_individuals_as_the_page_does() {
    let app = TestApp::spawn().await;
    let member = |name: &'static str, kind: &'static str| NewMemberSpec {
        name,
        org: Some(app.fixture.taiyuan),
        kind,
        category: if kind == "group" { "group" } else { "ordinary" },
        ..NewMemberSpec::default()
    };
    let (group, _) = app.add_member(member("太原市第五中学", "group")).await;
    for name in ["李一", "李二"] {
        let (person, _) = app.add_member(member(name, "individual")).await;
        sqlx::query("INSERT INTO member_link (group_member_id, individual_member_id) VALUES ($1, $2)")
            .bind(group)
            .bind(person)
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    app.add_member(member("王不相干", "individual")).await;
    let sec = app.login_as(Who::Secretariat).await;
    let (_, html) = sec.page(&format!("/admin/members?group={group}")).await;
    let mut on_page = names(&html);
    on_page.sort();
    assert_eq!(on_page, ["李一", "李二"]);
    let r = sec.api(Method::GET, &format!("/api/v1/members?group={group}"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    let mut in_api: Vec<String> =
        body["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect();
    in_api.sort();
    assert_eq!(in_api, on_page, "the API filters by group like the page");
    assert_eq!(body["total"], 2);
}

#[tokio::test]
async fn a_proposal_tells_each_person_in_their_own_language() {
    let app = TestApp::spawn().await;
    let (id, _) = app
        .add_member(NewMemberSpec { name: "王建华", org: Some(app.fixture.taiyuan), ..NewMemberSpec::default() })
        .await;
    // The city's administrator reads English; the secretariat reads Chinese.
    let city = app.login_as(Who::Taiyuan).await;
    let r = city.post_form("/me/language", &[("lang", "en"), ("next", "/me")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = city
        .post_form(
            &format!("/admin/members/{id}/proposals"),
            &[("field", "status"), ("value", "suspended"), ("reason", "长期未联系")],
        )
        .await;
    assert_redirect(&r, &format!("/admin/members/{id}"));
    let told = last_notice(&app, Who::Secretariat).await;
    assert!(told.starts_with("市协会提议调整会员 王建华"), "the secretariat reads Chinese: {told}");
    let pid = app.scalar("SELECT MAX(id) FROM member_proposal").await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec
        .post_form(&format!("/admin/members/{id}/proposals/{pid}"), &[("action", "decline"), ("note", "已联系上")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let told = last_notice(&app, Who::Taiyuan).await;
    assert!(told.starts_with("The secretariat declined the proposal for 王建华"), "the city reads English: {told}");
}

/// The title of the newest notification of one of the fixture's people.
async fn last_notice(app: &TestApp, who: Who) -> String {
    let user = app.fixture.user(who);
    app.text(&format!("SELECT title FROM notification WHERE user_id = {} ORDER BY id DESC", user.0)).await.unwrap()
}

#[tokio::test]
async fn a_members_home_shows_their_membership_and_keeps_technical_things_in_settings() {
    let app = TestApp::spawn().await;
    let (id, number) = app
        .add_member(NewMemberSpec {
            name: "张伟",
            org: Some(app.fixture.taiyuan),
            user: Some(app.fixture.user(Who::Teacher)),
            ..NewMemberSpec::default()
        })
        .await;
    let teacher = app.login_as(Who::Teacher).await;
    let (_, home) = teacher.page("/me").await;
    for part in [number.as_str(), "太原市", "普通会员", "有效", "首次下载会员证时生成"] {
        assert!(home.contains(part), "{part} missing from the home page");
    }
    let certificate = format!("/me/membership/{id}/certificate.pdf");
    assert!(home.contains(&certificate));
    assert!(!home.contains("您还不是会员"), "a member is not sent to apply");
    assert!(!home.contains("/me/tokens"), "API tokens are not in a teacher's first view");
    assert_eq!(teacher.get(&certificate).await.status(), StatusCode::OK);
    let (_, home) = teacher.page("/me").await;
    let until = app.text(&format!("SELECT valid_until FROM certificate WHERE member_id = {id}")).await.unwrap();
    assert!(home.contains(&until) && !home.contains("首次下载会员证时生成"), "the certificate's last day");
    let (_, settings) = teacher.page("/me/settings").await;
    assert!(settings.contains("/me/tokens") && settings.contains("zhangwei"));
    assert!(!settings.contains("会员/申请人 ·"), "a member's own role is not listed as a back-office role");

    // The API's twin reads the same home.
    let r = teacher.api(Method::GET, "/api/v1/me/home", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let home: serde_json::Value = r.json().await.unwrap();
    let m = &home["memberships"][0];
    assert_eq!((m["number"].as_str(), m["association"].as_str()), (Some(number.as_str()), Some("太原市")));
    assert_eq!((m["status"].as_str(), m["category"].as_str()), (Some("active"), Some("ordinary")));
    assert_eq!(m["valid_until"].as_str(), Some(until.as_str()));
    assert_eq!(home["applications"].as_array().map(Vec::len), Some(0));
}
