//! `PageCtx`: what every page template needs besides its own data — language, the signed-in
//! user's badge, the CSRF token, the flash message, breadcrumbs and the back-office menu —
//! and the helpers templates call (`ctx.t("key")`, `ctx.date(ms)`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::Html;
use time::{OffsetDateTime, UtcOffset};

use super::request::RequestCtx;
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::paths;

/// A whole number however deeply a template borrowed it (`i64`, `&i64`, `&&i64`).
pub trait Int {
    fn int(&self) -> i64;
}

impl Int for i64 {
    fn int(&self) -> i64 {
        *self
    }
}

impl Int for usize {
    fn int(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: Int + ?Sized> Int for &T {
    fn int(&self) -> i64 {
        (**self).int()
    }
}

pub struct UserBadge {
    pub name: String,
    /// e.g. 市协会管理员
    pub role: &'static str,
    /// e.g. 太原市
    pub scope: String,
    pub is_staff: bool,
}

pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

pub struct MenuGroup {
    pub label: &'static str,
    pub items: Vec<MenuItem>,
}

pub struct PageCtx {
    pub lang: Lang,
    /// The association's name in the reader's language; `site_short` on a phone's header.
    pub site_name: String,
    pub site_short: String,
    pub user: Option<UserBadge>,
    pub csrf: String,
    pub flash: Option<String>,
    pub request_id: String,
    pub path: String,
    pub title: String,
    pub crumbs: Vec<Crumb>,
    pub menu: Vec<MenuGroup>,
    offset: UtcOffset,
}

impl PageCtx {
    pub fn new(settings: &Settings, ctx: &RequestCtx) -> PageCtx {
        let lang = ctx.lang;
        let user = ctx.actor.as_ref().map(|a| badge(a, lang));
        let offset = settings.locale.utc_offset();
        PageCtx {
            lang,
            site_name: lang.pick(&settings.association.name, &settings.association.english_name).to_string(),
            site_short: lang
                .pick(&settings.association.short_name, &settings.association.english_short_name)
                .to_string(),
            user,
            csrf: ctx.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default(),
            flash: ctx.flash.as_ref().map(|m| lang.render(m)),
            request_id: ctx.request_id.clone(),
            path: ctx.path.clone(),
            title: String::new(),
            crumbs: Vec::new(),
            menu: ctx.actor.as_ref().filter(|a| a.is_staff()).map(|a| menu(a, &ctx.path)).unwrap_or_default(),
            offset,
        }
    }

    /// Set the page title (a catalog key); it also ends the breadcrumb trail.
    pub fn title(mut self, key: &'static str) -> Self {
        self.title = self.lang.t(key).to_string();
        self
    }

    /// Set a title that is data (a notice's title, a person's name).
    pub fn title_text(mut self, text: impl Into<String>) -> Self {
        self.title = text.into();
        self
    }

    /// Add a breadcrumb (a catalog key) linking to `href`.
    pub fn crumb(mut self, key: &'static str, href: &str) -> Self {
        self.crumbs.push(Crumb { label: self.lang.t(key).to_string(), href: Some(href.to_string()) });
        self
    }

    /// Add a breadcrumb whose label is data.
    pub fn crumb_text(mut self, label: impl Into<String>, href: &str) -> Self {
        self.crumbs.push(Crumb { label: label.into(), href: Some(href.to_string()) });
        self
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn msg(&self, msg: &Msg) -> String {
        self.lang.render(msg)
    }

    /// A field's message: a bare "required" names the field ("请填写姓名").
    pub fn field_msg(&self, msg: &Msg, label_key: &str) -> String {
        if msg.key == "err.required" {
            self.lang.render(&Msg::new("err.required_named").arg("field", self.t(label_key)))
        } else {
            self.lang.render(msg)
        }
    }

    /// A message with one named argument, from a template.
    pub fn t1(&self, key: &'static str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.lang.render(&Msg::new(key).arg(name, value))
    }

    /// A message with one `{n}` argument, from a template.
    pub fn tn(&self, key: &'static str, n: impl Int) -> String {
        self.lang.render(&Msg::new(key).arg("n", self.num(n)))
    }

    /// "请修改以下 3 处错误" above a form with several errors.
    pub fn error_summary(&self, errors: &crate::error::FieldErrors) -> String {
        self.lang.render(&Msg::new("form.error_count").arg("n", errors.len()))
    }

    /// 2026-03-31 (local time).
    pub fn date(&self, ms: impl Int) -> String {
        let t = self.local(ms.int());
        format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
    }

    /// 2026-03-31 14:05 (local time).
    pub fn datetime(&self, ms: impl Int) -> String {
        let ms = ms.int();
        let t = self.local(ms);
        format!("{} {:02}:{:02}", self.date(ms), t.hour(), t.minute())
    }

    pub fn opt_datetime(&self, ms: &Option<i64>) -> String {
        ms.map(|m| self.datetime(m)).unwrap_or_else(|| "—".to_string())
    }

    /// 2026年3月31日 in Chinese, March 31, 2026 in English (documents, notices).
    pub fn long_date(&self, ms: impl Int) -> String {
        let t = self.local(ms.int());
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", t.year(), u8::from(t.month()), t.day()),
            Lang::En => format!("{} {}, {}", t.month(), t.day(), t.year()),
        }
    }

    /// 1,234,567
    pub fn num(&self, n: impl Int) -> String {
        crate::text::thousands(n.int())
    }

    /// The other language, for the switcher.
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn lang_href(&self) -> String {
        format!("{}?next={}", paths::with_id(paths::LANG, self.other_lang().code()), self.path)
    }

    fn local(&self, ms: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(self.offset)
    }
}

impl<S> FromRequestParts<S> for PageCtx
where
    S: Send + Sync,
    Arc<Settings>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts
            .extensions
            .get::<Arc<RequestCtx>>()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request context missing")))?;
        Ok(PageCtx::new(&Arc::<Settings>::from_ref(state), ctx))
    }
}

/// Render a template into a response.
pub fn render(t: &impl Template) -> AppResult<Html<String>> {
    t.render().map(Html).map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a page: {e}")))
}

/// Render a form page sent back with what was typed and what is wrong with it (422).
pub fn render_refused(t: &impl Template) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(t)?).into_response())
}

fn badge(actor: &Actor, lang: Lang) -> UserBadge {
    let grant = actor.primary_grant();
    UserBadge {
        name: actor.display_name.clone(),
        role: lang.t(grant.map(|g| g.role.label_key()).unwrap_or("role.member")),
        // A member's or applicant's role is held at the root: their city is on their home.
        scope: grant
            .filter(|g| !g.role.is_province_wide() && g.role != crate::auth::Role::Member)
            .map(|g| g.org_name.clone())
            .unwrap_or_default(),
        is_staff: actor.is_staff(),
    }
}

/// The back-office menu, grouped by task, showing only what the actor may open.
fn menu(actor: &Actor, path: &str) -> Vec<MenuGroup> {
    let item = |label, href: &'static str| MenuItem {
        label,
        href,
        active: path == href || (href != paths::ADMIN && path.starts_with(&format!("{href}/"))),
    };
    let mut groups = vec![MenuGroup { label: "menu.workbench", items: vec![item("menu.dashboard", paths::ADMIN)] }];
    let mut joining = vec![item("menu.applications", paths::ADMIN_APPLICATIONS)];
    if actor.can_view_batches() {
        joining.push(item("menu.batches", paths::ADMIN_BATCHES));
    }
    if actor.can_view_council() {
        joining.push(item("menu.council", paths::ADMIN_COUNCIL));
    }
    groups.push(MenuGroup { label: "menu.joining", items: joining });
    if actor.can_view_members() {
        groups.push(MenuGroup {
            label: "menu.registry",
            items: vec![
                MenuItem {
                    active: path == paths::ADMIN_MEMBERS
                        || (path.starts_with("/admin/members/") && !path.starts_with(paths::ADMIN_DUPLICATES)),
                    ..item("menu.members", paths::ADMIN_MEMBERS)
                },
                item("menu.duplicates", paths::ADMIN_DUPLICATES),
                item("menu.census", paths::ADMIN_CENSUSES),
            ],
        });
    }
    if actor.can_view_targets() {
        groups.push(MenuGroup {
            label: "menu.targets",
            items: vec![item("menu.progress", paths::ADMIN_PROGRESS), item("menu.target_list", paths::ADMIN_TARGETS)],
        });
    }
    if actor.can_manage_studio() {
        groups.push(MenuGroup { label: "services.menu", items: vec![item("studio.title", paths::ADMIN_STUDIO)] });
    }
    if actor.can_manage_notices() {
        groups.push(MenuGroup { label: "menu.notices", items: vec![item("menu.notice_admin", paths::ADMIN_NOTICES)] });
    }
    let mut system = Vec::new();
    if actor.org_scope() != crate::auth::OrgScope::Nothing {
        system.push(item("menu.orgs", paths::ADMIN_ORGS));
    }
    if actor.can_list_users() {
        system.push(item("menu.users", paths::ADMIN_USERS));
    }
    if actor.can_read_audit() {
        system.push(item("menu.audit", paths::ADMIN_AUDIT));
    }
    if actor.can_read_outbox() {
        system.push(item("menu.outbox", paths::ADMIN_OUTBOX));
    }
    if actor.can_use_webhooks() {
        system.push(item("menu.webhooks", paths::ADMIN_WEBHOOKS));
    }
    if !system.is_empty() {
        groups.push(MenuGroup { label: "menu.system", items: system });
    }
    groups.push(MenuGroup {
        label: "menu.account",
        items: vec![item("menu.me", paths::ME), item("menu.notifications", paths::ME_NOTIFICATIONS)],
    });
    groups
}
