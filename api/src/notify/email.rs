//! Email over SMTP: messages built with lettre, sent on the connections of
//! `smtp` (`TANDEM_SMTP_URL` as lettre's `from_url` reads it: `smtps://`
//! implicit TLS, `smtp://…?tls=required` STARTTLS, plain `smtp://` for a
//! relay on the local network), from `TANDEM_MAIL_FROM`, with the delivery
//! id as the `Message-ID` so a receiver can drop a duplicate.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use secrecy::ExposeSecret;

use super::render::Email;
use super::smtp::Smtp;
use crate::config::NotifyConfig;

pub struct Mailer {
    smtp: Smtp,
    from: Mailbox,
    /// The right-hand side of Message-IDs: the public URL's host.
    domain: String,
}

impl Mailer {
    /// `None` when email is off; an error names the setting at fault.
    pub fn new(config: &NotifyConfig) -> anyhow::Result<Option<Self>> {
        let (Some(url), Some(from)) = (&config.smtp_url, &config.mail_from) else {
            return Ok(None);
        };
        let smtp = Smtp::new(url.expose_secret(), config.send_timeout)
            .map_err(|e| anyhow::anyhow!("TANDEM_SMTP_URL: {e}"))?;
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("TANDEM_MAIL_FROM: {e}"))?;
        let domain = config
            .public_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("tandem")
            .to_owned();
        Ok(Some(Self { smtp, from, domain }))
    }

    /// Closes SMTP connections left idle too long.
    pub fn close_idle(&self) {
        self.smtp.close_idle();
    }

    /// Sends one email; the error is safe to store and show the OSPO.
    pub async fn send(
        &self,
        delivery_id: &str,
        to_name: &str,
        address: &str,
        email: Email,
    ) -> Result<(), String> {
        let to = Mailbox::new(
            Some(to_name.to_owned()),
            address
                .parse()
                .map_err(|e| format!("the recipient's address is not valid: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .message_id(Some(format!("<{delivery_id}@{}>", self.domain)))
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.smtp
            .send(message.envelope(), &message.formatted())
            .await
    }
}
