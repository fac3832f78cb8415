//! The `tandem` command line: `serve`, `migrate`, `seed`, `token`, `schema`,
//! `sweep`, `notifications`, `import`, `export`, `solve`, `generate`.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine;
use clap::{Parser, Subcommand};
use migration::Migrator;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::{TokenRequest, mint_hs256, parse_ttl};
use crate::config::{Config, JwtKey, Overrides, Source};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Mentorship matching for an Open Source Program Office"
)]
struct Cli {
    /// A TOML file of settings; environment variables override it.
    #[arg(long, global = true, env = "TANDEM_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum NotificationsAction {
    /// Put every dead delivery back in the queue (attempts reset); prints how many.
    RetryDead,
    /// Run one delivery pass (send what is due); prints one JSON line.
    Deliver {
        /// The pass's clock, RFC 3339; default now.
        #[arg(long)]
        now: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PeopleAction {
    /// The person left: no access, never proposed again; proposals to them
    /// cascade, their mentorships end early (`left`), their requests are
    /// withdrawn, the other sides are told. Prints what it ended as JSON.
    Deactivate {
        /// Their email, or their person id.
        person: String,
        /// Why, for the audit trail.
        #[arg(long, default_value = "left the company")]
        reason: String,
    },
    /// Give a deactivated person their access back (nothing ended comes back).
    Reactivate {
        /// Their email, or their person id.
        person: String,
    },
    /// Erase a deactivated person's personal data, keeping the anonymous
    /// facts the metrics count. Idempotent (by id once the email is gone).
    Erase {
        /// Their email, or their person id.
        person: String,
    },
    /// Write everything kept about a person as JSON (what `myData` gives
    /// them), for a request made outside Tandem.
    Export {
        /// Their email, or their person id.
        person: String,
        /// The file to write; standard output when omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API (migrates the database first).
    Serve {
        /// Seed a demo organisation, generate a key if none is set, print tokens.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (overrides TANDEM_LISTEN).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Seed data.
    Seed {
        /// The demo organisation.
        #[arg(long, required = true)]
        demo: bool,
        /// How many people (about a quarter become mentors); for benchmarks.
        #[arg(long, default_value_t = crate::seed::PEOPLE)]
        people: usize,
        /// History at benchmark scale: five requests per person (the demo
        /// alone has one per person), with their matches, check-ins,
        /// milestones and feedback.
        #[arg(long)]
        history: bool,
    },
    /// Print a development HS256 token signed with TANDEM_JWT_SECRET.
    Token {
        #[arg(long)]
        sub: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// A role to grant (repeatable), such as `ospo`.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Lifetime: 90s, 30m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Run one sweeper pass: expire overdue proposals (cascading each to the
    /// next-best mentor), send due reminders and offer free seats to waiting
    /// requests; prints one JSON line.
    Sweep {
        /// The pass's clock, RFC 3339 (`2026-12-01T09:00:00Z`); default now.
        #[arg(long)]
        now: Option<String>,
    },
    /// The notification outbox.
    Notifications {
        #[command(subcommand)]
        action: NotificationsAction,
    },
    /// People who leave: deactivation, reactivation, erasure, their data.
    People {
        #[command(subcommand)]
        action: PeopleAction,
    },
    /// Import people and their profiles from the HR system's CSV export
    /// (columns in README, "Importing people"): idempotent by email, all or
    /// nothing. Prints the report as JSON; exits 1 when rows were refused.
    Import {
        /// The CSV file of people.
        #[arg(long)]
        people: PathBuf,
        /// Check everything and report; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a program's matches or metrics as CSV (what the OSPO downloads
    /// from /export/matches.csv and /export/metrics.csv).
    Export {
        #[arg(value_enum)]
        what: ExportKind,
        /// The program; every program's when omitted.
        #[arg(long)]
        program: Option<String>,
        /// Metrics only: the first day counted (YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Metrics only: the last day counted (YYYY-MM-DD).
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// The file to write; standard output when omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Assign a cohort from CSV files and print one JSON line.
    Solve {
        /// `mentor,capacity` rows.
        #[arg(long)]
        capacities: PathBuf,
        /// `mentee,mentor,score` rows; a missing pair is forbidden.
        #[arg(long)]
        scores: PathBuf,
        #[arg(long, value_enum, default_value = "optimal")]
        strategy: crate::solve::Strategy,
        /// Where to write the assigned `mentee,mentor,score` rows.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a deterministic benchmark instance as the files `solve` reads.
    Generate {
        #[arg(long, value_enum, default_value = "uniform")]
        kind: crate::solve::InstanceKind,
        #[arg(long)]
        mentees: u32,
        #[arg(long)]
        mentors: u32,
        #[arg(long)]
        pairs_per_mentee: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        capacities: PathBuf,
        #[arg(long)]
        scores: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportKind {
    Matches,
    Metrics,
}

/// Runs the command line; the exit code is 0 on success, 2 on bad
/// configuration or usage, 1 on any other failure.
pub fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    let source = match &cli.config {
        Some(path) => match Source::with_file(path) {
            Ok(source) => source,
            Err(e) => return fail(2, &e.to_string()),
        },
        None => Source::env(),
    };
    match cli.command {
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            std::process::ExitCode::SUCCESS
        }
        Command::Token {
            sub,
            name,
            email,
            roles,
            ttl,
        } => token(&source, sub, name, email, roles, &ttl),
        Command::Solve {
            capacities,
            scores,
            strategy,
            out,
        } => match crate::solve::solve(&capacities, &scores, strategy, out.as_deref()) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => fail(1, &format!("{e:#}")),
        },
        Command::Generate {
            kind,
            mentees,
            mentors,
            pairs_per_mentee,
            seed,
            capacities,
            scores,
        } => {
            match crate::solve::generate(
                kind,
                mentees,
                mentors,
                pairs_per_mentee,
                seed,
                &capacities,
                &scores,
            ) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => fail(1, &format!("{e:#}")),
            }
        }
        command => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return fail(1, &format!("cannot start the runtime: {e}")),
            };
            runtime.block_on(async_main(source, command))
        }
    }
}

fn fail(code: u8, message: &str) -> std::process::ExitCode {
    eprintln!("tandem: {message}");
    std::process::ExitCode::from(code)
}

fn token(
    source: &Source,
    sub: String,
    name: Option<String>,
    email: Option<String>,
    roles: Vec<String>,
    ttl: &str,
) -> std::process::ExitCode {
    let config = match Config::load(source, Overrides::default()) {
        Ok(c) => c,
        Err(e) => return fail(2, &e.to_string()),
    };
    let JwtKey::Secret(secret) = &config.jwt.key else {
        return fail(
            2,
            "tandem token signs HS256 tokens: set TANDEM_JWT_ALG=HS256 and TANDEM_JWT_SECRET",
        );
    };
    let ttl = match parse_ttl(ttl) {
        Ok(t) => t,
        Err(e) => return fail(2, &format!("--ttl: {e}")),
    };
    let request = TokenRequest {
        sub,
        name,
        email,
        roles,
    };
    match mint_hs256(
        secret.expose_secret().as_bytes(),
        &config.jwt.issuer,
        &config.jwt.audience,
        &request,
        ttl,
    ) {
        Ok(token) => {
            println!("{token}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => fail(1, &format!("cannot sign: {e}")),
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,actix_server=warn")
    });
    use std::io::IsTerminal;
    // A lost log pipe must not stop the service: by default a failed write
    // is reported with `eprint!`, which panics on that same closed stderr
    // (dropping the request being served, or the shutdown task).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .log_internal_errors(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn generated_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

async fn async_main(source: Source, command: Command) -> std::process::ExitCode {
    let demo = matches!(command, Command::Serve { demo: true, .. });
    let listen = match &command {
        Command::Serve { listen, .. } => *listen,
        _ => None,
    };
    // Only serve needs a key; migrate and seed must work without one.
    let needs_key = matches!(command, Command::Serve { .. });
    let demo_secret = if demo || !needs_key {
        Some(generated_secret())
    } else {
        None
    };
    let config = match Config::load(
        &source,
        Overrides {
            listen,
            demo_secret,
            demo,
        },
    ) {
        Ok(c) => c,
        Err(e) => return fail(2, &e.to_string()),
    };
    init_logging(config.json_logs);
    match run_command(config, command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("{e:#}")),
    }
}

async fn connect_and_migrate(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = connect(config).await?;
    crate::db::migrate(&db, &config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(db)
}

async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    crate::db::connect(&config.database_url, config.db_max_connections)
        .await
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot connect: {e}"))
}

/// `serve` with `TANDEM_MIGRATE_ON_START=off`: refuses a database that
/// `tandem migrate` has not brought up to date, rather than failing later.
async fn connect_migrated(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    if config.migrate_on_start {
        return connect_and_migrate(config).await;
    }
    let db = connect(config).await?;
    let pending = Migrator::pending(&db).await.map_err(|e| {
        anyhow::anyhow!("TANDEM_MIGRATE_ON_START is off and the database is not migrated ({e}); run `tandem migrate` first")
    })?;
    if !pending.is_empty() {
        anyhow::bail!(
            "TANDEM_MIGRATE_ON_START is off and {} migration(s) are pending; run `tandem migrate` first",
            pending.len()
        );
    }
    Ok(db)
}

async fn run_command(config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            connect_and_migrate(&config).await?;
            eprintln!("tandem: database is up to date");
        }
        Command::Seed {
            people, history, ..
        } => {
            let db = connect_and_migrate(&config).await?;
            let requests = if history { people * 5 } else { people };
            match crate::seed::seed_demo(&db, people, requests, seed_progress()).await? {
                Some(seeded) => eprintln!(
                    "tandem: demo organisation seeded: {}",
                    serde_json::to_string(&seeded)?
                ),
                None => eprintln!("tandem: demo organisation already present"),
            }
        }
        Command::Sweep { now } => {
            let now = parse_now(now)?;
            let state = offline_state(config).await?;
            let pass = crate::jobs::sweeper::run_once(&state, now)
                .await
                .map_err(|e| anyhow::anyhow!("sweep failed: {e:?}"))?;
            println!("{}", serde_json::to_string(&pass)?);
        }
        Command::Notifications { action } => {
            let state = offline_state(config).await?;
            match action {
                NotificationsAction::RetryDead => {
                    let retried = crate::service::notifications::retry_dead(
                        &state,
                        crate::service::OspoTask::Operator,
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("retry-dead failed: {e:?}"))?;
                    println!("{}", serde_json::json!({ "retried": retried }));
                }
                NotificationsAction::Deliver { now } => {
                    let pass = crate::jobs::delivery::run_once(&state, parse_now(now)?)
                        .await
                        .map_err(|e| anyhow::anyhow!("delivery failed: {e:?}"))?;
                    println!("{}", serde_json::to_string(&pass)?);
                }
            }
        }
        Command::Import { people, dry_run } => import(config, &people, dry_run).await?,
        Command::People { action } => people(config, action).await?,
        Command::Export {
            what,
            program,
            from,
            to,
            out,
        } => export(config, what, program, (from, to), out.as_deref()).await?,
        Command::Serve { demo, .. } => {
            let db = connect_migrated(&config).await?;
            let seeded = if demo {
                let people = crate::seed::PEOPLE;
                crate::seed::seed_demo(&db, people, people, seed_progress())
                    .await?
                    .is_some()
            } else {
                false
            };
            let server = crate::http::Server::build(config.clone(), db.clone()).await?;
            if seeded {
                crate::seed::settle(server.state()).await?;
            }
            let address = server.address();
            tracing::info!(%address, "listening");
            if demo {
                print_demo_tokens(&config, address)?;
            }
            server.run().await?;
        }
        Command::Schema
        | Command::Token { .. }
        | Command::Solve { .. }
        | Command::Generate { .. } => {
            unreachable!("handled without a runtime")
        }
    }
    Ok(())
}

/// `tandem people …`: the operator acts (the audit trail names nobody).
async fn people(config: Config, action: PeopleAction) -> anyhow::Result<()> {
    use crate::service::{OspoTask, leavers, privacy};
    let state = offline_state(config).await?;
    let who = |person: &str| {
        let state = &state;
        let person = person.to_owned();
        async move {
            if person.contains('@') {
                leavers::by_email(state, &person).await.map(|p| p.id)
            } else {
                Ok(person)
            }
        }
    };
    let failed = |e: crate::error::ApiError| match e {
        crate::error::ApiError::Internal(cause) => anyhow::anyhow!("{cause:?}"),
        refused => anyhow::anyhow!("{refused}"),
    };
    match action {
        PeopleAction::Deactivate { person, reason } => {
            let id = who(&person).await.map_err(failed)?;
            let done = leavers::deactivate(&state, OspoTask::Operator, &id, &reason)
                .await
                .map_err(failed)?;
            println!(
                "{}",
                serde_json::json!({
                    "personId": done.person.id,
                    "proposalsCancelled": done.cascade.proposals_cancelled,
                    "mentorshipsEnded": done.cascade.mentorships_ended,
                    "requestsWithdrawn": done.cascade.requests_withdrawn,
                })
            );
        }
        PeopleAction::Reactivate { person } => {
            let id = who(&person).await.map_err(failed)?;
            let person = leavers::reactivate(&state, OspoTask::Operator, &id)
                .await
                .map_err(failed)?;
            println!(
                "{}",
                serde_json::json!({ "personId": person.id, "active": true })
            );
        }
        PeopleAction::Erase { person } => {
            let id = who(&person).await.map_err(failed)?;
            let person = privacy::erase(&state, OspoTask::Operator, &id)
                .await
                .map_err(failed)?;
            println!(
                "{}",
                serde_json::json!({ "personId": person.id, "erasedAt": person.erased_at })
            );
        }
        PeopleAction::Export { person, out } => {
            let id = who(&person).await.map_err(failed)?;
            let document = privacy::document_of(&state, &id, chrono::Utc::now())
                .await
                .map_err(failed)?;
            let text = serde_json::to_string_pretty(&document)?;
            match out {
                Some(path) => std::fs::write(&path, text + "\n")
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => println!("{text}"),
            }
        }
    }
    Ok(())
}

/// The history's progress on stderr when it is a terminal.
fn seed_progress() -> impl FnMut(usize, usize) {
    use std::io::{IsTerminal, Write};
    let terminal = std::io::stderr().is_terminal();
    move |done, total| {
        if terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2Ktandem seed: history {done}/{total} requests");
            if done >= total {
                let _ = writeln!(err);
            }
            let _ = err.flush();
        }
    }
}

/// Progress on stderr, redrawn in place, when stderr is a terminal.
struct TerminalProgress;

impl crate::service::import::Progress for TerminalProgress {
    fn update(&self, stage: &str, done: usize, total: usize) {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2Ktandem import: {stage} {done}/{total}");
        if done >= total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

/// `tandem import`: the operator's own import (no token: whoever runs the
/// binary holds the database). The report goes to stdout as JSON.
async fn import(config: Config, path: &std::path::Path, dry_run: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;

    use crate::service::OspoTask;
    use crate::service::import::{Progress, Silent, import_people};
    let csv =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("--people {}: {e}", path.display()))?;
    let state = offline_state(config).await?;
    let progress: &dyn Progress = if std::io::stderr().is_terminal() {
        &TerminalProgress
    } else {
        &Silent
    };
    let report = import_people(&state, OspoTask::Operator, &csv, dry_run, progress)
        .await
        .map_err(|e| match e {
            crate::error::ApiError::Internal(cause) => cause.context("import failed"),
            e => anyhow::anyhow!("{}: {e}", path.display()),
        })?;
    println!("{}", serde_json::to_string(&report)?);
    if !report.errors.is_empty() {
        anyhow::bail!(
            "{} problem(s) in {}; nothing was imported",
            report.errors.len(),
            path.display()
        );
    }
    Ok(())
}

/// `tandem export`: the operator's own export, written as it is read.
async fn export(
    config: Config,
    what: ExportKind,
    program: Option<String>,
    (from, to): (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use std::io::Write;

    use crate::service::OspoTask;
    use crate::service::export::{MatchExport, metrics_csv};
    let db = match &config.read_database_url {
        Some(url) => crate::db::connect(url, 2)
            .await
            .map_err(|e| anyhow::anyhow!("TANDEM_READ_DATABASE_URL: cannot connect: {e}"))?,
        None => connect_and_migrate(&config).await?,
    };
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("--out {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let failed = |e: crate::error::ApiError| anyhow::anyhow!("export failed: {e:?}");
    match what {
        ExportKind::Matches => {
            if from.is_some() || to.is_some() {
                anyhow::bail!("--from and --to apply to the metrics export only");
            }
            let mut export = MatchExport::new(&db, OspoTask::Operator, program)
                .await
                .map_err(failed)?;
            while let Some(chunk) = export.next_chunk().await.map_err(failed)? {
                sink.write_all(&chunk)?;
            }
        }
        ExportKind::Metrics => {
            let csv = metrics_csv(&db, OspoTask::Operator, program, from, to)
                .await
                .map_err(failed)?;
            sink.write_all(&csv)?;
        }
    }
    sink.flush()?;
    Ok(())
}

fn print_demo_tokens(config: &Config, address: SocketAddr) -> anyhow::Result<()> {
    let tokens = crate::seed::demo_tokens(config, 12 * 3600)?;
    if tokens.is_empty() {
        return Ok(());
    }
    let token = |role: &str| {
        tokens
            .iter()
            .find(|t| t.role == role)
            .map_or("", |t| t.token.as_str())
    };
    let base = format!("http://{address}");
    println!("Tandem demo is up.");
    if config.ui {
        println!("  Web app:  {base}/   (sign in as the demo mentee, mentor or OSPO admin)");
    }
    println!("  GraphiQL: {base}/graphiql   (its Headers tab holds the OSPO admin's token)");
    println!("  API:      {base}/graphql");
    println!();
    println!("Tokens (valid 12 hours):");
    println!("  mentee (Priya Raman):      {}", token("mentee"));
    println!("  mentor (Jonas Weber):      {}", token("mentor"));
    println!("  OSPO admin (Alex Morgan):  {}", token("ospo"));
    println!();
    println!("Try:  curl -s {base}/graphql -H 'Content-Type: application/json' \\");
    println!(
        "        -H \"Authorization: Bearer $TOKEN\" -d '{{\"query\":\"{{ me {{ id displayName osmmLevel }} }}\"}}'"
    );
    // The README's first command is a debug build, a third of a release
    // build's first compile (BENCHMARKS.md, "The first build").
    if cfg!(debug_assertions) {
        println!();
        println!("This is a debug build (`cargo run`): quick to compile, slower per request.");
        println!(
            "To deploy or measure Tandem, build it with `cargo build --release` (README, \"Running it for real\")."
        );
    }
    Ok(())
}

/// `--now` as RFC 3339, or the clock.
fn parse_now(now: Option<String>) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    Ok(match now {
        Some(raw) => chrono::DateTime::parse_from_rfc3339(&raw)
            .map_err(|e| anyhow::anyhow!("--now: {e}"))?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    })
}

/// The state a one-shot command runs with: migrated, no server.
async fn offline_state(config: Config) -> anyhow::Result<crate::app::AppState> {
    let db = connect_and_migrate(&config).await?;
    let verifier = crate::auth::Verifier::new(&config.jwt)?;
    crate::app::AppState::new(config, db, verifier, Default::default())
}
