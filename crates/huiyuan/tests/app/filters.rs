//! Every API list takes every filter its page takes, and answers what the page shows: the
//! pages and the API call the same queries. For each list and each of the page's filters,
//! the page and its API twin list the same things, and the filter narrows the list (so a
//! filter the API dropped would show).

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

/// The ids a page links to as `{prefix}{id}"` (each once, in page order).
fn linked_ids(html: &str, prefix: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for part in html.split(prefix).skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty()
            && part[digits.len()..].starts_with('"')
            && let Ok(id) = digits.parse()
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// The ids of an API list (`items`, or the array itself).
fn api_ids(body: &Value) -> Vec<i64> {
    let items = body.get("items").unwrap_or(body);
    items.as_array().expect("a list").iter().map(|i| i["id"].as_i64().expect("an id")).collect()
}

/// A list page and its API twin, and the filters (with a value each) the page takes.
struct Twin {
    page: &'static str,
    link: &'static str,
    api: &'static str,
    filters: Vec<(&'static str, String)>,
}

async fn check(b: &Browser, twin: &Twin) {
    let page_ids = |query: String| async move {
        let (status, html) = b.page(&format!("{}?per_page=100{query}", twin.page)).await;
        assert_eq!(status, 200, "{}{query}", twin.page);
        linked_ids(&html, twin.link)
    };
    let api = |query: String| async move {
        let r = b.api(Method::GET, &format!("{}?per_page=100{query}", twin.api), None).await;
        assert_eq!(r.status(), 200, "{}{query}", twin.api);
        api_ids(&r.json::<Value>().await.unwrap())
    };
    let everything = page_ids(String::new()).await;
    assert_eq!(everything, api(String::new()).await, "{} unfiltered", twin.api);
    for (name, value) in &twin.filters {
        let query = format!("&{name}={}", urlencode(value));
        let (on_page, in_api) = (page_ids(query.clone()).await, api(query).await);
        assert_eq!(in_api, on_page, "{}: the API's {name}={value} lists what the page lists", twin.api);
        assert_ne!(on_page, everything, "{}: {name}={value} changes the list (else this proves nothing)", twin.page);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

#[tokio::test]
async fn every_api_list_takes_each_filter_its_page_takes() {
    let app = TestApp::spawn().await;
    let (ty, dt) = (app.fixture.taiyuan, app.fixture.datong);
    let member =
        |name, org, kind, category| NewMemberSpec { name, org: Some(org), kind, category, ..Default::default() };
    let (group, _) = app.add_member(member("太原市第五中学", ty, "group", "group")).await;
    for name in ["李一", "李二"] {
        let (person, _) = app.add_member(member(name, ty, "individual", "ordinary")).await;
        app.exec(&format!(
            "INSERT INTO member_link (group_member_id, individual_member_id) VALUES ({group}, {person})"
        ))
        .await;
    }
    let (senior, _) = app.add_member(member("王高级", dt, "individual", "senior")).await;
    let (lapsed, _) = app.add_member(member("赵失效", dt, "individual", "ordinary")).await;
    app.exec(&format!("UPDATE member SET status = 'lapsed' WHERE id = {lapsed}")).await;
    app.exec(&format!("UPDATE member_term SET status = 'lapsed' WHERE member_id = {lapsed}")).await;
    // Joined in 2020 (1 June, Beijing time).
    app.exec(&format!("UPDATE member SET joined_at = 1590940800000 WHERE id = {senior}")).await;
    app.exec(&format!("UPDATE member SET marks = 'education_below' WHERE id = {senior}")).await;
    let county = app.add_county("140105", "小店区青少年科技教育协会").await;
    let sec = app.login_as(Who::Secretariat).await;
    let r = sec.post_form(&format!("/admin/orgs/{county}/activation"), &[("active", "0")]).await;
    assert_eq!(r.status(), 303);
    let datong_admin = app.fixture.user(Who::Datong);
    let r = sec.post_form(&format!("/admin/users/{datong_admin}/activation"), &[("active", "0")]).await;
    assert_eq!(r.status(), 303);
    app.add_notice("关于开展会员普查的通知", true).await;
    app.add_notice("科技辅导员培训通知", true).await;

    let twins = [
        Twin {
            page: "/admin/members",
            link: "/admin/members/",
            api: "/api/v1/members",
            filters: vec![
                ("q", "李".into()),
                ("city", ty.to_string()),
                ("category", "senior".into()),
                ("kind", "group".into()),
                ("status", "lapsed".into()),
                ("year", "2020".into()),
                ("group", group.to_string()),
                ("sort", "name".into()),
                ("mark", "education_below".into()),
            ],
        },
        Twin {
            page: "/admin/orgs",
            link: "/admin/orgs/",
            api: "/api/v1/orgs",
            filters: vec![("q", "太原".into()), ("inactive", "1".into())],
        },
        Twin {
            page: "/admin/users",
            link: "/admin/users/",
            api: "/api/v1/users",
            filters: vec![
                ("q", "李明".into()),
                ("role", "city_admin".into()),
                ("org", ty.to_string()),
                ("status", "inactive".into()),
            ],
        },
        Twin {
            page: "/admin/audit",
            link: "/admin/audit/",
            api: "/api/v1/audit",
            filters: vec![
                ("actor", "test".into()),
                ("action", "user.deactivate".into()),
                ("target", "小店".into()),
                ("target_type", "org".into()),
                ("target_id", county.to_string()),
                ("from", "2030-01-01".into()),
                ("until", "2014-01-01".into()),
            ],
        },
        Twin { page: "/notices", link: "/notices/", api: "/api/v1/notices", filters: vec![("q", "培训".into())] },
    ];
    for twin in &twins {
        check(&sec, twin).await;
    }
}
