//! Notices (通知公告): public list and pages, attachment downloads, and the secretariat's
//! back office (write, publish, withdraw, attach files).

use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use super::model::{Notice, NoticeInput, NoticeStatus};
use super::query::{self, NoticeFilters};
use super::service;
use super::views::*;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::{self, Kind};
use crate::i18n::Msg;
use crate::markdown;
use crate::paths;
use crate::paths::encode_filters;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{FileId, NoticeId};
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{Ctx, PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes(upload_limit: usize) -> Routes {
    Routes::new()
        .get(paths::NOTICES, public_list)
        .get(paths::NOTICE, public_show)
        .get(paths::NOTICE_ATTACHMENT, download)
        .public()
        .get(paths::ADMIN_NOTICES, admin_list)
        .post(paths::ADMIN_NOTICES, create)
        .get(paths::ADMIN_NOTICE_NEW, new_form)
        .get(paths::ADMIN_NOTICE_EDIT, edit_form)
        .post(paths::ADMIN_NOTICE_EDIT, update)
        .post(paths::ADMIN_NOTICE_STATUS, change_status)
        // Uploads get a larger body limit than forms: a little over the file limit, so a
        // slightly-too-large file still reaches the check that explains the limit.
        .route(
            paths::ADMIN_NOTICE_FILES,
            Method::POST,
            post(upload).layer(DefaultBodyLimit::max(upload_limit + 1_048_576)),
        )
        .post(paths::ADMIN_NOTICE_FILE_DELETE, remove_file)
}

fn item(page: &PageCtx, notice: Notice, href: String) -> NoticeItem {
    let status = notice.status();
    NoticeItem {
        excerpt: markdown::excerpt(&notice.body, 90),
        status_label: page.t(status.label_key()),
        status_tag: status.tag(),
        href,
        notice,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    #[serde(flatten)]
    filters: NoticeFilters,
    #[serde(flatten)]
    page: PageQuery,
}

async fn public_list(State(state): State<AppState>, page: PageCtx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let query = q.filters.query();
    let pager = Pager::new(&q.page, paths::NOTICES, encode_filters(&[("q", &query)]));
    let mut conn = state.db.pool().acquire().await?;
    let (notices, total) = query::published(&mut conn, &q.filters, pager.offset(), pager.limit()).await?;
    let items = notices
        .into_iter()
        .map(|n| {
            let href = paths::with_id(paths::NOTICE, n.id);
            item(&page, n, href)
        })
        .collect();
    let view = NoticeListPage { ctx: page.title("notice.list_title"), items, pager: pager.with_total(total), q: query };
    Ok(render(&view)?.into_response())
}

async fn public_show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    page: PageCtx,
    Path(id): Path<NoticeId>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let (notice, preview) = query::readable(&mut conn, ctx.actor.as_ref(), id).await?;
    let files = query::files(&mut conn, id)
        .await?
        .into_iter()
        .map(|f| {
            let href = paths::fill(paths::NOTICE_ATTACHMENT, &[&id, &f.id]);
            (f, href)
        })
        .collect();
    let view = NoticePage {
        ctx: page.title_text(notice.title.clone()).crumb("notice.list_title", paths::NOTICES),
        body_html: markdown::to_safe_html(&notice.body),
        notice,
        files,
        preview,
    };
    Ok(render(&view)?.into_response())
}

async fn download(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path((id, file_id)): Path<(NoticeId, FileId)>,
) -> AppResult<Response> {
    let file = query::file(&mut *state.db.pool().acquire().await?, ctx.actor.as_ref(), id, file_id).await?;
    let bytes = state
        .files
        .get(&file.storage_key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading file {}: {e}", file.id)))?;
    let disposition = if Kind::inline(&file.content_type) { "inline" } else { "attachment" };
    Ok(crate::web::download(bytes, &file.content_type, disposition, &file.original_name, "private, max-age=3600"))
}

async fn admin_list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let query = q.filters.query();
    let pager =
        Pager::new(&q.page, paths::ADMIN_NOTICES, encode_filters(&[("q", &query), ("status", &q.filters.status)]));
    let mut conn = state.db.pool().acquire().await?;
    let (notices, total) = query::managed_list(&mut conn, &actor, &q.filters, pager.offset(), pager.limit()).await?;
    let items = notices
        .into_iter()
        .map(|n| {
            let href = paths::with_id(paths::ADMIN_NOTICE_EDIT, n.id);
            item(&page, n, href)
        })
        .collect();
    let view = NoticeAdminListPage {
        ctx: page.title("notice.admin_title").crumb("menu.notices", paths::ADMIN_NOTICES),
        items,
        pager: pager.with_total(total),
        q: query,
        status: q.filters.status,
    };
    Ok(render(&view)?.into_response())
}

/// What the notice form shows besides the page frame.
struct Editing {
    title: &'static str,
    action: String,
    form: NoticeInput,
    errors: FieldErrors,
    existing: Option<ExistingNotice>,
    file_error: Option<String>,
}

impl Editing {
    fn new_notice(form: NoticeInput, errors: FieldErrors) -> Editing {
        Editing {
            title: "notice.new_title",
            action: paths::ADMIN_NOTICES.to_string(),
            form,
            errors,
            existing: None,
            file_error: None,
        }
    }

    fn existing(id: NoticeId, form: NoticeInput, errors: FieldErrors, existing: ExistingNotice) -> Editing {
        Editing {
            title: "notice.edit_title",
            action: paths::with_id(paths::ADMIN_NOTICE_EDIT, id),
            form,
            errors,
            existing: Some(existing),
            file_error: None,
        }
    }
}

fn form_page(state: &AppState, page: PageCtx, e: Editing) -> NoticeFormPage {
    NoticeFormPage {
        ctx: page.title(e.title).crumb("notice.admin_title", paths::ADMIN_NOTICES),
        form: e.form,
        errors: e.errors,
        action: e.action,
        existing: e.existing,
        file_error: e.file_error,
        accepted: files::ACCEPTED,
        max_size: files::human_size(i64::try_from(state.settings.uploads.max_bytes).unwrap_or(i64::MAX)),
    }
}

async fn new_form(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    query::writer(&actor)?;
    let view = form_page(&state, page, Editing::new_notice(NoticeInput::default(), FieldErrors::new()));
    Ok(render(&view)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(form): Form<NoticeInput>,
) -> AppResult<Response> {
    match service::create(&state, &actor, &ctx.who(), &form).await? {
        Ok(notice) => {
            let key = if form.intent == "publish" { "flash.notice_published" } else { "flash.notice_saved" };
            Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_NOTICE_EDIT, notice.id), &Msg::new(key)))
        }
        Err(errors) => {
            let view = form_page(&state, page, Editing::new_notice(form, errors));
            render_refused(&view)
        }
    }
}

async fn existing(state: &AppState, page: &PageCtx, notice: &Notice) -> AppResult<ExistingNotice> {
    let mut conn = state.db.pool().acquire().await?;
    let files = query::files(&mut conn, notice.id)
        .await?
        .into_iter()
        .map(|f| {
            let href = paths::fill(paths::NOTICE_ATTACHMENT, &[&notice.id, &f.id]);
            (f, href)
        })
        .collect();
    let status = notice.status();
    Ok(ExistingNotice {
        id: notice.id.to_string(),
        status_label: page.t(status.label_key()),
        status_tag: status.tag(),
        is_published: status == NoticeStatus::Published,
        files,
        public_href: paths::with_id(paths::NOTICE, notice.id),
    })
}

async fn edit_form(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<NoticeId>,
) -> AppResult<Response> {
    let notice = query::managed(&state.db, &actor, id).await?;
    let ex = existing(&state, &page, &notice).await?;
    let view = form_page(&state, page, Editing::existing(id, NoticeInput::from(&notice), FieldErrors::new(), ex));
    Ok(render(&view)?.into_response())
}

async fn update(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<NoticeId>,
    Form(form): Form<NoticeInput>,
) -> AppResult<Response> {
    let notice = query::managed(&state.db, &actor, id).await?;
    match service::update(&state, &actor, &ctx.who(), &notice, &form).await? {
        Ok(()) => {
            let key = if form.intent == "publish" && !notice.is_published() {
                "flash.notice_published"
            } else {
                "flash.notice_saved"
            };
            Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_NOTICE_EDIT, id), &Msg::new(key)))
        }
        Err(errors) => {
            let ex = existing(&state, &page, &notice).await?;
            let view = form_page(&state, page, Editing::existing(id, form, errors, ex));
            render_refused(&view)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    status: String,
}

async fn change_status(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<NoticeId>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let to = service::change_status(&state, &actor, &ctx.who(), id, &form.status).await?;
    let key = if to == NoticeStatus::Published { "flash.notice_published" } else { "flash.notice_withdrawn" };
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_NOTICE_EDIT, id), &Msg::new(key)))
}

async fn upload(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<NoticeId>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let notice = query::managed(&state.db, &actor, id).await?;
    let too_large = || {
        AppError::TooLarge(
            Msg::new("err.file_too_large")
                .arg("max", files::human_size(i64::try_from(state.settings.uploads.max_bytes).unwrap_or(i64::MAX))),
        )
    };
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            upload = Some((name, bytes));
        }
    }
    let outcome = match upload {
        Some((name, bytes)) if !name.is_empty() => {
            service::add_file(&state, &actor, &ctx.who(), &notice, (&name, &bytes)).await?.map(|_| ())
        }
        _ => Err(Msg::new("err.file_missing")),
    };
    match outcome {
        Ok(()) => {
            Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_NOTICE_EDIT, id), &Msg::new("flash.file_added")))
        }
        Err(msg) => {
            let ex = existing(&state, &page, &notice).await?;
            let mut editing = Editing::existing(id, NoticeInput::from(&notice), FieldErrors::new(), ex);
            editing.file_error = Some(page.msg(&msg));
            let view = form_page(&state, page, editing);
            render_refused(&view)
        }
    }
}

async fn remove_file(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path((id, file_id)): Path<(NoticeId, FileId)>,
) -> AppResult<Response> {
    let notice = query::managed(&state.db, &actor, id).await?;
    service::remove_file(&state, &actor, &ctx.who(), &notice, file_id).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_NOTICE_EDIT, id), &Msg::new("flash.file_removed")))
}
