//! Cross-cutting HTTP concerns, free of business rules: the request context and error
//! rendering, CSRF, observability, the guard ladder of extractors, page context and
//! templates helpers, pagination, flash messages, the URL table and static assets.

pub mod assets;
pub mod context;
pub mod cookies;
pub mod csrf;
pub mod extract;
pub mod flash;
pub mod idempotency;
pub mod observe;
pub mod page;
pub mod pagination;
pub mod request;
pub mod router;
pub mod throttle;
pub mod upload;

use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use crate::config::Settings;
use crate::i18n::Msg;

pub use extract::{Ctx, CurrentUser, Staff};
pub use page::{PageCtx, render, render_refused};

/// 303 See Other to `to`.
pub fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// 303 to `to`, showing `msg` at the top of that page.
pub fn redirect_flash(settings: &impl AsRef<Settings>, to: &str, msg: &Msg) -> Response {
    let mut resp = Redirect::to(to).into_response();
    resp.headers_mut().append(header::SET_COOKIE, flash::set(msg, settings.as_ref().server.secure_cookies()));
    resp
}

/// A `next=` target we are willing to send people to: a local path only — one leading `/`,
/// no back-slash, no scheme, and nothing but visible ASCII (browsers drop tabs and line
/// breaks, so `/\t/evil.example` would become `//evil.example`).
pub fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://")
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => default.to_string(),
    }
}

/// A file to download (or show inline) under its own name — Chinese names survive in every
/// browser, including messaging apps' in-app browsers (`filename*=UTF-8''…`).
pub fn download(
    bytes: impl Into<axum::body::Body>,
    content_type: &str,
    kind: &str,
    name: &str,
    cache: &'static str,
) -> Response {
    use axum::http::{HeaderValue, header};
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let mut resp = Response::new(bytes.into());
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

/// A kept document: `304 Not Modified` when the client holds this version (`If-None-Match`),
/// else the bytes; either way with its `ETag`. Shared caches may keep it, and ask again after
/// five minutes (a new settings version is a new tag).
pub fn send_kept(kept: &crate::print::Kept, if_none_match: Option<&str>) -> Response {
    use axum::http::{HeaderValue, StatusCode};
    const CACHE: &str = "public, max-age=300";
    let mut resp = if if_none_match.is_some_and(|v| kept.matches(v)) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
        resp
    } else {
        download(kept.bytes.clone(), kept.content_type, kept.disposition, &kept.name, CACHE)
    };
    if let Ok(tag) = HeaderValue::from_str(&kept.etag) {
        resp.headers_mut().insert(header::ETAG, tag);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/orgs?q=1"), "/"), "/admin/orgs?q=1");
        let evil = [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/x\ny",
            "/ /x",
        ];
        for e in evil {
            assert_eq!(safe_next(Some(e), "/me"), "/me", "{e:?}");
        }
        assert_eq!(safe_next(None, "/me"), "/me");
    }
}
