//! Webhooks: a JSON body signed as Stripe signs its webhooks, or a body a
//! Slack or Mattermost incoming webhook shows as a message. Connect and
//! response timeouts; redirects are not followed (a webhook that moved is
//! a configuration to fix, not a place to send notifications to).

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::config::{NotifyConfig, WebhookFormat};

/// The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC>`.
pub const SIGNATURE: &str = "X-Tandem-Signature";
/// The header carrying the delivery id, the same on every retry.
pub const DELIVERY: &str = "X-Tandem-Delivery";

/// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the secret.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The body of one delivery.
pub struct Body<'a> {
    pub id: &'a str,
    pub event: &'a str,
    pub match_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    /// Who and what, with the link.
    pub text: &'a str,
    pub link: &'a str,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

/// Escapes what Slack's and Mattermost's message format treats as markup.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub struct Hooks {
    client: reqwest::Client,
    secret: Option<SecretString>,
    format: WebhookFormat,
}

impl Hooks {
    /// `None` when no webhook URL is configured.
    pub fn new(config: &NotifyConfig) -> anyhow::Result<Option<Self>> {
        if config.webhook_urls.is_empty() {
            return Ok(None);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(config.send_timeout)
            .timeout(config.send_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tandem/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("webhook client: {e}"))?;
        Ok(Some(Self {
            client,
            secret: config.webhook_secret.clone(),
            format: config.webhook_format,
        }))
    }

    /// The bytes sent for `body` in the configured format.
    pub fn encode(&self, body: &Body<'_>) -> Vec<u8> {
        let json = match self.format {
            WebhookFormat::Json => serde_json::json!({
                "id": body.id,
                "event": body.event,
                "matchId": body.match_id,
                "requestId": body.request_id,
                "text": format!("{} {}", body.text, body.link),
                "link": body.link,
                "occurredAt": body.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }),
            WebhookFormat::Slack => serde_json::json!({
                "text": format!("{} <{}|Open in Tandem>", slack_escape(body.text), body.link),
            }),
        };
        json.to_string().into_bytes()
    }

    /// Posts one delivery; the error is safe to store and show the OSPO (it
    /// never quotes the URL, whose path may be a token).
    pub async fn send(&self, url: &str, delivery_id: &str, bytes: Vec<u8>) -> Result<(), String> {
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(DELIVERY, delivery_id);
        if let Some(secret) = &self.secret {
            let t = chrono::Utc::now().timestamp();
            request = request.header(
                SIGNATURE,
                signature(secret.expose_secret().as_bytes(), t, &bytes),
            );
        }
        let response = request.body(bytes).send().await.map_err(|e| {
            if e.is_timeout() {
                "the receiver did not answer in time".to_owned()
            } else if e.is_connect() {
                "could not connect to the receiver".to_owned()
            } else {
                format!("request failed: {}", e.without_url())
            }
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered HTTP {}", status.as_u16()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_stripe_shaped_and_covers_time_and_body() {
        let sig = signature(b"whsec", 1_700_000_000, b"{\"a\":1}");
        let (t, v1) = sig.split_once(',').expect("two parts");
        assert_eq!(t, "t=1700000000");
        let hex = v1.strip_prefix("v1=").expect("v1");
        assert_eq!(hex.len(), 64);
        assert_ne!(sig, signature(b"whsec", 1_700_000_001, b"{\"a\":1}"));
        assert_ne!(sig, signature(b"whsec", 1_700_000_000, b"{\"a\":2}"));
        assert_ne!(sig, signature(b"other", 1_700_000_000, b"{\"a\":1}"));
    }

    #[test]
    fn a_known_vector() {
        // HMAC-SHA256("key", "1.body"), computed independently with openssl.
        assert_eq!(
            signature(b"key", 1, b"body"),
            "t=1,v1=91b5374b153842ad05b2c4eab9349b8321b14703165bd3fb8b034dfb8be98ae5"
        );
    }

    #[test]
    fn slack_markup_is_escaped() {
        assert_eq!(slack_escape("<b> & co"), "&lt;b&gt; &amp; co");
    }
}
