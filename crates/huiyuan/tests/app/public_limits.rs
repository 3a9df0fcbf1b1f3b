//! Public routes that do work: the blank forms rendered once and revalidated by their tag, and
//! a per-address limit on every public route that reads the database or renders, which
//! signed-in staff never meet.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_blank_form_carries_its_tag_and_a_client_that_has_it_gets_304() {
    let app = TestApp::spawn().await;
    let visitor = app.anonymous().await;
    let first = visitor.get("/forms/individual.pdf").await;
    assert_eq!(first.status(), StatusCode::OK);
    let tag = header(&first, "etag");
    assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34, "{tag:?}");
    let pdf = first.bytes().await.unwrap();

    // Asked again: the same bytes under the same tag (kept, not drawn anew).
    let again = visitor.get("/forms/individual.pdf").await;
    assert_eq!(header(&again, "etag"), tag);
    assert_eq!(again.bytes().await.unwrap(), pdf);

    // A client (or cache) holding this version is told it is still good, with no body.
    let r = visitor.client.get(format!("{}/forms/individual.pdf", app.base)).header("If-None-Match", &tag).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&r, "etag"), tag);
    assert!(r.bytes().await.unwrap().is_empty());
    // An old version gets the document.
    let r = visitor.client.get(format!("{}/forms/individual.pdf", app.base)).header("If-None-Match", "\"0ld\"").send();
    assert_eq!(r.await.unwrap().status(), StatusCode::OK);

    // Each form has its own tag.
    let tags: Vec<String> = futures_util::future::join_all(
        ["/forms/individual.xlsx", "/forms/group.pdf", "/forms/group.xlsx"].map(|p| visitor.get(p)),
    )
    .await
    .iter()
    .map(|r| header(r, "etag"))
    .collect();
    assert!(tags.iter().all(|t| t.len() == 34 && *t != tag), "{tags:?}");
    assert!(tags[0] != tags[1] && tags[1] != tags[2]);
}

#[tokio::test]
async fn an_address_over_the_public_limit_is_asked_to_wait_and_staff_never_are() {
    let app = TestApp::spawn_with(|s| s.security.public_per_minute = 30).await;
    // Signing in is public too: these count against the address before the loop below.
    let staff = app.login_as(Who::Taiyuan).await;
    let member = app.login_as(Who::Teacher).await;
    let visitor = app.anonymous().await;

    let mut answered = 0;
    let mut refused = None;
    for i in 0..40 {
        let path = ["/", "/forms/individual.pdf", "/notices", "/contact"][i % 4];
        let r = visitor.get(path).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        answered += 1;
    }
    let refused = refused.expect("the limit was never reached");
    assert!((20..=30).contains(&answered), "{answered} answered before the limit");
    assert_eq!(header(&refused, "retry-after"), "60");
    let page = refused.text().await.unwrap();
    assert!(page.contains("请稍后再试") && page.contains("访问过于频繁") && page.contains("<html"), "{page}");

    // The public API says it in its own shape.
    let r = visitor.api(reqwest::Method::GET, "/api/v1/notices", None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "too_many_requests");
    // A member signed in from the same address shares its limit …
    assert_eq!(member.get("/").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // … routes that do no work are not limited …
    assert_eq!(visitor.get("/static/app.css").await.status(), StatusCode::OK);
    // … and signed-in staff are not counted, on public routes or their own.
    for path in ["/", "/forms/individual.pdf", "/notices", "/admin"].iter().cycle().take(60) {
        assert_eq!(staff.get(path).await.status(), StatusCode::OK, "{path}");
    }
}
