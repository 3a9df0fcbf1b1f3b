//! Certificates: a member's card and plaque as PDF, the certificates of a list as one .zip
//! made in the background, and the public verification a certificate's QR code opens.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::AppResult;
use crate::i18n::Msg;
use crate::members::query::MemberFilters;
use crate::members::views::personal::{VerifyPage, verify_page, verify_search_page};
use crate::members::views::tools::BatchPage;
use crate::members::{cert_batch, certificates};
use crate::paths;
use crate::print::certificate::Layout;
use crate::state::{AppState, Routes};
use crate::storage::MemberId;
use crate::web::extract::Ctx;
use crate::web::{PageCtx, Staff, download, redirect_flash, render};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::VERIFY, verify)
        .get(paths::VERIFY_SEARCH, verify_search)
        .public()
        .get(paths::ADMIN_MEMBER_CERTIFICATE, |st, staff, id| pdf(st, staff, id, Layout::Card))
        .get(paths::ADMIN_MEMBER_PLAQUE, |st, staff, id| pdf(st, staff, id, Layout::Plaque))
        .post(paths::ADMIN_CERTIFICATES, request_batch)
        .get(paths::ADMIN_CERTIFICATE_BATCH, batch)
        .get(paths::ADMIN_CERTIFICATE_BATCH_ZIP, batch_zip)
}

async fn pdf(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<MemberId>,
    layout: Layout,
) -> AppResult<Response> {
    let (bytes, name) = certificates::for_staff(&state, &actor, &ctx.who(), id, layout).await?;
    Ok(download(bytes, "application/pdf", "inline", &name, "private, no-store"))
}

/// Ask for the certificates of the list's active members (the list's filters).
async fn request_batch(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Query(filters): Query<MemberFilters>,
) -> AppResult<Response> {
    let id = cert_batch::request(&state, &actor, &ctx.who(), &filters).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_CERTIFICATE_BATCH, id),
        &Msg::new("flash.certificates_queued"),
    ))
}

async fn batch(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let b = cert_batch::visible(&state, &actor, id).await?;
    let percent = if b.total > 0 { b.done * 100 / b.total } else { 0 };
    let progress = page.msg(&Msg::new("certs.progress").arg("done", b.done).arg("total", b.total));
    Ok(render(&BatchPage {
        progress,
        ctx: page.title("certs.title").crumb("menu.registry", paths::ADMIN_MEMBERS),
        b,
        percent,
    })?
    .into_response())
}

async fn batch_zip(State(state): State<AppState>, Staff(actor, _): Staff, Path(id): Path<i64>) -> AppResult<Response> {
    let (bytes, name) = cert_batch::zip_file(&state, &actor, id).await?;
    Ok(download(bytes, "application/zip", "attachment", &name, "private, no-store"))
}

#[derive(Debug, Deserialize, Default)]
struct VerifyQuery {
    #[serde(default)]
    s: String,
}

/// Public verification of a member number (and the certificate serial from its QR code).
async fn verify(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Path(number): Path<String>,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let verdict = certificates::verify(&state, &ctx.client_addr, &number, &q.s).await?;
    uncached(&verify_page(&state.settings, page, verdict, String::new()))
}

/// A verification page, which no cache may keep (a certificate can be revoked any time).
fn uncached(view: &VerifyPage) -> AppResult<Response> {
    let mut resp = render(view)?.into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[derive(Debug, Deserialize, Default)]
struct SearchQuery {
    /// A member number or a certificate's serial, as typed.
    #[serde(default)]
    n: String,
}

/// Verification by typing: the number or the certificate's printed serial into a box.
async fn verify_search(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let view = if q.n.trim().is_empty() {
        verify_search_page(&state.settings, page)
    } else {
        let verdict = certificates::verify(&state, &ctx.client_addr, &q.n, "").await?;
        verify_page(&state.settings, page, verdict, q.n)
    };
    uncached(&view)
}
