//! Signing keys fetched from the identity provider and kept fresh.
//!
//! The JWKS URL is configured (`TANDEM_JWT_JWKS_URL`) or found through
//! OpenID Connect discovery (`TANDEM_OIDC_ISSUER`). The set is fetched at
//! start-up, again at the interval its `Cache-Control: max-age` gives, and at
//! once when a token names an unknown `kid` (at most once per
//! [`UNKNOWN_KID_COOLDOWN`], so random `kid`s cannot make us hammer the
//! provider). A failed fetch keeps the last good set. Fetches are serialised
//! by one lock, so a burst of tokens signed with a new key costs one fetch.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use reqwest::Url;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_LENGTH};
use tokio::sync::watch;

use super::keyset::{self, KeySet};
use crate::config::JwtAlgorithm;

/// Least time between two fetches caused by unknown `kid`s.
pub const UNKNOWN_KID_COOLDOWN: Duration = Duration::from_secs(30);
/// Refresh interval without a usable `max-age`.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(3600);
/// Bounds on the refresh interval a provider's `max-age` may set.
pub const MIN_REFRESH: Duration = Duration::from_secs(300);
pub const MAX_REFRESH: Duration = Duration::from_secs(86_400);
/// After a failed scheduled fetch, the next try comes this much later.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);
/// Largest JWKS or discovery document read; real ones are a few KiB.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the key set is found.
#[derive(Clone, Debug)]
pub enum Origin {
    /// `TANDEM_JWT_JWKS_URL`.
    Jwks(Url),
    /// `TANDEM_OIDC_ISSUER`: the JWKS URL comes from its discovery document.
    Issuer(String),
}

impl Origin {
    pub fn variable(&self) -> &'static str {
        match self {
            Self::Jwks(_) => "TANDEM_JWT_JWKS_URL",
            Self::Issuer(_) => "TANDEM_OIDC_ISSUER",
        }
    }
}

/// Refuses a URL Tandem would fetch keys from unless it is HTTPS, or plain
/// HTTP to a loopback address (tests and a provider on the same host).
pub fn fetchable(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
    let loopback = url.host_str().is_some_and(|host| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!(
            "{raw:?} must be an https:// URL (http:// only to a loopback address)"
        )),
    }
}

/// The refresh interval a `Cache-Control` header asks for, bounded.
pub fn refresh_interval(cache_control: Option<&str>) -> Duration {
    let max_age = cache_control.and_then(|value| {
        value.split(',').find_map(|directive| {
            let (name, seconds) = directive.trim().split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("max-age")
                .then(|| seconds.trim().trim_matches('"').parse::<u64>().ok())
                .flatten()
        })
    });
    match max_age {
        Some(seconds) => Duration::from_secs(seconds).clamp(MIN_REFRESH, MAX_REFRESH),
        None => DEFAULT_REFRESH,
    }
}

/// Figures for `/metrics`, shared with the registry.
#[derive(Default)]
pub struct Stats {
    pub refreshes: Counter,
    pub failures: Counter,
    pub keys: Gauge,
    /// Unix seconds of the last good fetch; 0 before the first.
    last_good: AtomicU64,
}

impl Stats {
    /// Seconds since the last good fetch, or since `started` before any.
    pub fn seconds_since_refresh(&self, started: Instant) -> u64 {
        match self.last_good.load(Ordering::Relaxed) {
            0 => started.elapsed().as_secs(),
            at => unix_now().saturating_sub(at),
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The provider's key set, its fetching and its figures.
pub struct RemoteKeys {
    origin: Origin,
    alg: JwtAlgorithm,
    client: reqwest::Client,
    /// Found by discovery once, then kept.
    jwks_url: Mutex<Option<Url>>,
    keys: RwLock<Arc<KeySet>>,
    /// Held while fetching; holds when an unknown `kid` last caused a fetch.
    fetching: tokio::sync::Mutex<Option<Instant>>,
    /// The wait before the next scheduled fetch, set by the last fetch.
    next_refresh: Mutex<Duration>,
    pub stats: Stats,
}

impl RemoteKeys {
    pub fn new(origin: Origin, alg: JwtAlgorithm) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(RESPONSE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tandem/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("key set client: {e}"))?;
        Ok(Self {
            jwks_url: Mutex::new(match &origin {
                Origin::Jwks(url) => Some(url.clone()),
                Origin::Issuer(_) => None,
            }),
            origin,
            alg,
            client,
            keys: RwLock::default(),
            fetching: tokio::sync::Mutex::new(None),
            next_refresh: Mutex::new(DEFAULT_REFRESH),
            stats: Stats::default(),
        })
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub(crate) fn current(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// How long the refresher waits before its next fetch, as the last
    /// fetch set it (the bounded `max-age`, or the retry delay after a failure).
    pub fn next_refresh(&self) -> Duration {
        *self.next_refresh.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether any key has been loaded yet (a lazy start may have none).
    pub fn is_loaded(&self) -> bool {
        !self.current().is_empty()
    }

    /// The first fetch, at start-up.
    pub async fn load(&self) -> Result<(), String> {
        let _fetching = self.fetching.lock().await;
        self.refresh().await
    }

    /// The key named `kid`; an unknown one causes a fetch unless one was
    /// caused less than [`UNKNOWN_KID_COOLDOWN`] ago.
    pub async fn key(&self, kid: &str) -> Option<DecodingKey> {
        if let Some(key) = self.current().get(kid) {
            return Some(key.clone());
        }
        let mut last = self.fetching.lock().await;
        // Whoever held the lock may just have fetched the key we need.
        if let Some(key) = self.current().get(kid) {
            return Some(key.clone());
        }
        if last.is_some_and(|at| at.elapsed() < UNKNOWN_KID_COOLDOWN) {
            return None;
        }
        *last = Some(Instant::now());
        tracing::info!(
            source = self.origin.variable(),
            "a token names an unknown kid: fetching the signing keys"
        );
        let _ = self.refresh().await;
        self.current().get(kid).cloned()
    }

    /// Fetches the set; on failure keeps the last good one. The caller
    /// holds `fetching`.
    async fn refresh(&self) -> Result<(), String> {
        match self.fetch().await {
            Ok((keys, interval)) => {
                let count = keys.len();
                *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys);
                *self.next_refresh.lock().unwrap_or_else(|p| p.into_inner()) = interval;
                self.stats.refreshes.inc();
                self.stats.keys.set(count as i64);
                self.stats.last_good.store(unix_now(), Ordering::Relaxed);
                tracing::info!(
                    source = self.origin.variable(),
                    keys = count,
                    next_in_seconds = interval.as_secs(),
                    "signing keys fetched"
                );
                Ok(())
            }
            Err(reason) => {
                *self.next_refresh.lock().unwrap_or_else(|p| p.into_inner()) = RETRY_AFTER_FAILURE;
                self.stats.failures.inc();
                tracing::warn!(
                    source = self.origin.variable(),
                    error = %reason,
                    keys_kept = self.current().len(),
                    "fetching the signing keys failed; the last good set stays in use"
                );
                Err(reason)
            }
        }
    }

    async fn fetch(&self) -> Result<(KeySet, Duration), String> {
        let url = self.jwks_url().await?;
        let (body, cache_control) = self.get(&url).await?;
        let keys = keyset::parse(&body, self.alg, url.host_str().unwrap_or(""))
            .map_err(|e| format!("{url}: {e}"))?;
        Ok((keys, refresh_interval(cache_control.as_deref())))
    }

    /// The JWKS URL, found through discovery the first time for an issuer.
    async fn jwks_url(&self) -> Result<Url, String> {
        if let Some(url) = self
            .jwks_url
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(url);
        }
        let Origin::Issuer(issuer) = &self.origin else {
            unreachable!("a JWKS URL origin starts with its URL")
        };
        let url = discover(self, issuer).await?;
        *self.jwks_url.lock().unwrap_or_else(|p| p.into_inner()) = Some(url.clone());
        Ok(url)
    }

    /// GETs `url`: a 2xx body of at most [`MAX_BODY_BYTES`], and its
    /// `Cache-Control`. Redirects are refused, not followed.
    async fn get(&self, url: &Url) -> Result<(Vec<u8>, Option<String>), String> {
        let mut response = self
            .client
            .get(url.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            // The error's text names the URL and the cause, never a secret.
            .map_err(|e| format!("{url}: {}", without_url(&e)))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(format!(
                "{url} answered {status}, a redirect, which is not followed"
            ));
        }
        if !status.is_success() {
            return Err(format!("{url} answered {status}"));
        }
        let too_big = || format!("{url}: the body is larger than {MAX_BODY_BYTES} bytes");
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(too_big());
        }
        let cache_control = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{url}: {}", without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, cache_control))
    }

    /// Refreshes at the interval the last fetch set until `shutdown`.
    pub fn spawn_refresher(
        self: Arc<Self>,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                let wait = self.next_refresh();
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => break,
                }
                if *shutdown.borrow() {
                    break;
                }
                let _fetching = self.fetching.lock().await;
                let _ = self.refresh().await;
            }
        })
    }
}

/// The error's cause chain without the URL reqwest puts in front (we name
/// the URL ourselves, once).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The issuer's discovery document: its `issuer` must equal ours exactly
/// (OpenID Connect Discovery §4.3), its `jwks_uri` must be fetchable.
async fn discover(keys: &RemoteKeys, issuer: &str) -> Result<Url, String> {
    #[derive(serde::Deserialize)]
    struct Discovery {
        issuer: String,
        jwks_uri: String,
    }
    let url = fetchable(&format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    ))?;
    let (body, _) = keys.get(&url).await?;
    let document: Discovery = serde_json::from_slice(&body)
        .map_err(|e| format!("{url}: not an OpenID Connect discovery document: {e}"))?;
    if document.issuer != issuer {
        return Err(format!(
            "{url} names the issuer {:?}, not TANDEM_OIDC_ISSUER {issuer:?}",
            document.issuer
        ));
    }
    fetchable(&document.jwks_uri).map_err(|e| format!("{url}: its jwks_uri {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_fetched() {
        assert!(fetchable("https://login.example.com/keys").is_ok());
        assert!(fetchable("http://127.0.0.1:8080/keys").is_ok());
        assert!(fetchable("http://127.9.0.1/keys").is_ok());
        assert!(fetchable("http://[::1]:9000/keys").is_ok());
        assert!(fetchable("http://localhost/keys").is_ok());
        assert!(fetchable("http://login.example.com/keys").is_err());
        assert!(fetchable("http://10.0.0.1/keys").is_err());
        assert!(fetchable("ftp://127.0.0.1/keys").is_err());
        assert!(fetchable("file:///etc/keys").is_err());
        assert!(fetchable("login.example.com").is_err());
    }

    #[test]
    fn max_age_sets_the_interval_within_bounds() {
        assert_eq!(refresh_interval(None), DEFAULT_REFRESH);
        assert_eq!(
            refresh_interval(Some("public, max-age=7200")),
            Duration::from_secs(7200)
        );
        assert_eq!(refresh_interval(Some("max-age=10")), MIN_REFRESH);
        assert_eq!(refresh_interval(Some("MAX-AGE=999999")), MAX_REFRESH);
        assert_eq!(refresh_interval(Some("no-cache")), DEFAULT_REFRESH);
        assert_eq!(refresh_interval(Some("max-age=soon")), DEFAULT_REFRESH);
        assert_eq!(
            refresh_interval(Some("s-maxage=60, max-age=600")),
            Duration::from_secs(600)
        );
    }
}
