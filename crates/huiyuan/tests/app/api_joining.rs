//! Joining driven only through the API, with personal tokens: the applicant's draft and
//! submission, the city's review and batch, the secretariat's dossier, the council's vote and
//! resolution, ending with a member number — and what the API refuses on the way.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// The page form's pairs as the API's `form` object.
fn as_object(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect())
}

fn all_ticked(list: &Value) -> Value {
    Value::Object(list.as_array().unwrap().iter().map(|i| (i.as_str().unwrap().to_string(), json!(true))).collect())
}

async fn status_of(app: &TestApp, id: i64) -> String {
    app.text(&format!("SELECT status FROM application WHERE id = {id}")).await.unwrap()
}

/// The city reviews, batches and forwards `id`; the secretariat files it.
async fn through_city_and_dossier(app: &TestApp, id: i64, batch: &str) {
    let city = Script::of(app, Who::Taiyuan).await;
    let (s, read) = city.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let checklist = all_ticked(&read["review_checklist"]);
    let (s, done) = city
        .post(
            &format!("/api/v1/applications/{id}/review"),
            json!({"decision": "recommend", "checklist": checklist, "opinion": "同意推荐"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "recommended");
    let (s, b) = city.post("/api/v1/batches", json!({"name": batch, "applications": [id]})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let b = b["batch"]["id"].as_i64().unwrap();
    let (s, fwd) = city.post(&format!("/api/v1/batches/{b}/forward"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(fwd["batch"]["status"], "forwarded");
    assert_eq!(fwd["applications"][0]["status"], "forwarded");
    let sec = Script::of(app, Who::Secretariat).await;
    let (_, read) = sec.get(&format!("/api/v1/applications/{id}")).await;
    let ticks = all_ticked(&read["dossier_checklist"]);
    let copies = app.state.settings.joining.dossier.paper_copies;
    let (s, filed) = sec
        .post(
            &format!("/api/v1/applications/{id}/dossier"),
            json!({"checklist": ticks, "copies": copies, "action": "file"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{filed}");
    assert_eq!(filed["status"], "ready");
}

#[tokio::test]
async fn a_teacher_becomes_a_member_through_the_api_alone() {
    let app = TestApp::spawn().await;
    let teacher = Script::of(&app, Who::Teacher).await;
    let id_number = resident_id("140105", "19900307", 491);
    // The form's choices: the cities to apply through and the categories to ask for.
    let (s, choices) = teacher.get("/api/v1/applications/choices").await;
    assert_eq!(s, StatusCode::OK);
    let taiyuan = choices["cities"].as_array().unwrap().iter().find(|c| c["name"] == "太原市青少年科技教育协会");
    assert_eq!(taiyuan.unwrap()["id"], app.fixture.taiyuan.0);
    assert!(choices["categories"].as_array().unwrap().iter().any(|c| c["code"] == "ordinary"));
    let full = individual_form("张伟", &id_number, &app.fixture.taiyuan.to_string());

    // A draft with half the form: kept, and the answer says what submitting still needs.
    let half: Vec<(String, String)> = full.iter().take(8).cloned().collect();
    let (s, draft) =
        teacher.post("/api/v1/applications", json!({"kind": "individual", "form": as_object(&half)})).await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["form"]["id_number"], id_number.as_str(), "the applicant reads their own number");
    assert!(draft["to_fix"]["employer"].is_string(), "{}", draft["to_fix"]);
    assert!(draft["to_fix"]["name"].is_null(), "what was given is not asked again");
    let id = draft["id"].as_i64().unwrap();
    // Handing it in now is refused field by field and changes nothing.
    let (s, refused) = teacher.post(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["error"]["fields"]["mobile"]["message"].is_string(), "{refused}");
    assert_eq!(status_of(&app, id).await, "draft");
    // The rest of the form, then in.
    let rest: Vec<(String, String)> = full.iter().skip(8).cloned().collect();
    let (s, patched) = teacher.call(Method::PATCH, &format!("/api/v1/applications/{id}"), Some(as_object(&rest))).await;
    assert_eq!(s, StatusCode::OK, "{patched}");
    assert_eq!(patched["to_fix"], json!({}));
    assert_eq!(patched["form"]["name"], "张伟", "the fields not sent stay as saved");
    let (s, submitted) = teacher.post(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(submitted["status"], "submitted");
    // Submitted twice: the second is a conflict that names where it stands.
    let (s, again) = teacher.post(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(again["error"]["current_status"], "submitted");

    // Another city neither reads nor reviews it; the city's staff read the number masked.
    let datong = Script::of(&app, Who::Datong).await;
    let before = app.audit_count().await;
    assert_eq!(datong.get(&format!("/api/v1/applications/{id}")).await.0, StatusCode::FORBIDDEN);
    let (s, _) = datong
        .post(&format!("/api/v1/applications/{id}/review"), json!({"decision": "reject", "opinion": "不符合条件"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, queue) = datong.get("/api/v1/applications").await;
    assert_eq!(queue["total"], 0, "Datong's queue is empty: {queue}");
    assert_eq!(app.audit_count().await, before);
    let city = Script::of(&app, Who::Taiyuan).await;
    let (_, queue) = city.get("/api/v1/applications?status=submitted").await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    assert_eq!(queue["counts"]["submitted"], 1);
    let (_, read) = city.get(&format!("/api/v1/applications/{id}")).await;
    assert_ne!(read["form"]["id_number"], id_number.as_str());
    assert!(read["form"]["id_number"].as_str().unwrap().contains('*'));
    // A recommendation needs every item ticked; the API names the field.
    let (s, r) = city
        .post(&format!("/api/v1/applications/{id}/review"), json!({"decision": "recommend", "checklist": {"0": true}}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["checklist"].is_object());
    let (s, r) =
        city.post(&format!("/api/v1/applications/{id}/review"), json!({"decision": "return", "opinion": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["opinion"].is_object(), "{r}");
    let (s, r) = city
        .post(
            &format!("/api/v1/applications/{id}/review"),
            json!({"decision": "recommend", "checklist": {"没有这一项": true}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["checklist"]["message"].as_str().unwrap().contains("没有这一项"));
    assert_eq!(status_of(&app, id).await, "submitted");

    through_city_and_dossier(&app, id, "太原市2026年第1批").await;
    // The applicant can no longer take it back in the API than on the page.
    let (s, r) = teacher.post(&format!("/api/v1/applications/{id}/withdraw"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(r["error"]["current_status"], "ready");

    // The council: called by the secretariat, voted by its member, closed with a resolution.
    let sec = Script::of(&app, Who::Secretariat).await;
    let council = app.fixture.user(Who::Council).0;
    let (s, m) = sec
        .post(
            "/api/v1/council/meetings",
            json!({"held_on": "2026-12-20", "session": "第五届常务理事会第四次会议", "mode": "votes",
                   "attendees": [council], "agenda": [id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let meeting = m["meeting"]["id"].as_i64().unwrap();
    assert_eq!(m["agenda"][0]["application_id"], id);
    let member_of_council = Script::of(&app, Who::Council).await;
    let (s, voted) = member_of_council
        .post(
            &format!("/api/v1/council/meetings/{meeting}/votes"),
            json!({"votes": [{"application_id": id, "choice": "approve"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{voted}");
    assert_eq!(voted["votes"][0]["choice"], "approve");
    let (s, closed) = sec
        .post(&format!("/api/v1/council/meetings/{meeting}/close"), json!({"resolution": "晋青科教〔2026〕12号"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    assert_eq!(closed["meeting"]["meeting"]["status"], "closed");
    let number = closed["approved"][0][1].as_str().unwrap().to_string();
    assert!(!number.is_empty());
    let (s, _) = sec
        .post(&format!("/api/v1/council/meetings/{meeting}/close"), json!({"resolution": "晋青科教〔2026〕13号"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a meeting closes once");

    // The applicant follows it to the member number.
    let (_, mine) = teacher.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(mine["status"], "approved");
    assert_eq!(mine["member_number"], number.as_str());
    let steps: Vec<&str> =
        mine["events"].as_array().unwrap().iter().map(|e| e["to_status"].as_str().unwrap()).collect();
    assert_eq!(steps, ["submitted", "recommended", "forwarded", "ready", "on_agenda", "approved"]);
    let (_, listed) = teacher.get("/api/v1/applications").await;
    assert_eq!(listed["items"][0]["status"], "approved");
}

#[tokio::test]
async fn a_group_joins_through_the_api_with_its_teachers_and_a_minutes_meeting() {
    let app = TestApp::spawn().await;
    // The three teachers it registers have their own applications in.
    let teachers = [
        (Who::Teacher, "张伟", resident_id("140105", "19900307", 491)),
        (Who::Council, "王建国", resident_id("140105", "19700101", 133)),
        (Who::Datong, "赵敏", resident_id("140105", "19850612", 224)),
    ];
    for (who, name, number) in &teachers {
        app.submitted_application(*who, name, number).await;
    }
    let people: Vec<Value> = teachers.iter().map(|(_, n, i)| json!({"name": n, "id_number": i})).collect();
    let school = Script::of(&app, Who::Sysadmin).await;
    let city = app.fixture.taiyuan.to_string();
    let conditions: Vec<Value> = (1..=5).map(|i| json!({"met": true, "text": format!("第{i}条的具体做法")})).collect();
    let form = json!({
        "name": "太原市第五中学校", "institution_type": "中小学", "code_type": "credit_code",
        "code": "91350100M000100Y43", "legal_rep": "王志强", "science_head": "李红梅",
        "contact_name": "赵刚", "contact_post": "科技处主任", "contact_mobile": "13912345678",
        "contact_email": "kjc@example.org", "address": "太原市小店区坞城路1号", "postcode": "030006",
        "students": "2400", "staff": "180", "counsellors_full": "3", "counsellors_part": "12",
        "city": city, "category": "group", "activities": "每年举办校园科技节。", "consent": "yes",
        "conditions": conditions, "people": people,
    });
    let (s, draft) = school.post("/api/v1/applications", json!({"kind": "group", "form": form})).await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    let (s, r) = school.post(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // Staff read the registered teachers' numbers masked.
    let taiyuan = Script::of(&app, Who::Taiyuan).await;
    let (_, read) = taiyuan.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(read["kind"], "group");
    assert!(read["form"]["people"][0]["id_number"].as_str().unwrap().contains('*'));

    through_city_and_dossier(&app, id, "太原市2026年第2批").await;
    let sec = Script::of(&app, Who::Secretariat).await;
    let council = app.fixture.user(Who::Council).0;
    let (s, m) = sec
        .post(
            "/api/v1/council/meetings",
            json!({"held_on": "2026-12-20", "session": "第五届常务理事会第五次会议", "mode": "minutes",
                   "attendees": [council], "agenda": [id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let meeting = m["meeting"]["id"].as_i64().unwrap();
    // Minutes that count more voters than attended are refused by name.
    let url = format!("/api/v1/council/meetings/{meeting}/close");
    let (s, r) = sec
        .post(
            &url,
            json!({"resolution": "晋青科教〔2026〕14号",
                   "minutes": [{"application_id": id, "approve": 5, "reject": 0, "abstain": 0}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r["error"]["fields"]["minutes"].is_object());
    let (s, closed) = sec
        .post(
            &url,
            json!({"resolution": "晋青科教〔2026〕14号",
                   "minutes": [{"application_id": id, "approve": 1, "reject": 0, "abstain": 0}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    let (_, read) = school.get(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(read["status"], "approved");
    assert_eq!(read["member_number"], closed["approved"][0][1]);
}

#[tokio::test]
async fn the_api_refuses_bad_bodies_by_name_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let teacher = Script::of(&app, Who::Teacher).await;
    let before = app.scalar("SELECT COUNT(*) FROM application").await;
    let (s, r) = teacher.raw(Method::POST, "/api/v1/applications", "{\"kind\": \"individual\",").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(r["error"]["code"], "bad_request");
    let (s, r) = teacher.raw(Method::POST, "/api/v1/applications", r#"{"kind": 5}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(r["error"]["message"].as_str().unwrap().contains("kind"), "{r}");
    let (s, r) = teacher.post("/api/v1/applications", json!({"kind": "individual", "form": {"nmae": "张伟"}})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(r["error"]["message"].as_str().unwrap().contains("form.nmae"), "{r}");
    let (s, r) = teacher.post("/api/v1/applications", json!({"kind": "individual", "submit": true})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(r["error"]["message"].as_str().unwrap().contains("submit"), "{r}");
    let (s, r) = teacher.post("/api/v1/applications", json!({"kind": "club"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["kind"].is_object());
    let (s, _) = teacher.post("/api/v1/applications", json!({"form": {}})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "kind is required");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM application").await, before);

    // One open application per person, as on the form: keyed by the field.
    let id_number = resident_id("140105", "19900307", 491);
    let form = as_object(&individual_form("张伟", &id_number, &app.fixture.taiyuan.to_string()));
    let (s, first) = teacher.post("/api/v1/applications", json!({"kind": "individual", "form": form})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, r) = teacher.post("/api/v1/applications", json!({"kind": "individual", "form": form})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["error"]["fields"]["id_number"].is_object(), "{r}");
    // Someone else's draft is not theirs to change or read.
    let id = first["id"].as_i64().unwrap();
    let other = Script::of(&app, Who::Council).await;
    let (s, _) = other.call(Method::PATCH, &format!("/api/v1/applications/{id}"), Some(json!({"name": "王五"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(other.get(&format!("/api/v1/applications/{id}")).await.0, StatusCode::NOT_FOUND);
    let (s, r) = teacher.call(Method::PATCH, &format!("/api/v1/applications/{id}"), Some(json!({"years": 8}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a number where the form keeps text");
    assert!(r["error"]["message"].as_str().unwrap().contains("years"), "{r}");
    assert_eq!(app.text(&format!("SELECT name FROM application WHERE id = {id}")).await.unwrap(), "张伟");

    // A revoked token is refused.
    sqlx::query("UPDATE api_token SET revoked_at = 1").execute(app.state.db.pool()).await.unwrap();
    assert_eq!(teacher.get("/api/v1/applications").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_applicant_attaches_a_scan_through_the_api_and_a_retry_creates_nothing_twice() {
    let app = TestApp::spawn().await;
    let teacher = Script::of(&app, Who::Teacher).await;
    let form =
        as_object(&individual_form("张伟", &resident_id("140105", "19900307", 491), &app.fixture.taiyuan.to_string()));
    let body = json!({"kind": "individual", "form": form});
    let send = || {
        teacher
            .client
            .post(app.url("/api/v1/applications"))
            .bearer_auth(&teacher.token)
            .header("idempotency-key", "app-2026-001")
            .json(&body)
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM application").await, 1);
    let id = first["id"].as_i64().unwrap();

    let purpose = app.state.settings.joining.attachments.individual[0].clone();
    let upload = |purpose: String, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("登记表.pdf");
        let form = reqwest::multipart::Form::new().text("purpose", purpose).part("file", part);
        teacher
            .client
            .post(app.url(&format!("/api/v1/applications/{id}/attachments")))
            .bearer_auth(&teacher.token)
            .multipart(form)
            .send()
    };
    let r = upload("不存在的类别".into(), tiny_pdf()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json::<Value>().await.unwrap()["error"]["fields"]["purpose"].is_object());
    let r = upload(purpose.clone(), b"not a pdf at all".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(purpose.clone(), tiny_pdf()).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let file: Value = r.json().await.unwrap();
    assert_eq!(file["content_type"], "application/pdf");
    let (_, list) = teacher.get(&format!("/api/v1/applications/{id}/attachments")).await;
    assert_eq!(list[0]["purpose"], purpose.as_str());
    let r = teacher
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/attachments/{}", file["id"])))
        .bearer_auth(&teacher.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), tiny_pdf());
}
