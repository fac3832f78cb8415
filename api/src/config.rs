//! Configuration, read once at start-up from environment variables and an
//! optional TOML file (`--config FILE` or `TANDEM_CONFIG`). The environment
//! wins over the file. In the file a variable is written in lower case
//! without the `TANDEM_` prefix: `TANDEM_MAX_DEPTH` is `max_depth`,
//! `DATABASE_URL` is `database_url`.
//!
//! | variable | default |
//! |---|---|
//! | `DATABASE_URL` | `sqlite://tandem.db?mode=rwc` |
//! | `TANDEM_LISTEN` | `127.0.0.1:8080` |
//! | `TANDEM_JWT_ALG` | `HS256`; `RS256` with a public key source (`RS256`, `ES256`) |
//! | `TANDEM_JWT_SECRET` | none; at least 32 bytes |
//! | `TANDEM_JWT_PUBLIC_KEY_FILE`, `TANDEM_JWT_JWKS_FILE` | none |
//! | `TANDEM_JWT_JWKS_URL`, `TANDEM_OIDC_ISSUER` | none (keys fetched and refreshed; one key source only) |
//! | `TANDEM_JWT_JWKS_START_LAZY` | off (on: start even when the first fetch fails) |
//! | `TANDEM_JWT_ISSUER` | `TANDEM_OIDC_ISSUER`, else `tandem` |
//! | `TANDEM_JWT_AUDIENCE` | `tandem` |
//! | `TANDEM_JWT_ROLES_CLAIM` | `roles` |
//! | `TANDEM_JWT_LEEWAY_SECONDS` | 30 |
//! | `TANDEM_GRAPHIQL`, `TANDEM_INTROSPECTION` | on, on |
//! | `TANDEM_SUGGESTIONS` | as `TANDEM_INTROSPECTION` ("did you mean" would reveal the schema) |
//! | `TANDEM_MAX_DEPTH`, `TANDEM_MAX_COMPLEXITY`, `TANDEM_MAX_ALIASES` | 15, 1000, 30 |
//! | `TANDEM_MAX_SELECTIONS`, `TANDEM_MAX_DIRECTIVES` | 500, 4 |
//! | `TANDEM_MAX_BODY_BYTES`, `TANDEM_MAX_PAGE_SIZE` | 262144, 100 |
//! | `TANDEM_MAX_QUERY_BYTES`, `TANDEM_MAX_TOKENS` | 32768, 2000 (checked before parsing) |
//! | `TANDEM_MIGRATE_ON_START` | on (off: run `tandem migrate` as its own step) |
//! | `TANDEM_MAX_IMPORT_BYTES` | 20971520 (20 MiB; `POST /import/people`) |
//! | `TANDEM_CORS_ORIGINS` | none (comma-separated) |
//! | `TANDEM_DB_MAX_CONNECTIONS` | 10 (on a SQLite file, one more connection runs every write transaction) |
//! | `TANDEM_ACCESS_CACHE` | 1s (how long a caller's access is trusted before it is read again; `off`: every call) |
//! | `TANDEM_READ_DATABASE_URL` | none (a PostgreSQL replica for the OSPO's figures and exports) |
//! | `TANDEM_SHUTDOWN_SECONDS` | 30 |
//! | `TANDEM_LOG_FORMAT` | `text` (`json`) |
//! | `TANDEM_WORKERS` | one per core |
//! | `TANDEM_SWEEP_INTERVAL` | 60s |
//! | `TANDEM_PUBLIC_URL` | `http://` + the listen address (links in notifications) |
//! | `TANDEM_SMTP_URL`, `TANDEM_MAIL_FROM` | none (email off) |
//! | `TANDEM_WEBHOOK_URL`, `TANDEM_WEBHOOK_SECRET` | none (webhooks off; comma-separated URLs) |
//! | `TANDEM_WEBHOOK_FORMAT` | `json` (`slack`) |
//! | `TANDEM_DELIVERY_INTERVAL`, `TANDEM_DELIVERY_RETRY_BASE` | 5s, 30s |
//! | `TANDEM_DELIVERY_MAX_ATTEMPTS` | 10 |
//! | `TANDEM_DELIVERY_LEASE`, `TANDEM_DELIVERY_TIMEOUT` | 5m, 10s |
//! | `TANDEM_DELIVERY_WORKER` | on (off: this instance sends nothing) |
//! | `TANDEM_UI` | on (the web app at `/`) |
//! | `TANDEM_OIDC_CLIENT_ID` | none (the web app's SSO sign-in, with `TANDEM_OIDC_ISSUER`) |
//! | `TANDEM_RETAIN_NOTES_DAYS` | off (check-in notes blanked this many days after their match finished) |
//! | `TANDEM_RETAIN_AUDIT_DAYS` | off (audit events' actor and reason blanked after this many days) |

use std::collections::HashMap;
use std::fmt::Display;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use secrecy::SecretString;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("config file {path}: {reason}")]
    File { path: PathBuf, reason: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtAlgorithm {
    Hs256,
    Rs256,
    Es256,
}

impl FromStr for JwtAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_uppercase().as_str() {
            "HS256" => Ok(Self::Hs256),
            "RS256" => Ok(Self::Rs256),
            "ES256" => Ok(Self::Es256),
            _ => Err("must be HS256, RS256 or ES256".into()),
        }
    }
}

/// Where the verification key comes from.
#[derive(Clone, Debug)]
pub enum JwtKey {
    Secret(SecretString),
    PublicKeyFile(PathBuf),
    JwksFile(PathBuf),
    /// Fetched and refreshed from the provider (`TANDEM_JWT_JWKS_URL`).
    JwksUrl(reqwest::Url),
    /// Found through OpenID Connect discovery (`TANDEM_OIDC_ISSUER`).
    OidcIssuer(String),
}

impl JwtAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }
}

/// The variables that can each hold the verification key, in the order a
/// conflict is reported.
const KEY_SOURCES: [&str; 5] = [
    "TANDEM_JWT_SECRET",
    "TANDEM_JWT_PUBLIC_KEY_FILE",
    "TANDEM_JWT_JWKS_FILE",
    "TANDEM_JWT_JWKS_URL",
    "TANDEM_OIDC_ISSUER",
];

#[derive(Clone, Debug)]
pub struct JwtConfig {
    pub algorithm: JwtAlgorithm,
    pub key: JwtKey,
    pub issuer: String,
    pub audience: String,
    pub roles_claim: String,
    pub leeway_seconds: u64,
    /// Start even when the first fetch of a remote key set fails.
    pub jwks_start_lazy: bool,
}

#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_selections: usize,
    pub max_directives: usize,
    pub max_body_bytes: usize,
    pub max_page_size: usize,
    /// A document longer than this is refused before it is parsed.
    pub max_query_bytes: usize,
    /// A document with more lexical tokens is refused before it is parsed.
    pub max_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 1000,
            max_aliases: 30,
            max_selections: 500,
            max_directives: 4,
            max_body_bytes: 256 * 1024,
            max_page_size: 100,
            max_query_bytes: 32 * 1024,
            max_tokens: 2_000,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// A PostgreSQL read replica for the OSPO's figures and exports
    /// (`TANDEM_READ_DATABASE_URL`); the primary when unset.
    pub read_database_url: Option<String>,
    pub db_max_connections: u32,
    /// How long an instance trusts that a caller is still active before it
    /// reads their row again (`TANDEM_ACCESS_CACHE`, default 1 s; `None`:
    /// every call). A deactivation drops the trust at once on the instance
    /// that made it and, on PostgreSQL, on every other through `pg_notify`;
    /// this bound is for what no notification reaches (another process on
    /// one SQLite file, a listener that lost its connection).
    pub access_cache: Option<std::time::Duration>,
    pub listen: SocketAddr,
    pub jwt: JwtConfig,
    pub limits: Limits,
    pub graphiql: bool,
    pub introspection: bool,
    pub suggestions: bool,
    /// Whether `serve` migrates the database before it listens.
    pub migrate_on_start: bool,
    pub cors_origins: Vec<String>,
    pub shutdown_seconds: u64,
    pub json_logs: bool,
    /// HTTP worker threads; one per core by default.
    pub workers: usize,
    /// How often each instance's sweeper expires due proposals and offers
    /// free seats to waiting requests (`TANDEM_SWEEP_INTERVAL`, default 60 s).
    pub sweep_interval: std::time::Duration,
    /// Largest CSV body `POST /import/people` reads (`TANDEM_MAX_IMPORT_BYTES`,
    /// default 20 MiB); GraphQL's `importPeople` stays under the body limit.
    pub max_import_bytes: usize,
    /// Where notifications go and how they are delivered.
    pub notify: NotifyConfig,
    /// The web app at `/` (`TANDEM_UI`, default on).
    pub ui: bool,
    /// Running `serve --demo`: the web app's sign-in page offers demo tokens.
    pub demo: bool,
    /// The web app's OpenID Connect client (`TANDEM_OIDC_CLIENT_ID`), with
    /// `TANDEM_OIDC_ISSUER`.
    pub oidc_client_id: Option<String>,
    /// How long personal details are kept (off: for ever).
    pub retention: Retention,
}

/// A webhook body: Tandem's signed JSON, or what a Slack or Mattermost
/// incoming webhook shows as a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookFormat {
    Json,
    Slack,
}

impl FromStr for WebhookFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "slack" => Ok(Self::Slack),
            _ => Err("must be json or slack".into()),
        }
    }
}

/// Notification channels and the delivery worker (design.md, "Notifications").
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    /// `smtps://…`, `smtp://…?tls=required` or `smtp://…`, as lettre reads it;
    /// none turns email off. May hold a password.
    pub smtp_url: Option<SecretString>,
    pub mail_from: Option<String>,
    /// Each may hold a token (a Slack webhook's path is one).
    pub webhook_urls: Vec<SecretString>,
    pub webhook_secret: Option<SecretString>,
    pub webhook_format: WebhookFormat,
    /// The frontend's address, for links (no trailing slash).
    pub public_url: String,
    pub delivery_interval: std::time::Duration,
    pub retry_base: std::time::Duration,
    pub max_attempts: u32,
    /// How long a claimed delivery is its worker's before another may retry it.
    pub lease: std::time::Duration,
    /// Connect and response timeout of one send.
    pub send_timeout: std::time::Duration,
    /// Whether this instance runs a delivery worker (`TANDEM_DELIVERY_WORKER`,
    /// on); a deployment may leave delivery to some instances, and
    /// `tandem notifications deliver` runs one pass by hand.
    pub worker: bool,
}

impl NotifyConfig {
    /// Everything off, the worker's timings at their defaults.
    pub fn off(public_url: String) -> Self {
        Self {
            smtp_url: None,
            mail_from: None,
            webhook_urls: Vec::new(),
            webhook_secret: None,
            webhook_format: WebhookFormat::Json,
            public_url,
            delivery_interval: std::time::Duration::from_secs(5),
            retry_base: std::time::Duration::from_secs(30),
            max_attempts: 10,
            lease: std::time::Duration::from_secs(300),
            send_timeout: std::time::Duration::from_secs(10),
            worker: true,
        }
    }

    pub fn email_on(&self) -> bool {
        self.smtp_url.is_some()
    }

    fn load(source: &Source, listen: SocketAddr) -> Result<Self, ConfigError> {
        let duration = |var: &'static str, default: u64| -> Result<_, ConfigError> {
            Ok(source
                .parsed::<SettingDuration>(var)?
                .map_or(std::time::Duration::from_secs(default), |d| d.0))
        };
        let http_url = |var: &'static str, raw: &str| -> Result<(), ConfigError> {
            if raw.starts_with("http://") || raw.starts_with("https://") {
                Ok(())
            } else {
                Err(ConfigError::Invalid {
                    var,
                    reason: "must be an http:// or https:// URL".into(),
                })
            }
        };
        let public_url = match source
            .raw("TANDEM_PUBLIC_URL")?
            .map(|s| s.trim().to_owned())
        {
            Some(url) if !url.is_empty() => {
                http_url("TANDEM_PUBLIC_URL", &url)?;
                url.trim_end_matches('/').to_owned()
            }
            _ => format!("http://{listen}"),
        };
        let mut notify = Self::off(public_url);
        notify.delivery_interval = duration("TANDEM_DELIVERY_INTERVAL", 5)?;
        notify.retry_base = duration("TANDEM_DELIVERY_RETRY_BASE", 30)?;
        notify.lease = duration("TANDEM_DELIVERY_LEASE", 300)?;
        notify.send_timeout = duration("TANDEM_DELIVERY_TIMEOUT", 10)?;
        notify.worker = source.flag("TANDEM_DELIVERY_WORKER", true)?;
        notify.max_attempts = u32::try_from(source.positive("TANDEM_DELIVERY_MAX_ATTEMPTS", 10)?)
            .map_err(|_| ConfigError::Invalid {
            var: "TANDEM_DELIVERY_MAX_ATTEMPTS",
            reason: "is too large".into(),
        })?;
        if let Some(url) = source.raw("TANDEM_SMTP_URL")?.map(|s| s.trim().to_owned())
            && !url.is_empty()
        {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError::Invalid {
                    var: "TANDEM_SMTP_URL",
                    reason:
                        "must be smtps://host:465, smtp://host:587?tls=required or smtp://host:25"
                            .into(),
                });
            }
            let from = source
                .raw("TANDEM_MAIL_FROM")?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .ok_or(ConfigError::Invalid {
                    var: "TANDEM_MAIL_FROM",
                    reason: "is required with TANDEM_SMTP_URL (e.g. Tandem <tandem@example.com>)"
                        .into(),
                })?;
            // Checked here so a bad value stops start-up like any other
            // setting; lettre's message never quotes the password.
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url).map_err(|e| {
                ConfigError::Invalid {
                    var: "TANDEM_SMTP_URL",
                    reason: e.to_string(),
                }
            })?;
            from.parse::<lettre::message::Mailbox>()
                .map_err(|e| ConfigError::Invalid {
                    var: "TANDEM_MAIL_FROM",
                    reason: format!("{e} (e.g. Tandem <tandem@example.com>)"),
                })?;
            notify.smtp_url = Some(SecretString::from(url));
            notify.mail_from = Some(from);
        }
        for url in source
            .raw("TANDEM_WEBHOOK_URL")?
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            http_url("TANDEM_WEBHOOK_URL", url)?;
            notify.webhook_urls.push(SecretString::from(url.to_owned()));
        }
        notify.webhook_format = source
            .parsed("TANDEM_WEBHOOK_FORMAT")?
            .unwrap_or(WebhookFormat::Json);
        notify.webhook_secret = source
            .raw("TANDEM_WEBHOOK_SECRET")?
            .filter(|s| !s.trim().is_empty())
            .map(SecretString::from);
        if !notify.webhook_urls.is_empty()
            && notify.webhook_format == WebhookFormat::Json
            && notify.webhook_secret.is_none()
        {
            return Err(ConfigError::Invalid {
                var: "TANDEM_WEBHOOK_SECRET",
                reason:
                    "is required with TANDEM_WEBHOOK_URL: receivers verify the signature with it"
                        .into(),
            });
        }
        Ok(notify)
    }
}

/// 20 MiB: room for an HR export of about 100,000 people at 200 bytes a row.
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// A duration as settings write it: `90s`, `5m`, `1h`, `7d`, or a bare
/// number of seconds (design.md, "Operations"); never zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingDuration(pub std::time::Duration);

impl FromStr for SettingDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => s.split_at(i),
            None => (s, "s"),
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| "must be a duration such as 90s, 5m, 1h or 7d".to_owned())?;
        let seconds = match unit {
            "s" => Some(n),
            "m" => n.checked_mul(60),
            "h" => n.checked_mul(3600),
            "d" => n.checked_mul(86_400),
            _ => None,
        }
        .ok_or_else(|| "must be a duration such as 90s, 5m, 1h or 7d".to_owned())?;
        if seconds == 0 {
            return Err("must be longer than zero".into());
        }
        Ok(Self(std::time::Duration::from_secs(seconds)))
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tandem.db?mode=rwc";
pub const MIN_SECRET_BYTES: usize = 32;

/// Looks variables up in the environment, then in the config file.
pub struct Source {
    file: HashMap<String, String>,
}

impl Source {
    /// The environment alone.
    pub fn env() -> Self {
        Self {
            file: HashMap::new(),
        }
    }

    /// The environment over a TOML file of flat `key = value` pairs.
    pub fn with_file(path: &Path) -> Result<Self, ConfigError> {
        let err = |reason: String| ConfigError::File {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(e.message().to_owned()))?;
        let mut file = HashMap::new();
        for (key, value) in table {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| err(format!("{key}: a list holds strings only")))
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                other => {
                    return Err(err(format!(
                        "{key}: unsupported value {}",
                        other.type_str()
                    )));
                }
            };
            file.insert(key.to_ascii_lowercase(), value);
        }
        Ok(Self { file })
    }

    fn raw(&self, var: &'static str) -> Result<Option<String>, ConfigError> {
        match std::env::var(var) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => {
                let key = var
                    .strip_prefix("TANDEM_")
                    .unwrap_or(var)
                    .to_ascii_lowercase();
                Ok(self.file.get(&key).cloned())
            }
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::Invalid {
                var,
                reason: "not UTF-8".into(),
            }),
        }
    }

    /// Reads and parses `var`; unset or empty is `Ok(None)`. Never echoes the
    /// value: some are secrets.
    fn parsed<T: FromStr<Err: Display>>(
        &self,
        var: &'static str,
    ) -> Result<Option<T>, ConfigError> {
        match self.raw(var)? {
            Some(raw) if !raw.trim().is_empty() => {
                raw.trim()
                    .parse::<T>()
                    .map(Some)
                    .map_err(|e| ConfigError::Invalid {
                        var,
                        reason: e.to_string(),
                    })
            }
            _ => Ok(None),
        }
    }

    fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self
            .raw(var)?
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase())
        {
            None => Ok(default),
            Some(v) => match v.as_str() {
                "" => Ok(default),
                "1" | "true" | "on" | "yes" => Ok(true),
                "0" | "false" | "off" | "no" => Ok(false),
                _ => Err(ConfigError::Invalid {
                    var,
                    reason: "must be on or off (true/false, 1/0)".into(),
                }),
            },
        }
    }

    /// A number of days, when set: a whole number from 1 to 36,500.
    fn days(&self, var: &'static str) -> Result<Option<u32>, ConfigError> {
        match self.parsed::<u32>(var)? {
            Some(days) if !(1..=36_500).contains(&days) => Err(ConfigError::Invalid {
                var,
                reason: "a number of days from 1 to 36500 (leave it unset to keep for ever)".into(),
            }),
            days => Ok(days),
        }
    }

    /// A duration (`90s`, `5m`, …), `off` for none, or `default_seconds`
    /// when unset.
    fn duration_or_off(
        &self,
        var: &'static str,
        default_seconds: u64,
    ) -> Result<Option<std::time::Duration>, ConfigError> {
        match self.raw(var)?.as_deref().map(str::trim) {
            None | Some("") => Ok(Some(std::time::Duration::from_secs(default_seconds))),
            Some(v) if matches!(v.to_ascii_lowercase().as_str(), "off" | "0") => Ok(None),
            Some(_) => Ok(self.parsed::<SettingDuration>(var)?.map(|d| d.0)),
        }
    }

    fn positive(&self, var: &'static str, default: usize) -> Result<usize, ConfigError> {
        let value = self.parsed::<usize>(var)?.unwrap_or(default);
        if value == 0 {
            return Err(ConfigError::Invalid {
                var,
                reason: "must be a positive whole number".into(),
            });
        }
        Ok(value)
    }
}

/// How long personal details are kept; `None` keeps them for ever.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Check-in notes, counted from the day their match finished.
    pub notes_days: Option<u32>,
    /// Audit events' actor and reason, counted from the event.
    pub audit_days: Option<u32>,
}

/// Options that `tandem serve` may give on its command line.
#[derive(Default)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    /// `serve --demo`: a generated secret when none is configured.
    pub demo_secret: Option<SecretString>,
    /// `serve --demo`: the web app offers the demo people's tokens.
    pub demo: bool,
}

impl Config {
    /// Builds and validates the whole configuration; the first problem found
    /// names its variable.
    pub fn load(source: &Source, overrides: Overrides) -> Result<Self, ConfigError> {
        let database_url = source.raw("DATABASE_URL")?.filter(|s| !s.trim().is_empty());
        let database_url = database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        validate_database_url(&database_url)?;
        let read_database_url = source
            .raw("TANDEM_READ_DATABASE_URL")?
            .filter(|s| !s.trim().is_empty());
        if let Some(url) = &read_database_url {
            let postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
            if !postgres(url) || !postgres(&database_url) {
                return Err(ConfigError::Invalid {
                    var: "TANDEM_READ_DATABASE_URL",
                    reason: "must be a postgres:// replica of a PostgreSQL DATABASE_URL".into(),
                });
            }
        }
        let listen = match overrides.listen {
            Some(addr) => addr,
            None => source
                .parsed::<SocketAddr>("TANDEM_LISTEN")?
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        };
        let jwt = Self::jwt(source, overrides.demo_secret)?;
        let introspection = source.flag("TANDEM_INTROSPECTION", true)?;
        let limits = Limits {
            max_depth: source.positive("TANDEM_MAX_DEPTH", 15)?,
            max_complexity: source.positive("TANDEM_MAX_COMPLEXITY", 1000)?,
            max_aliases: source.positive("TANDEM_MAX_ALIASES", 30)?,
            max_selections: source.positive("TANDEM_MAX_SELECTIONS", 500)?,
            max_directives: source.positive("TANDEM_MAX_DIRECTIVES", 4)?,
            max_body_bytes: source.positive("TANDEM_MAX_BODY_BYTES", 256 * 1024)?,
            max_page_size: source.positive("TANDEM_MAX_PAGE_SIZE", 100)?,
            max_query_bytes: source.positive("TANDEM_MAX_QUERY_BYTES", 32 * 1024)?,
            max_tokens: source.positive("TANDEM_MAX_TOKENS", 2_000)?,
        };
        let cors_origins = source
            .raw("TANDEM_CORS_ORIGINS")?
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                if o == "*" || !(o.starts_with("http://") || o.starts_with("https://")) {
                    Err(ConfigError::Invalid {
                        var: "TANDEM_CORS_ORIGINS",
                        reason: "each origin must be an http(s):// origin; * is not allowed".into(),
                    })
                } else {
                    Ok(o.trim_end_matches('/').to_owned())
                }
            })
            .collect::<Result<_, _>>()?;
        let log_format = source
            .raw("TANDEM_LOG_FORMAT")?
            .unwrap_or_default()
            .to_ascii_lowercase();
        let json_logs = match log_format.trim() {
            "" | "text" => false,
            "json" => true,
            _ => {
                return Err(ConfigError::Invalid {
                    var: "TANDEM_LOG_FORMAT",
                    reason: "must be text or json".into(),
                });
            }
        };
        Ok(Self {
            database_url,
            read_database_url,
            db_max_connections: source.positive("TANDEM_DB_MAX_CONNECTIONS", 10)? as u32,
            access_cache: source.duration_or_off("TANDEM_ACCESS_CACHE", 1)?,
            listen,
            jwt,
            limits,
            graphiql: source.flag("TANDEM_GRAPHIQL", true)?,
            introspection,
            // Suggestions name fields, so they follow introspection unless set.
            suggestions: source.flag("TANDEM_SUGGESTIONS", introspection)?,
            migrate_on_start: source.flag("TANDEM_MIGRATE_ON_START", true)?,
            cors_origins,
            shutdown_seconds: source.parsed("TANDEM_SHUTDOWN_SECONDS")?.unwrap_or(30),
            json_logs,
            workers: source.positive(
                "TANDEM_WORKERS",
                std::thread::available_parallelism()
                    .map(usize::from)
                    .unwrap_or(2),
            )?,
            sweep_interval: source
                .parsed::<SettingDuration>("TANDEM_SWEEP_INTERVAL")?
                .map_or(std::time::Duration::from_secs(60), |d| d.0),
            max_import_bytes: source
                .positive("TANDEM_MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES)?,
            notify: NotifyConfig::load(source, listen)?,
            ui: source.flag("TANDEM_UI", true)?,
            demo: overrides.demo,
            oidc_client_id: source
                .raw("TANDEM_OIDC_CLIENT_ID")?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            retention: Retention {
                notes_days: source.days("TANDEM_RETAIN_NOTES_DAYS")?,
                audit_days: source.days("TANDEM_RETAIN_AUDIT_DAYS")?,
            },
        })
    }

    fn jwt(source: &Source, demo_secret: Option<SecretString>) -> Result<JwtConfig, ConfigError> {
        use secrecy::ExposeSecret;
        let mut given = Vec::new();
        for var in KEY_SOURCES {
            if let Some(value) = source.raw(var)?.filter(|s| !s.trim().is_empty()) {
                given.push((var, value));
            }
        }
        if let [(first, _), (second, _), ..] = given.as_slice() {
            return Err(ConfigError::Invalid {
                var: second,
                reason: format!("set one key source only; {first} is set too"),
            });
        }
        let given = given.pop();
        let public = given
            .as_ref()
            .is_some_and(|(var, _)| *var != "TANDEM_JWT_SECRET");
        let algorithm = source
            .parsed::<JwtAlgorithm>("TANDEM_JWT_ALG")?
            .unwrap_or(if public {
                JwtAlgorithm::Rs256
            } else {
                JwtAlgorithm::Hs256
            });
        let invalid = |var: &'static str, reason: &str| ConfigError::Invalid {
            var,
            reason: reason.to_owned(),
        };
        let key = match (algorithm, given) {
            (JwtAlgorithm::Hs256, secret @ (None | Some(("TANDEM_JWT_SECRET", _)))) => {
                let secret = secret
                    .map(|(_, value)| SecretString::from(value))
                    .or(demo_secret)
                    .ok_or(invalid(
                        "TANDEM_JWT_SECRET",
                        "is required with HS256 (serve --demo generates one)",
                    ))?;
                if secret.expose_secret().len() < MIN_SECRET_BYTES {
                    return Err(ConfigError::Invalid {
                        var: "TANDEM_JWT_SECRET",
                        reason: format!("must be at least {MIN_SECRET_BYTES} bytes"),
                    });
                }
                JwtKey::Secret(secret)
            }
            (JwtAlgorithm::Hs256, Some((var, _))) => {
                return Err(ConfigError::Invalid {
                    var: "TANDEM_JWT_ALG",
                    reason: format!(
                        "HS256 verifies with TANDEM_JWT_SECRET, but {var} holds public keys: set RS256 or ES256"
                    ),
                });
            }
            (_, None) => {
                return Err(invalid(
                    "TANDEM_JWT_PUBLIC_KEY_FILE",
                    "RS256 and ES256 need a public key source: TANDEM_JWT_PUBLIC_KEY_FILE, TANDEM_JWT_JWKS_FILE, TANDEM_JWT_JWKS_URL or TANDEM_OIDC_ISSUER",
                ));
            }
            (_, Some(("TANDEM_JWT_SECRET", _))) => {
                return Err(invalid(
                    "TANDEM_JWT_SECRET",
                    "RS256 and ES256 verify with public keys, not a shared secret: set TANDEM_JWT_PUBLIC_KEY_FILE, TANDEM_JWT_JWKS_FILE, TANDEM_JWT_JWKS_URL or TANDEM_OIDC_ISSUER instead",
                ));
            }
            (_, Some(("TANDEM_JWT_PUBLIC_KEY_FILE", path))) => JwtKey::PublicKeyFile(path.into()),
            (_, Some(("TANDEM_JWT_JWKS_FILE", path))) => JwtKey::JwksFile(path.into()),
            (_, Some(("TANDEM_JWT_JWKS_URL", url))) => {
                JwtKey::JwksUrl(crate::auth::remote::fetchable(&url).map_err(|reason| {
                    ConfigError::Invalid {
                        var: "TANDEM_JWT_JWKS_URL",
                        reason,
                    }
                })?)
            }
            (_, Some((var, issuer))) => {
                crate::auth::remote::fetchable(&issuer)
                    .map_err(|reason| ConfigError::Invalid { var, reason })?;
                JwtKey::OidcIssuer(issuer.trim().to_owned())
            }
        };
        let oidc_issuer = match &key {
            JwtKey::OidcIssuer(issuer) => Some(issuer.clone()),
            _ => None,
        };
        let issuer = match (source.raw("TANDEM_JWT_ISSUER")?, &oidc_issuer) {
            (Some(jwt), Some(oidc)) if !jwt.trim().is_empty() && jwt.trim() != oidc => {
                return Err(ConfigError::Invalid {
                    var: "TANDEM_JWT_ISSUER",
                    reason: format!(
                        "differs from TANDEM_OIDC_ISSUER ({oidc}); the provider's tokens carry its issuer, so leave TANDEM_JWT_ISSUER unset"
                    ),
                });
            }
            (_, Some(oidc)) => oidc.clone(),
            (Some(jwt), None) if !jwt.trim().is_empty() => jwt.trim().to_owned(),
            _ => "tandem".to_owned(),
        };
        let non_empty = |var: &'static str, default: &str| -> Result<String, ConfigError> {
            Ok(source
                .raw(var)?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default.to_owned()))
        };
        Ok(JwtConfig {
            algorithm,
            key,
            issuer,
            audience: non_empty("TANDEM_JWT_AUDIENCE", "tandem")?,
            roles_claim: non_empty("TANDEM_JWT_ROLES_CLAIM", "roles")?,
            leeway_seconds: source.parsed("TANDEM_JWT_LEEWAY_SECONDS")?.unwrap_or(30),
            jwks_start_lazy: source.flag("TANDEM_JWT_JWKS_START_LAZY", false)?,
        })
    }

    /// A configuration for tests and tools: the given database and secret,
    /// every other value at its default.
    pub fn for_tests(database_url: &str, secret: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            read_database_url: None,
            db_max_connections: 5,
            access_cache: Some(std::time::Duration::from_secs(1)),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt: JwtConfig {
                algorithm: JwtAlgorithm::Hs256,
                key: JwtKey::Secret(SecretString::from(secret.to_owned())),
                issuer: "tandem".into(),
                audience: "tandem".into(),
                roles_claim: "roles".into(),
                leeway_seconds: 30,
                jwks_start_lazy: false,
            },
            limits: Limits::default(),
            graphiql: true,
            introspection: true,
            suggestions: true,
            migrate_on_start: true,
            cors_origins: Vec::new(),
            shutdown_seconds: 5,
            json_logs: false,
            workers: 1,
            sweep_interval: std::time::Duration::from_secs(60),
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
            notify: NotifyConfig::off("http://127.0.0.1:8080".into()),
            ui: true,
            demo: false,
            oidc_client_id: None,
            retention: Retention::default(),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn validate_database_url(url: &str) -> Result<(), ConfigError> {
    let ok = url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://");
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            var: "DATABASE_URL",
            reason: "must start with sqlite: or postgres://".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access_cache(value: Option<&str>) -> Result<Option<std::time::Duration>, ConfigError> {
        let mut file = HashMap::new();
        if let Some(value) = value {
            file.insert("access_cache".to_owned(), value.to_owned());
        }
        Source { file }.duration_or_off("TANDEM_ACCESS_CACHE", 1)
    }

    #[test]
    fn the_access_cache_is_a_duration_or_off() {
        let secs = |s| Some(std::time::Duration::from_secs(s));
        assert_eq!(access_cache(None).unwrap(), secs(1));
        assert_eq!(access_cache(Some(" ")).unwrap(), secs(1));
        assert_eq!(access_cache(Some("5m")).unwrap(), secs(300));
        assert_eq!(access_cache(Some("2")).unwrap(), secs(2));
        assert_eq!(access_cache(Some("OFF")).unwrap(), None);
        assert_eq!(access_cache(Some("0")).unwrap(), None);
        for bad in ["soon", "-1s", "1w"] {
            let refused = access_cache(Some(bad)).unwrap_err().to_string();
            assert!(refused.starts_with("TANDEM_ACCESS_CACHE: "), "{refused}");
        }
    }
}
