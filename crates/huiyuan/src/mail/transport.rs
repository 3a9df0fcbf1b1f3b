//! SMTP delivery with lettre (rustls; no OpenSSL).

use std::time::Duration;

use anyhow::Context as _;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use super::store::MailRow;
use crate::config::{MailSettings, SmtpSettings, SmtpTls};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    pub fn from_settings(smtp: &SmtpSettings) -> anyhow::Result<Mailer> {
        let builder = match smtp.tls {
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        };
        let mut builder = builder.port(smtp.port).timeout(Some(Duration::from_secs(20)));
        if !smtp.username.is_empty() {
            builder = builder.credentials(Credentials::new(smtp.username.clone(), smtp.password.expose().to_string()));
        }
        Ok(Mailer { transport: builder.build() })
    }

    pub async fn send(&self, mail: &MailRow, settings: &MailSettings) -> anyhow::Result<()> {
        let from: Mailbox = format!("{} <{}>", settings.from_name, settings.from_address)
            .parse()
            .context("mail.from_address is not a valid mailbox")?;
        let to: Mailbox = if mail.to_name.is_empty() {
            mail.to_address.parse()
        } else {
            format!("{} <{}>", mail.to_name, mail.to_address).parse()
        }
        .with_context(|| format!("invalid recipient {}", mail.to_address))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone()))
            .context("building the message")?;
        let _ = ContentType::TEXT_PLAIN;
        self.transport.send(message).await.context("the SMTP server did not accept the message")?;
        Ok(())
    }
}
