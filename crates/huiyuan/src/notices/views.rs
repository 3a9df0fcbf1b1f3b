//! Page templates for notices: the public list and page, and the back office.

use askama::Template;

use super::model::{Notice, NoticeInput};
use crate::error::FieldErrors;
use crate::files::StoredFile;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

pub struct NoticeItem {
    pub notice: Notice,
    pub href: String,
    pub excerpt: String,
    pub status_label: &'static str,
    pub status_tag: &'static str,
}

#[derive(Template)]
#[template(path = "notices/list.html")]
pub struct NoticeListPage {
    pub ctx: PageCtx,
    pub items: Vec<NoticeItem>,
    pub pager: Pager,
    pub q: String,
}

#[derive(Template)]
#[template(path = "notices/show.html")]
pub struct NoticePage {
    pub ctx: PageCtx,
    pub notice: Notice,
    pub body_html: String,
    pub files: Vec<(StoredFile, String)>,
    pub preview: bool,
}

#[derive(Template)]
#[template(path = "notices/admin_list.html")]
pub struct NoticeAdminListPage {
    pub ctx: PageCtx,
    pub items: Vec<NoticeItem>,
    pub pager: Pager,
    pub q: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "notices/form.html")]
pub struct NoticeFormPage {
    pub ctx: PageCtx,
    pub form: NoticeInput,
    pub errors: FieldErrors,
    pub action: String,
    /// Editing an existing notice: its id, status and files.
    pub existing: Option<ExistingNotice>,
    pub file_error: Option<String>,
    pub accepted: &'static str,
    pub max_size: String,
}

pub struct ExistingNotice {
    pub id: String,
    pub status_label: &'static str,
    pub status_tag: &'static str,
    pub is_published: bool,
    pub files: Vec<(StoredFile, String)>,
    pub public_href: String,
}
