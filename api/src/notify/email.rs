//! Email over SMTP with lettre: `TANDEM_SMTP_URL` as lettre's `from_url`
//! reads it (`smtps://` implicit TLS, `smtp://…?tls=required` STARTTLS,
//! plain `smtp://` for a relay on the local network), from
//! `TANDEM_MAIL_FROM`, with the delivery id as the `Message-ID` so a
//! receiver can drop a duplicate.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::render::Email;
use crate::config::NotifyConfig;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            // lettre's message quotes the URL's parts, never the password.
            .map_err(|e| anyhow::anyhow!("TANDEM_SMTP_URL: {e}"))?
            .timeout(Some(config.send_timeout))
            .build();
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
        Ok(Some(Self {
            transport,
            from,
            domain,
        }))
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
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}
