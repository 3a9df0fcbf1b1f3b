//! A plain message e-mail: a greeting, a few lines, one link (text and HTML, in the reader's
//! language).

use askama::Template;

use super::Outgoing;
use crate::i18n::Lang;

#[derive(Template)]
#[template(path = "email/message.txt")]
struct Text<'a> {
    lang: Lang,
    name: &'a str,
    lines: &'a [String],
    link: &'a str,
    site: &'a str,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct Html<'a> {
    lang: Lang,
    name: &'a str,
    lines: &'a [String],
    link: &'a str,
    link_label: &'a str,
    site: &'a str,
}

/// The message to `to`; `link` is a full URL.
#[allow(clippy::too_many_arguments)]
pub fn message(
    lang: Lang,
    site: &str,
    to: &str,
    name: &str,
    subject: &str,
    lines: &[String],
    link: &str,
    link_label: &str,
) -> anyhow::Result<Outgoing> {
    Ok(Outgoing {
        to_address: to.to_string(),
        to_name: name.to_string(),
        subject: subject.to_string(),
        text: Text { lang, name, lines, link, site }.render()?,
        html: Html { lang, name, lines, link, link_label, site }.render()?,
    })
}
