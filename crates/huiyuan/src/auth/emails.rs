//! E-mails about accounts, rendered in the recipient's language (text + HTML pair).

use askama::Template;

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::mail::Outgoing;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct ResetText<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
    minutes: i64,
    site: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct ResetHtml<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
    minutes: i64,
    site: &'a str,
}

pub fn password_reset(
    state: &AppState,
    lang: Lang,
    name: &str,
    to: &str,
    link: &str,
    minutes: i64,
) -> AppResult<Outgoing> {
    let site = state.settings.association.name.as_str();
    let text = ResetText { lang, name, link, minutes, site }.render().map_err(anyhow::Error::from)?;
    let html = ResetHtml { lang, name, link, minutes, site }.render().map_err(anyhow::Error::from)?;
    Ok(Outgoing {
        to_address: to.to_string(),
        to_name: name.to_string(),
        subject: format!("{} - {}", lang.t("email.reset_subject"), site),
        text,
        html,
    })
}
