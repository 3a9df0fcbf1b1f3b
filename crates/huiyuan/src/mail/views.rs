use askama::Template;

use super::store::MailRow;
use crate::web::PageCtx;
use crate::web::pagination::Pager;

pub struct MailItem {
    pub row: MailRow,
    pub status_label: &'static str,
    pub status_tag: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
pub struct OutboxPage {
    pub ctx: PageCtx,
    pub items: Vec<MailItem>,
    pub pager: Pager,
    pub status: String,
    pub to: String,
    pub smtp_configured: bool,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
pub struct MessagePage {
    pub ctx: PageCtx,
    pub item: MailItem,
    pub can_retry: bool,
}
