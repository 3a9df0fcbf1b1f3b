//! The registry through the API, with personal tokens: a member with their history, a city's
//! proposal and the secretariat's decision, certificates and their verification, exports with
//! the pages' masking, a roster import and the census — each in the caller's scope.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_members_record_is_changed_certified_and_verified_through_the_api() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (Some(app.fixture.taiyuan), Some(app.fixture.datong));
    let id_number = resident_id("140105", "19800101", 31);
    let (member, number) = app
        .add_member(NewMemberSpec { name: "赵老师", org: ty, id_number: &id_number, ..NewMemberSpec::default() })
        .await;
    app.add_member(NewMemberSpec { name: "钱老师", org: dt, ..NewMemberSpec::default() }).await;

    // A city reads its own member with history; another city cannot.
    let city = Script::of(&app, Who::Taiyuan).await;
    let (s, read) = city.get(&format!("/api/v1/members/{member}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read["member"]["number"], number.as_str());
    assert_eq!(read["city"], "太原市");
    assert_eq!(read["periods"][0][0], "2026-11-29");
    let datong = Script::of(&app, Who::Datong).await;
    assert_eq!(datong.get(&format!("/api/v1/members/{member}")).await.0, StatusCode::FORBIDDEN);
    let (_, found) = datong.get("/api/v1/members?q=zls").await;
    assert_eq!(found["total"], 0, "the other city's search does not find her");

    // The city cannot change the category itself; it proposes, the secretariat accepts.
    let before = app.audit_count().await;
    let (s, _) = city
        .post(&format!("/api/v1/members/{member}/category"), json!({"value": "senior", "reason": "获评高级教师"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count().await, before);
    let (s, proposed) = city
        .post(
            &format!("/api/v1/members/{member}/proposals"),
            json!({"field": "category", "value": "senior", "reason": "获评高级教师"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{proposed}");
    let pid = proposed["proposals"][0]["id"].as_i64().unwrap();
    assert_eq!(proposed["proposals"][0]["status"], "pending");
    let sec = Script::of(&app, Who::Secretariat).await;
    let url = format!("/api/v1/members/{member}/proposals/{pid}");
    let (s, decided) = sec.post(&url, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{decided}");
    assert_eq!(decided["member"]["category"], "senior");
    assert_eq!(decided["history"][0]["kind"], "category");
    assert_eq!(sec.post(&url, json!({"action": "accept"})).await.0, StatusCode::CONFLICT, "decided once");
    // The secretariat's own change needs a reason, named as the field.
    let (s, r) =
        sec.post(&format!("/api/v1/members/{member}/status"), json!({"value": "suspended", "reason": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["reason"].is_object(), "{r}");
    let (s, r) = sec
        .post(&format!("/api/v1/members/{member}/status"), json!({"value": "suspended", "reason": "本人申请暂停"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["member"]["status"], "suspended");
    let (s, _) =
        sec.post(&format!("/api/v1/members/{member}/status"), json!({"value": "active", "reason": "恢复会籍"})).await;
    assert_eq!(s, StatusCode::OK);

    // The certificate: a real PDF with her name; reissued, the first one stops verifying.
    let (s, pdf) = city.bytes(&format!("/api/v1/members/{member}/certificate.pdf")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf_text(&pdf).contains("赵老师"));
    let (_, read) = city.get(&format!("/api/v1/members/{member}")).await;
    let first = read["certificates"][0]["serial"].as_str().unwrap().to_string();
    let (s, _) = city.post(&format!("/api/v1/members/{member}/certificate/reissue"), json!({"reason": "遗失"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the secretariat reissues");
    let (s, new) = sec.post(&format!("/api/v1/members/{member}/certificate/reissue"), json!({"reason": "遗失"})).await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    assert_ne!(new["serial"], first.as_str());
    let anyone = app.stranger();
    let verdict = |path: String| {
        let b = &anyone;
        async move { b.api(Method::GET, &path, None).await.json::<serde_json::Value>().await.unwrap() }
    };
    let v = verdict(format!("/api/v1/verify/{number}?s={first}")).await;
    assert_eq!(v["verdict"], "revoked");
    let v = verdict(format!("/api/v1/verify/{}", number.to_lowercase())).await;
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["name"], "赵*师", "the name masked: {v}");
    assert!(v.get("id_number").is_none());
    assert_eq!(verdict("/api/v1/verify/SXK0000000M".into()).await["verdict"], "unknown");
}

#[tokio::test]
async fn exports_through_the_api_mask_and_record_like_the_pages() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (Some(app.fixture.taiyuan), Some(app.fixture.datong));
    let id_a = resident_id("140105", "19800101", 31);
    app.add_member(NewMemberSpec { name: "张伟", org: ty, id_number: &id_a, ..NewMemberSpec::default() }).await;
    app.add_member(NewMemberSpec { name: "赵敏", org: dt, ..NewMemberSpec::default() }).await;
    let city = Script::of(&app, Who::Taiyuan).await;
    let (s, bytes) = city.bytes("/api/v1/members/export.csv").await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("张伟") && !text.contains("赵敏"), "the city's own members only");
    assert!(text.contains(&id_a), "the city keeps its members' dossiers");
    let council = Script::of(&app, Who::Council).await;
    let (_, bytes) = council.bytes("/api/v1/members/export.xlsx").await;
    let sheet = xlsx_sheet(&bytes);
    assert!(sheet.contains("张伟") && sheet.contains("赵敏") && !sheet.contains(&id_a));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.export'").await, 2);
    let teacher = Script::of(&app, Who::Teacher).await;
    assert_eq!(teacher.bytes("/api/v1/members/export.csv").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_city_imports_a_roster_and_confirms_the_census_through_the_api() {
    let app = TestApp::spawn().await;
    let city = Script::of(&app, Who::Taiyuan).await;
    let ty = app.fixture.taiyuan;
    let csv = format!(
        "姓名,身份证号码,手机号码\n孙老师,{},13900001111\n孙老师,{},13900001111\n李老师,140105198201011234,13900002222\n",
        resident_id("140105", "19820101", 35),
        resident_id("140105", "19820101", 35),
    );
    let upload = |city_field: String| {
        let part = reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("名册.csv");
        let form = reqwest::multipart::Form::new().text("city", city_field).part("file", part);
        city.client.post(app.url("/api/v1/imports")).bearer_auth(&city.token).multipart(form).send()
    };
    // Into another city: refused, nothing read.
    let r = upload(app.fixture.datong.to_string()).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(ty.to_string()).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let batch: serde_json::Value = r.json().await.unwrap();
    assert_eq!(batch["status"], "preview");
    assert_eq!(batch["verdicts"]["new"], 1, "{batch}");
    assert_eq!(batch["verdicts"]["invalid"], 2, "the same person twice, and a check digit that cannot be");
    let id = batch["id"].as_i64().unwrap();
    let (_, invalid) = city.get(&format!("/api/v1/imports/{id}?verdict=invalid")).await;
    assert_eq!(invalid["rows"].as_array().unwrap().len(), 2);
    assert_eq!(invalid["rows"][0]["message"], "与第 2 行是同一人");
    let datong = Script::of(&app, Who::Datong).await;
    assert_eq!(datong.get(&format!("/api/v1/imports/{id}")).await.0, StatusCode::FORBIDDEN);
    let (s, done) = city.post(&format!("/api/v1/imports/{id}/commit"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "committed");
    assert_eq!(done["imported_rows"], 1);
    assert_eq!(city.post(&format!("/api/v1/imports/{id}/commit"), json!({})).await.0, StatusCode::CONFLICT);
    let member = app.scalar("SELECT id FROM member WHERE name = '孙老师'").await;

    // The census: the secretariat opens it on the page; the city follows it and confirms.
    let sec = app.login_as(Who::Secretariat).await;
    let today = app.state.settings.locale.today();
    let close = (today + time::Duration::days(30)).to_string();
    let fields = [("title", "2026年会员普查"), ("opens_on", &today.to_string()), ("closes_on", &close)];
    assert_eq!(sec.post_form("/admin/census", &fields).await.status(), StatusCode::SEE_OTHER);
    let (_, list) = city.get("/api/v1/census").await;
    let census = list[0]["id"].as_i64().unwrap();
    let (_, progress) = city.get(&format!("/api/v1/census/{census}?status=pending")).await;
    assert_eq!(progress["members"][0]["name"], "孙老师");
    assert_eq!(progress["cities"][0]["pending"], 1);
    let url = format!("/api/v1/census/{census}/members/{member}/confirm");
    let (s, r) = city.post(&url, json!({"note": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["note"].is_object());
    let (s, line) = city.post(&url, json!({"note": "电话核实"})).await;
    assert_eq!(s, StatusCode::OK, "{line}");
    assert_eq!(line["status"], "confirmed");
    assert_eq!(line["on_behalf"], true);
    let (_, progress) = city.get(&format!("/api/v1/census/{census}")).await;
    assert_eq!(progress["cities"][0]["confirmed"], 1);
    let (s, _) = city.call(Method::POST, &url, Some(json!({"note": "再次核实"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "confirmed once");
}
