//! The `clinicpress` command.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use clinicpress::accounts::users::{self, RoleArg};
use clinicpress::search::service::SearchService;
use clinicpress::{backup, clinics::provision, config, db, demo, posts::import, web, wordpress};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(name = "clinicpress", version, about = "Content and lead-capture CMS for clinic groups")]
struct Cli {
    /// Directory for the SQLite database and other data.
    #[arg(long, global = true, env = "CLINICPRESS_DATA", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL (postgres://… or sqlite://…). Default: SQLite in the data directory.
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sites (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "CLINICPRESS_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Load the demo clinics and articles if the database is empty.
        #[arg(long)]
        demo: bool,
        /// Mark the session cookie Secure: set this when the site is served over HTTPS.
        #[arg(long, env = "CLINICPRESS_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Behind a reverse proxy: take the client address from X-Forwarded-For (for sign-in throttling).
        #[arg(long, env = "CLINICPRESS_TRUST_PROXY")]
        trust_proxy: bool,
        /// SMTP server for outgoing mail, e.g. smtp://127.0.0.1:2525 or
        /// smtps://user:password@mail.example.com. Without it, mail is written
        /// as .eml files under DATA_DIR/mail.
        #[arg(long, env = "SMTP_URL")]
        smtp_url: Option<String>,
        /// Addresses per sitemap file (1 to 50000); a clinic with more pages
        /// gets a sitemap index at /sitemap.xml naming /sitemap/1.xml, ...
        #[arg(long, env = "CLINICPRESS_SITEMAP_LIMIT", default_value_t = 50_000,
              value_parser = clap::value_parser!(u32).range(1..=50_000))]
        sitemap_limit: u32,
        /// Let lead webhooks be plain http to this machine (a test receiver
        /// such as http://127.0.0.1:9000/hook). Off by default: clinic admins
        /// could otherwise make the server post to its own local services.
        #[arg(long, env = "CLINICPRESS_LOCAL_WEBHOOKS")]
        local_webhooks: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create or update clinics, locations, authors and users from a TOML file.
    Provision {
        /// The provision file.
        file: PathBuf,
    },
    /// Import Markdown posts (files or folders) with YAML front matter, or a
    /// WordPress export (the .xml file from Tools → Export).
    Import {
        /// Slug of the clinic the posts belong to.
        #[arg(long)]
        clinic: String,
        /// Markdown files or folders, or WordPress export files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Rebuild the search index from the database. A running server keeps
    /// answering from the old index and switches to the new one when done.
    Reindex,
    /// Copy the database to a new file while the server keeps running
    /// (SQLite); on PostgreSQL, print the pg_dump command to use.
    Backup {
        /// The backup file to write (never overwritten).
        path: PathBuf,
    },
    /// Replace the database with a backup (SQLite; stop the server first);
    /// on PostgreSQL, print the pg_restore command to use.
    Restore {
        /// A file written by `clinicpress backup`.
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a user. The password is read from --password-env, else asked for.
    Create {
        email: String,
        /// Full name, as shown to colleagues.
        #[arg(long)]
        name: String,
        /// A role: CLINIC:admin, CLINIC:marketer or CLINIC:staff:LOCATION (repeatable).
        #[arg(long = "role")]
        roles: Vec<RoleArg>,
        /// Network owner: may manage the clinics themselves.
        #[arg(long)]
        owner: bool,
        /// Read the password from this environment variable.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Create the account without a password (it cannot sign in until one is set).
        #[arg(long, conflicts_with = "password_env")]
        no_password: bool,
    },
    /// Set a user's password (ends their sessions).
    Passwd {
        email: String,
        /// Read the password from this environment variable.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
    /// Disable a user: they can no longer sign in, and their sessions end.
    Disable { email: String },
    /// Enable a disabled user again.
    Enable { email: String },
    /// List users and their roles.
    List,
}

/// A password from an environment variable, the terminal (asked twice), or
/// the first line of standard input when it is not a terminal.
fn read_password(env_var: Option<&str>) -> Result<String> {
    use std::io::IsTerminal;
    if let Some(var) = env_var {
        return std::env::var(var).with_context(|| format!("environment variable ${var} is not set"));
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLINICPRESS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn report(outcome: backup::Outcome) -> Result<ExitCode> {
    match outcome {
        backup::Outcome::Done(message) | backup::Outcome::RunThis(message) => println!("{message}"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn open_db(cli: &Cli) -> Result<sea_orm::DatabaseConnection> {
    let url = match &cli.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("cannot create the data directory {}", cli.data_dir.display()))?;
            db::default_sqlite_url(&cli.data_dir)
        }
    };
    let conn = db::connect(&url).await.context("cannot open the database")?;
    db::migrate(&conn).await.context("cannot apply database migrations")?;
    Ok(conn)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Serve { addr, demo, secure_cookies, trust_proxy, smtp_url, sitemap_limit, local_webhooks } => {
            let started = std::time::Instant::now();
            let conn = open_db(&cli).await?;
            if *demo && demo::load_if_empty(&conn).await.context("cannot load the demo content")? {
                tracing::info!("loaded the demo clinics and articles");
            }
            let site_root = config::site_root();
            if !site_root.join("pkg").is_dir() {
                tracing::warn!(site_root = %site_root.display(), "no built site assets here; run `cargo leptos build --release` or set CLINICPRESS_SITE_ROOT");
            }
            let options = web::leptos_options(&site_root, *addr);
            let mut settings = config::WebSettings::for_data_dir(&cli.data_dir);
            settings.secure_cookies = *secure_cookies;
            settings.trust_proxy = *trust_proxy;
            settings.sitemap_limit = *sitemap_limit as usize;
            if *local_webhooks {
                settings.local_webhooks = clinicpress::leads::webhook::LocalHttp::Allowed;
            }
            if let Some(url) = smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
                settings.mailer = clinicpress::mail::Mailer::smtp(url.trim())
                    .with_context(|| "SMTP_URL is not a valid SMTP URL (like smtp://127.0.0.1:2525)")?;
            }
            tracing::info!("outgoing mail: {}", settings.mailer.describe());
            let publisher = clinicpress::posts::publisher::spawn(conn.clone());
            let (search, search_state) = SearchService::open(&cli.data_dir).context("cannot open the search index")?;
            let indexer = search.spawn_indexer(conn.clone(), search_state);
            let outbox = clinicpress::leads::outbox::Outbox::new(conn.clone(), settings.mailer.clone())
                .with_local_webhooks(settings.local_webhooks);
            let sender = outbox.spawn();
            // Unanswered leads escalated each minute; finished ones deleted daily after the clinic's retention period.
            let links = clinicpress::leads::escalation::Links { https: *secure_cookies, port: addr.port() };
            let escalator = clinicpress::leads::escalation::Escalator::new(conn.clone(), outbox.clone(), links).spawn();
            let retention = clinicpress::leads::retention::spawn(conn.clone());
            let app = web::router(conn, options, settings, search, outbox);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?
                .tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
            let port = addr.port();
            tracing::info!(
                "serving on http://{addr} (ready in {} ms) — try http://pmc.localhost:{port}/ or http://localhost:{port}/",
                started.elapsed().as_millis()
            );
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await?;
            publisher.abort();
            indexer.abort();
            sender.abort();
            escalator.abort();
            retention.abort();
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let conn = open_db(&cli).await?;
            let pending = db::pending_migrations(&conn).await?;
            println!("database is up to date ({} pending)", pending.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Provision { file } => {
            let name = file.display().to_string();
            let source = std::fs::read_to_string(file).with_context(|| format!("cannot read {name}"))?;
            let plan = provision::plan(&name, &source, |var| std::env::var(var).ok())?;
            let conn = open_db(&cli).await?;
            let applied = provision::apply(&conn, plan).await?;
            println!(
                "provisioned {} clinic(s), {} location(s), {} author(s), {} user(s) from {name}",
                applied.clinics, applied.locations, applied.authors, applied.users
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { path } => {
            let target = backup::Target::of(cli.database_url.as_deref(), &cli.data_dir)?;
            let conn = match target {
                backup::Target::Sqlite { .. } => Some(open_db(&cli).await?),
                backup::Target::Postgres { .. } => None,
            };
            report(backup::backup(conn.as_ref(), &target, path, &cli.data_dir).await?)
        }
        Command::Restore { path } => {
            let target = backup::Target::of(cli.database_url.as_deref(), &cli.data_dir)?;
            report(backup::restore(&target, path, &cli.data_dir).await?)
        }
        Command::Reindex => {
            let conn = open_db(&cli).await?;
            let total = clinicpress::search::document::count_published(&conn).await?;
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} posts {elapsed}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            let started = std::time::Instant::now();
            let (n, name) = clinicpress::search::service::reindex(&conn, &cli.data_dir, |k| bar.inc(k as u64))
                .await
                .context("cannot rebuild the search index")?;
            bar.finish_and_clear();
            println!(
                "indexed {n} published post(s) in {:.1} s into {}",
                started.elapsed().as_secs_f64(),
                cli.data_dir.join("search").join(name).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { clinic, paths } => {
            if let Some(exports) = wordpress::cli::wxr_paths(paths)? {
                return wordpress::cli::run(&open_db(&cli).await?, clinic, &exports).await;
            }
            let files = import::collect_files(paths)?;
            let conn = open_db(&cli).await?;
            let bar = ProgressBar::new(files.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            let report = import::import(&conn, clinic, &files, |path, result| {
                bar.inc(1);
                bar.set_message(path.display().to_string());
                if let Err(e) = result {
                    // suspend(), not println(): println is silent when the bar is hidden (no TTY).
                    bar.suspend(|| eprintln!("failed: {}: {e}", path.display()));
                }
            })
            .await?;
            bar.finish_and_clear();
            println!(
                "imported {} new and {} updated post(s) into \"{clinic}\"; {} failed",
                report.created,
                report.updated,
                report.failed.len()
            );
            Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Users(cmd) => {
            let conn = open_db(&cli).await?;
            match cmd {
                UsersCommand::Create { email, name, roles, owner, password_env, no_password } => {
                    let password = if *no_password { None } else { Some(read_password(password_env.as_deref())?) };
                    let user = users::create(&conn, email, name, password.as_deref(), roles, *owner).await?;
                    println!("created user {} (id {})", user.email, user.id);
                }
                UsersCommand::Passwd { email, password_env } => {
                    let password = read_password(password_env.as_deref())?;
                    users::set_password(&conn, email, &password).await?;
                    println!("password changed for {email}; their sessions have ended");
                }
                UsersCommand::Disable { email } => {
                    users::set_disabled(&conn, email, true).await?;
                    println!("{email} is disabled; their sessions have ended");
                }
                UsersCommand::Enable { email } => {
                    users::set_disabled(&conn, email, false).await?;
                    println!("{email} is enabled");
                }
                UsersCommand::List => {
                    for (u, roles) in users::list(&conn).await? {
                        let mut flags = Vec::new();
                        if u.is_owner {
                            flags.push("owner");
                        }
                        if u.disabled {
                            flags.push("disabled");
                        }
                        if u.password_hash.is_none() {
                            flags.push("no password");
                        }
                        println!("{}\t{}\t{}\t{}", u.email, u.name, roles.join(" "), flags.join(","));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
