use askama::Template;

use crate::config::Association;
use crate::notices::model::Notice;
use crate::web::PageCtx;

#[derive(Template)]
#[template(path = "site/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub assoc: Association,
    pub notices: Vec<(Notice, String)>,
    pub cities: Vec<String>,
}

#[derive(Template)]
#[template(path = "site/contact.html")]
pub struct ContactPage {
    pub ctx: PageCtx,
    pub assoc: Association,
    pub cities: Vec<(String, String)>,
}

pub struct Stat {
    pub label: &'static str,
    pub value: i64,
    pub href: &'static str,
}

pub struct RecentChange {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
}

#[derive(Template)]
#[template(path = "site/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageCtx,
    pub scope_name: String,
    pub stats: Vec<Stat>,
    pub recent: Vec<RecentChange>,
    pub recent_href: &'static str,
    /// What needs doing now.
    pub todos: Vec<super::workbench::Todo>,
}
