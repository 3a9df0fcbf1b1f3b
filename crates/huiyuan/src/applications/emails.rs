//! E-mails to applicants about their application (text + HTML, in their language).

use askama::Template;

use super::state::Status;
use crate::error::AppResult;
use crate::i18n::{Lang, Msg};
use crate::mail::Outgoing;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "email/application_update.txt")]
struct UpdateText<'a> {
    lang: Lang,
    name: &'a str,
    application: &'a str,
    status: &'a str,
    next: &'a str,
    note: &'a str,
    link: &'a str,
    site: &'a str,
}

#[derive(Template)]
#[template(path = "email/application_update.html")]
struct UpdateHtml<'a> {
    lang: Lang,
    name: &'a str,
    application: &'a str,
    status: &'a str,
    next: &'a str,
    note: &'a str,
    link: &'a str,
    site: &'a str,
}

#[allow(clippy::too_many_arguments)]
pub fn status_changed(
    state: &AppState,
    lang: Lang,
    name: &str,
    to: &str,
    application: &str,
    status: Status,
    note: &str,
    path: &str,
) -> AppResult<Outgoing> {
    let site = state.settings.association.name.as_str();
    let link = format!("{}{path}", state.settings.server.base_url);
    let status_label = lang.t(status.label_key());
    let next = lang.t(status.next_step_key());
    let text = UpdateText { lang, name, application, status: status_label, next, note, link: &link, site }
        .render()
        .map_err(anyhow::Error::from)?;
    let html = UpdateHtml { lang, name, application, status: status_label, next, note, link: &link, site }
        .render()
        .map_err(anyhow::Error::from)?;
    Ok(Outgoing {
        to_address: to.to_string(),
        to_name: name.to_string(),
        subject: lang.render(&Msg::new("app.notify_title").arg("status", status_label)),
        text,
        html,
    })
}
