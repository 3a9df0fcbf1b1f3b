//! Static assets, compiled into the binary: no CDN, no font or script from the internet.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { name: "app.css", content_type: "text/css; charset=utf-8", bytes: include_bytes!("../../static/app.css") },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/app.js"),
    },
    Asset {
        name: "htmx-2.0.11.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/htmx-2.0.11.min.js"),
    },
    Asset {
        name: "htmx-LICENSE.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../static/htmx-LICENSE.txt"),
    },
    Asset { name: "emblem.svg", content_type: "image/svg+xml", bytes: include_bytes!("../../static/emblem.svg") },
];

fn etag(bytes: &[u8]) -> String {
    // FNV-1a: cheap and stable; enough to tell versions of our own files apart.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("\"{h:016x}\"")
}

/// `lang-<code>.css`: the punctuation a stylesheet puts between words (the label before a
/// value on a phone's card), from the language's catalog.
fn language_sheet(file: &str) -> Option<String> {
    let lang = crate::i18n::Lang::parse(file.strip_prefix("lang-")?.strip_suffix(".css")?)?;
    let colon = lang.t("punct.colon").replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!(":root {{ --colon: \"{colon}\"; }}\n"))
}

pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(sheet) = language_sheet(&file) {
        return Ok(respond(sheet.into_bytes(), "text/css; charset=utf-8", &headers));
    }
    let asset = ASSETS.iter().find(|a| a.name == file).ok_or(AppError::NotFound)?;
    Ok(respond(asset.bytes.to_vec(), asset.content_type, &headers))
}

fn respond(bytes: Vec<u8>, content_type: &'static str, headers: &HeaderMap) -> Response {
    let tag = etag(&bytes);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    resp
}
