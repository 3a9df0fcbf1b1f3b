//! The provincial youth science studio (科学工作室): the secretariat describes a resource,
//! members book it further ahead than others, a slot is held once however many ask at the
//! same moment, a manager approves or declines with a reason, a booker cancels until the
//! settings' time before; every use is recorded for the year-end evaluation.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// The secretariat adds a room open 09:00–17:00 every day; answers its id.
async fn room(app: &TestApp) -> i64 {
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec
        .post_form(
            "/admin/studio/resources/new",
            &[
                ("name", "多功能活动室"),
                ("kind", "room"),
                ("capacity", "40"),
                ("opens_at", "09:00"),
                ("closes_at", "17:00"),
                ("purposes", ""),
                ("active", "1"),
            ],
        )
        .await;
    assert_redirect(&r, "/admin/studio");
    app.scalar("SELECT MAX(id) FROM studio_resource").await
}

/// A day `n` days from today (the association's), YYYY-MM-DD.
fn day(app: &TestApp, n: i64) -> String {
    (app.state.settings.locale.today() + time::Duration::days(n)).to_string()
}

fn booking(resource: i64, day: &str, starts: &str, ends: &str) -> Value {
    json!({"resource_id": resource, "day": day, "starts": starts, "ends": ends, "purpose": "科技活动", "participants": 12})
}

/// Make the teacher an active member of 太原市.
async fn teacher_member(app: &TestApp) {
    app.add_member(NewMemberSpec {
        name: "张伟",
        org: Some(app.fixture.taiyuan),
        user: Some(app.fixture.user(Who::Teacher)),
        ..NewMemberSpec::default()
    })
    .await;
}

#[tokio::test]
async fn a_member_books_the_studio_and_the_secretariat_approves_it() {
    let app = TestApp::spawn().await;
    let id = room(&app).await;
    teacher_member(&app).await;
    let teacher = app.login_as(Who::Teacher).await;
    let (status, week) = teacher.page(&format!("/studio/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(week.contains("多功能活动室") && week.contains("全天空闲"));

    // A member books 20 days ahead (inside the members' 30 days) through the page.
    let when = day(&app, 20);
    let r = teacher
        .post_form(
            "/studio/bookings",
            &[
                ("resource", &id.to_string()),
                ("day", &when),
                ("starts", "09:00"),
                ("ends", "11:00"),
                ("purpose", "科技活动"),
                ("participants", "30"),
                ("note", "机器人社团展示"),
            ],
        )
        .await;
    assert_redirect(&r, "/me/services");
    let (_, mine) = teacher.page("/me/services").await;
    assert!(mine.contains(&format!("{when} 09:00–11:00")) && mine.contains("待批准"), "{mine}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM studio_booking WHERE member_id IS NOT NULL AND org_id IS NOT NULL").await,
        1
    );

    // The secretariat is told, approves it on its page; the member is told.
    let sec = app.login_as(Who::Secretariat).await;
    let (_, admin) = sec.page("/admin/studio").await;
    assert!(admin.contains("张伟") && admin.contains("机器人社团展示"));
    assert!(last_notice(&app, Who::Secretariat).await.contains("张伟 预约了 多功能活动室"));
    let booking = app.scalar("SELECT MAX(id) FROM studio_booking").await;
    let r = sec
        .post_form(&format!("/admin/studio/bookings/{booking}/decide"), &[("decision", "approve"), ("note", "")])
        .await;
    assert_redirect(&r, "/admin/studio");
    let (_, mine) = teacher.page("/me/services").await;
    assert!(mine.contains("已批准"));
    // Their home shows it too, and the API's twin of the home.
    let (_, home) = teacher.page("/me").await;
    assert!(home.contains(&format!("{when} 09:00–11:00")) && home.contains("我的预约"));
    let twin: Value = teacher.api(Method::GET, "/api/v1/me/home", None).await.json().await.unwrap();
    assert_eq!(twin["bookings"][0]["status"], "approved");
    assert!(last_notice(&app, Who::Teacher).await.contains("已批准"));
    // Deciding it again: it is no longer pending.
    let r = sec.post_form(&format!("/admin/studio/bookings/{booking}/decide"), &[("decision", "approve")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Staff who may see the member read it on the member's page; another city's may not.
    let member = app.scalar("SELECT member_id FROM studio_booking WHERE id = 1").await;
    let (_, page) = app.login_as(Who::Taiyuan).await.page(&format!("/admin/members/{member}")).await;
    assert!(page.contains("科学工作室 · 多功能活动室") && page.contains(&format!("{when} 09:00–11:00")));
    let r = app.login_as(Who::Datong).await.get(&format!("/admin/members/{member}")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Counted for the year-end evaluation, audited, and in the calendar feeds.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM service_use WHERE service = 'studio' AND member_id IS NOT NULL").await,
        2
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('studio.book', 'studio.approve')").await, 2);
    let feed = app.anonymous().await.get(&format!("/studio/{id}/calendar.ics")).await;
    assert_eq!(feed.headers()["content-type"], "text/calendar; charset=utf-8");
    let feed = feed.text().await.unwrap();
    assert!(
        feed.contains("BEGIN:VEVENT") && feed.contains("科技活动") && !feed.contains("张伟"),
        "what and when, never who"
    );
    let mine = teacher.get("/me/services/bookings.ics").await.text().await.unwrap();
    assert!(mine.contains("SUMMARY:多功能活动室 · 科技活动"));
}

#[tokio::test]
async fn members_book_further_ahead_than_others_and_hours_and_closed_days_hold() {
    let app = TestApp::spawn().await;
    let id = room(&app).await;
    let sec = app.login_as(Who::Secretariat).await;
    let closed = day(&app, 3);
    let r =
        sec.post_form("/admin/studio/closed-days", &[("resource", ""), ("day", &closed), ("reason", "设备检修")]).await;
    assert_redirect(&r, "/admin/studio");

    // The API's twin of the resource form: the same rules, the same resource.
    let r = sec
        .api(
            Method::PUT,
            &format!("/api/v1/studio/resources/{id}"),
            Some(json!({"name": "多功能活动室", "kind": "room",
            "capacity": 40, "opens_at": "10:00", "closes_at": "09:00"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sec
        .api(
            Method::PUT,
            &format!("/api/v1/studio/resources/{id}"),
            Some(json!({"name": "多功能活动室", "kind": "room",
            "capacity": 40, "opens_at": "09:00", "closes_at": "17:00", "purposes": ["科技活动"]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["purposes"], json!(["科技活动"]));

    // Not a member: 10 days ahead is outside the others' 7 days (422, nothing kept).
    let teacher = app.login_as(Who::Teacher).await;
    let r =
        teacher.api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &day(&app, 10), "09:00", "10:00"))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["fields"]["day"]["message"].as_str().unwrap().contains("会员可提前 30 天预约"), "{body}");
    // Once a member, the same slot is theirs to ask for.
    teacher_member(&app).await;
    let r =
        teacher.api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &day(&app, 10), "09:00", "10:00"))).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!((created["status"].as_str(), created["member"].as_bool()), (Some("pending"), Some(true)));

    for (slot, field, words) in [
        (booking(id, &day(&app, 2), "08:00", "09:00"), "starts", "不在开放时间（09:00–17:00）内"),
        (booking(id, &day(&app, 2), "09:15", "10:00"), "starts", "整 30 分钟"),
        (booking(id, &closed, "09:00", "10:00"), "day", "这一天不开放"),
        (booking(id, &day(&app, 40), "09:00", "10:00"), "day", "会员可预约 30 天内"),
        (
            json!({"resource_id": id, "day": day(&app, 2), "starts": "09:00", "ends": "10:00", "purpose": "打球", "participants": 5}),
            "purpose",
            "请从列表中选择用途",
        ),
        (
            json!({"resource_id": id, "day": day(&app, 2), "starts": "09:00", "ends": "10:00", "purpose": "科技活动", "participants": 41}),
            "participants",
            "1 到 40",
        ),
    ] {
        let r = teacher.api(Method::POST, "/api/v1/studio/bookings", Some(slot)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["fields"][field]["message"].as_str().unwrap_or("").contains(words), "{body}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM studio_booking").await, 1, "refused bookings keep nothing");

    // The page keeps what was typed and says what is wrong.
    let r = teacher
        .post_form(
            "/studio/bookings",
            &[
                ("resource", &id.to_string()),
                ("day", &closed),
                ("starts", "09:00"),
                ("ends", "10:00"),
                ("purpose", "科技活动"),
                ("participants", "12"),
                ("note", "我的说明"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("这一天不开放") && html.contains("我的说明"));
}

#[tokio::test]
async fn a_slot_is_held_once_however_many_ask_at_the_same_moment() {
    let app = TestApp::spawn().await;
    let id = room(&app).await;
    let when = day(&app, 2);
    // Eight people ask for overlapping slots at once: exactly one gets it.
    let mut people = Vec::new();
    for who in [Who::Teacher, Who::Taiyuan, Who::Datong, Who::Secretariat, Who::Council, Who::Sysadmin] {
        people.push(app.login_as(who).await);
    }
    let asks = people.iter().enumerate().map(|(i, b)| {
        let starts = if i % 2 == 0 { "10:00" } else { "10:30" };
        b.api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &when, starts, "11:30")))
    });
    let answers: Vec<StatusCode> = join_all(asks).await.into_iter().map(|r| r.status()).collect();
    assert_eq!(answers.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == StatusCode::CONFLICT).count(), people.len() - 1, "{answers:?}");
    let overlaps = app
        .scalar(
            "SELECT COUNT(*) FROM studio_booking a JOIN studio_booking b ON a.resource_id = b.resource_id AND a.id < b.id
             AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
             WHERE a.status IN ('pending', 'approved') AND b.status IN ('pending', 'approved')",
        )
        .await;
    assert_eq!(overlaps, 0);

    // Two server processes on one database, asked at the same moment: one booking.
    let second = SecondServer::start(&app.db_url);
    let other = Browser::signed_in(&second.base, Who::Taiyuan.username(), PASSWORD).await;
    let later = day(&app, 4);
    let (a, b) = tokio::join!(
        people[0].api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &later, "14:00", "15:00"))),
        other.api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &later, "14:30", "15:30"))),
    );
    let mut both = [a.status().as_u16(), b.status().as_u16()];
    both.sort_unstable();
    assert_eq!(both, [201, 409]);

    // The answer names the slot it meets; a slot that only touches it is free.
    let r = people[0].api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &when, "11:00", "12:00"))).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains(&format!("{when} 10:")), "{body}");
    let r = people[0].api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &when, "11:30", "12:30"))).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn bookers_cancel_in_time_managers_decline_with_a_reason_and_nobody_else_touches_a_booking() {
    let app = TestApp::spawn().await;
    let id = room(&app).await;
    let teacher = app.login_as(Who::Teacher).await;
    let mut ids = Vec::new();
    for (starts, ends) in [("09:00", "10:00"), ("11:00", "12:00")] {
        let r =
            teacher.api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &day(&app, 3), starts, ends))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    // Another city's administrator neither sees nor cancels it.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(
        datong.api(Method::GET, &format!("/api/v1/studio/bookings/{}", ids[0]), None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        datong.api(Method::POST, &format!("/api/v1/studio/bookings/{}/cancel", ids[0]), None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        datong
            .api(
                Method::POST,
                &format!("/api/v1/studio/bookings/{}/decision", ids[0]),
                Some(json!({"decision": "approve"}))
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The secretariat declines the second: a reason is needed, and the booker reads it.
    let sec = app.login_as(Who::Secretariat).await;
    let path = format!("/api/v1/studio/bookings/{}/decision", ids[1]);
    assert_eq!(
        sec.api(Method::POST, &path, Some(json!({"decision": "decline"}))).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = sec.api(Method::POST, &path, Some(json!({"decision": "decline", "note": "当天布展"}))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, mine) = teacher.page("/me/services").await;
    assert!(mine.contains("未批准") && mine.contains("当天布展"));

    // The booker cancels the first, once; a declined one is not theirs to cancel.
    let r = teacher.api(Method::POST, &format!("/api/v1/studio/bookings/{}/cancel", ids[0]), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        teacher.api(Method::POST, &format!("/api/v1/studio/bookings/{}/cancel", ids[0]), None).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        teacher.api(Method::POST, &format!("/api/v1/studio/bookings/{}/cancel", ids[1]), None).await.status(),
        StatusCode::CONFLICT
    );

    // Within the settings' 24 hours of the start, only the secretariat cancels.
    let soon = {
        let r = teacher
            .api(Method::POST, "/api/v1/studio/bookings", Some(booking(id, &day(&app, 3), "14:00", "15:00")))
            .await;
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    };
    let start = huiyuan::storage::now_ms() + 3_600_000;
    sqlx::query("UPDATE studio_booking SET starts_at = $1, ends_at = $2 WHERE id = $3")
        .bind(start)
        .bind(start + 3_600_000)
        .bind(soon)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let r = teacher.api(Method::POST, &format!("/api/v1/studio/bookings/{soon}/cancel"), None).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("开始前 24 小时内"));
    assert_eq!(
        sec.api(Method::POST, &format!("/api/v1/studio/bookings/{soon}/cancel"), None).await.status(),
        StatusCode::OK
    );
    assert!(last_notice(&app, Who::Teacher).await.contains("已取消"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM service_use WHERE action = 'cancelled'").await, 2);
}

/// The title of the last in-app notification of `who`.
async fn last_notice(app: &TestApp, who: Who) -> String {
    let user = app.fixture.user(who);
    app.text(&format!("SELECT title FROM notification WHERE user_id = {} ORDER BY id DESC LIMIT 1", user.0))
        .await
        .unwrap_or_default()
}

/// Run the requests at the same moment: poll every one until all are done.
async fn join_all<F: std::future::Future>(futs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futs: Vec<std::pin::Pin<Box<F>>> = futs.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futs.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.into_iter().map(|o| o.expect("done")).collect()
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_answers_the_same_and_books_once() {
    let app = TestApp::spawn().await;
    let id = room(&app).await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let (secret, _) =
        huiyuan::auth::tokens::create(&mut conn, app.fixture.user(Who::Teacher), "名册同步").await.unwrap();
    drop(conn);
    let client = reqwest::Client::new();
    let post = |key: &str, body: Value| {
        client
            .post(app.url("/api/v1/studio/bookings"))
            .bearer_auth(&secret)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let body = booking(id, &day(&app, 2), "09:00", "10:00");
    let first = post("k-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    // The retry: the same answer, marked as replayed, and still one booking.
    let again = post("k-1", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM studio_booking").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'studio.book'").await, 1);
    // The same key for another request is refused; a new key is a new request (here: taken).
    let other = booking(id, &day(&app, 2), "11:00", "12:00");
    let r = post("k-1", other.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("已用于另一个请求"));
    assert_eq!(post("k-2", body.clone()).await.unwrap().status(), StatusCode::CONFLICT);
    // A refused request keeps nothing under its key: once the slot is free, the retry books.
    let first_id = first["id"].as_i64().unwrap();
    let cancel =
        client.post(app.url(&format!("/api/v1/studio/bookings/{first_id}/cancel"))).bearer_auth(&secret).send();
    assert_eq!(cancel.await.unwrap().status(), StatusCode::OK);
    assert_eq!(post("k-2", body).await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(post("k-3", other).await.unwrap().status(), StatusCode::CREATED);
}
