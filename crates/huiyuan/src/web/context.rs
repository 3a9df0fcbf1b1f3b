//! The request context middleware: who is asking (session cookie or API token), from where,
//! in which language — loaded once per request and put in the request extensions for
//! extractors — and the rendering of every error response for its audience (page, JSON, or
//! redirect).

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::observe::RequestId;
use super::page::PageCtx;
use super::request::RequestCtx;
use super::throttle::{PublicLimit, Throttle};
use super::{cookies, flash};
use crate::auth::session;
use crate::auth::{store as auth_store, tokens};
use crate::config::Settings;
use crate::error::{AppError, ErrorInfo};
use crate::i18n::{Lang, Msg};
use crate::paths;
use crate::storage::Db;

pub async fn context(
    State(db): State<Db>,
    State(settings): State<Arc<Settings>>,
    State(throttle): State<Arc<Throttle>>,
    mut req: Request,
    next: Next,
) -> Response {
    let mut ctx = bare(&settings, &req);
    // The body is not Sync: keep only the headers across the database look-ups.
    let headers = req.headers().clone();
    if let Err(e) = authenticate(&db, &settings, &headers, &mut ctx).await {
        let resp = e.into_response();
        return finish(&settings, &ctx, resp);
    }
    let ctx = Arc::new(ctx);
    req.extensions_mut().insert(ctx.clone());
    req.extensions_mut().insert(PublicLimit { throttle, per_minute: settings.security.public_per_minute });
    let resp = next.run(req).await;
    finish(&settings, &ctx, resp)
}

/// Who is asking: an API token, or a session cookie (and the account behind it).
async fn authenticate(
    db: &Db,
    settings: &Settings,
    headers: &axum::http::HeaderMap,
    ctx: &mut RequestCtx,
) -> Result<(), AppError> {
    let security = &settings.security;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        // Only our own tokens: other bearer credentials (the metrics token) are no sign-in.
        .filter(|t| t.trim().starts_with(tokens::PREFIX));
    let session_token = cookies::get(headers, session::cookie_name(settings.server.secure_cookies()));
    if bearer.is_none() && session_token.is_none() {
        return Ok(());
    }
    let mut conn = db.pool().acquire().await.map_err(|_| AppError::Unavailable)?;
    let user_id = if let Some(token) = bearer {
        let user = tokens::authenticate(&mut conn, token.trim()).await?;
        ctx.via_token = true;
        Some(user.ok_or(AppError::Unauthorized)?)
    } else if let Some(token) = session_token {
        if let Some((record, actor)) = session::load_with_actor(&mut conn, token, security).await? {
            if record.user_id.is_some() && actor.is_none() {
                // Deactivated since the session began.
                return Ok(());
            }
            ctx.session = Some(record);
            ctx.actor = actor;
        }
        None
    } else {
        None
    };
    if let Some(user_id) = user_id {
        ctx.actor = auth_store::load_actor(&mut conn, user_id).await?;
    }
    if let Some(actor) = &ctx.actor {
        ctx.lang = Lang::parse(&actor.locale).unwrap_or(ctx.lang);
    }
    Ok(())
}

/// The context of a request before any database look-up.
fn bare(settings: &Settings, req: &Request) -> RequestCtx {
    let headers = req.headers();
    let lang = cookies::get(headers, cookies::LANG)
        .and_then(Lang::parse)
        .or_else(|| Lang::parse(&settings.locale.default_language))
        .unwrap_or_default();
    let path = req.uri().path().to_string();
    RequestCtx {
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default(),
        client_addr: client_addr(req, settings.server.trust_forwarded_for),
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string(),
        is_api: path.starts_with("/api/"),
        path,
        lang,
        session: None,
        actor: None,
        via_token: false,
        flash: cookies::get(headers, cookies::FLASH).and_then(flash::parse),
    }
}

fn client_addr(req: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The rightmost entry is the one our load balancer appended; the ones before it are
            // whatever the client claimed.
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if let Some(addr) = forwarded {
            return addr.to_string();
        }
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default()
}

/// Render errors for their audience, and consume the flash message once a page shows it.
fn finish(settings: &Settings, ctx: &RequestCtx, mut resp: Response) -> Response {
    let status = resp.status();
    let info = resp.extensions_mut().remove::<ErrorInfo>();
    let info = match info {
        Some(info) => Some(info),
        None if status.is_client_error() || status.is_server_error() => fallback_info(&resp),
        None => None,
    };
    if let Some(info) = info {
        let retry_after = resp.headers().get(header::RETRY_AFTER).cloned();
        resp = if ctx.is_api {
            json_error(status, &info, ctx)
        } else if status == StatusCode::UNAUTHORIZED {
            let next = percent_encode_path(&ctx.path);
            Redirect::to(&format!("{}?next={next}", paths::SIGN_IN)).into_response()
        } else {
            error_page(settings, ctx, status, &info)
        };
        if let Some(v) = retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    let is_page = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if ctx.flash.is_some() && is_page {
        resp.headers_mut().append(header::SET_COOKIE, flash::clear(settings.server.secure_cookies()));
    }
    resp
}

/// Errors produced outside our handlers (axum's extractors, 404 and 405 of the router) carry
/// no `ErrorInfo`; give them one from the status alone, unless they are already a page.
fn fallback_info(resp: &Response) -> Option<ErrorInfo> {
    let already_rendered = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if already_rendered {
        return None;
    }
    let (code, key) = match resp.status() {
        StatusCode::NOT_FOUND => ("not_found", "error.not_found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "error.method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "error.too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "error.bad_request"),
        s if s.is_server_error() => ("internal", "error.internal"),
        _ => ("bad_request", "error.bad_request"),
    };
    Some(ErrorInfo { code, message: Msg::new(key), fields: None, current_status: None })
}

fn json_error(status: StatusCode, info: &ErrorInfo, ctx: &RequestCtx) -> Response {
    let fields = info.fields.as_ref().map(|f| {
        f.iter()
            .map(|(name, msg)| (name.to_string(), json!({ "code": msg.key, "message": ctx.lang.render(msg) })))
            .collect::<serde_json::Map<_, _>>()
    });
    let mut error = json!({
        "code": info.code,
        "message": ctx.lang.render(&info.message),
        "request_id": ctx.request_id,
    });
    if let (Some(fields), Some(obj)) = (fields, error.as_object_mut()) {
        obj.insert("fields".into(), serde_json::Value::Object(fields));
    }
    if let (Some(status), Some(obj)) = (&info.current_status, error.as_object_mut()) {
        obj.insert("current_status".into(), json!(status));
    }
    (status, axum::Json(json!({ "error": error }))).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
}

fn error_page(settings: &Settings, ctx: &RequestCtx, status: StatusCode, info: &ErrorInfo) -> Response {
    let title_key = match status {
        StatusCode::FORBIDDEN => "error.title_forbidden",
        StatusCode::NOT_FOUND => "error.title_not_found",
        StatusCode::TOO_MANY_REQUESTS => "error.title_too_many",
        s if s.is_server_error() => "error.title_internal",
        _ => "error.title_bad_request",
    };
    let page = ErrorPage {
        ctx: PageCtx::new(settings, ctx).title(title_key),
        status: status.as_u16(),
        message: ctx.lang.render(&info.message),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("rendering the error page: {e}");
            (status, "error").into_response()
        }
    }
}

fn percent_encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_./".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
