//! The `clinicpress` command.

use std::ffi::OsString;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use axum::serve::ListenerExt;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use clinicpress::accounts::users::{self, RoleArg};
use clinicpress::search::service::SearchService;
use clinicpress::shutdown::Workers;
use clinicpress::{backup, clinics::provision, config, db, demo, posts::import, web, wordpress};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(name = "clinicpress", version, about = "Content and lead-capture CMS for clinic groups")]
struct Cli {
    /// A TOML file of settings: any option that has an environment variable,
    /// by its long name (`smtp_url = "smtp://127.0.0.1:2525"`). The command
    /// line and the environment win over the file.
    #[arg(long, global = true, env = config::file::ENV, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the SQLite database and other data.
    #[arg(long, global = true, env = "CLINICPRESS_DATA", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL (postgres://… or sqlite://…). Default: SQLite in the data directory.
    #[arg(long, global = true, env = "DATABASE_URL", value_parser = db::check_url, hide_env_values = true)]
    database_url: Option<String>,
    /// SQLite durability: normal (a commit survives the process being
    /// killed) or full (also a power loss; each commit waits for the disk).
    #[arg(long, global = true, env = "CLINICPRESS_SQLITE_SYNCHRONOUS", default_value = "normal",
          value_parser = config::SqliteSync::parse)]
    sqlite_synchronous: config::SqliteSync,
    /// Seconds a request waits for a database connection before it is
    /// answered "503, try again" (while the database is away).
    #[arg(long, global = true, env = "CLINICPRESS_DB_ACQUIRE_TIMEOUT", default_value = "5",
          value_parser = db::check_acquire_timeout)]
    db_acquire_timeout: std::time::Duration,
    /// Which log lines to write (tracing's filter syntax), e.g. "info" or "info,clinicpress=debug".
    #[arg(long = "log", global = true, env = "CLINICPRESS_LOG", default_value = config::DEFAULT_LOG_FILTER,
          value_parser = config::check_log_filter)]
    log_filter: String,
    /// Log line format: text for people, json (one object per line) for log collectors.
    #[arg(long, global = true, env = "CLINICPRESS_LOG_FORMAT", value_enum, default_value_t = config::LogFormat::Text)]
    log_format: config::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sites (migrates the database first).
    Serve {
        /// Seconds a process holds an outbox row it is delivering; another
        /// process takes the row over once this has passed (after a crash).
        #[arg(long, env = clinicpress::leads::outbox::LEASE_ENV, default_value_t = clinicpress::leads::outbox::CLAIM as u32,
              value_parser = clap::value_parser!(u32).range(1..=3600))]
        outbox_lease_seconds: u32,
        /// Seconds to let requests in flight and the workers' rows in hand
        /// finish after SIGTERM or Ctrl-C.
        #[arg(long, env = "CLINICPRESS_SHUTDOWN_TIMEOUT", default_value = "20",
              value_parser = clinicpress::shutdown::check_timeout)]
        shutdown_timeout: std::time::Duration,
        /// The built site's assets (CSS, the browser bundle); by default
        /// `site/` beside the binary's folder (target/site).
        #[arg(long, env = "CLINICPRESS_SITE_ROOT", value_name = "DIR")]
        site_root: Option<PathBuf>,
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
        #[arg(long, env = "SMTP_URL", value_parser = clinicpress::mail::check_smtp_url, hide_env_values = true)]
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
        /// A second address (keep it private) serving /healthz, /readyz and
        /// /metrics without a token, e.g. 127.0.0.1:9100.
        #[arg(long, env = "CLINICPRESS_ADMIN_ADDR")]
        admin_addr: Option<SocketAddr>,
        /// Serve /metrics on the public address too, to requests with
        /// `Authorization: Bearer <token>`. Without it /metrics there is 404.
        #[arg(long, env = "CLINICPRESS_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// /readyz fails while the search index is more than this many changes behind.
        #[arg(long, env = "CLINICPRESS_READY_MAX_INDEX_LAG", default_value_t = clinicpress::ops::health::DEFAULT_MAX_INDEX_LAG)]
        ready_max_index_lag: u64,
        /// Memory in MiB for rendered public pages kept to be served again
        /// (0 turns the page cache off).
        #[arg(long, env = "CLINICPRESS_PAGE_CACHE_MB", default_value_t = clinicpress::page_cache::DEFAULT_MAX_MB,
              value_parser = clap::value_parser!(u32).range(0..=65_536))]
        page_cache_mb: u32,
    },
    /// Check the configuration (file, environment) and print the settings
    /// `serve` would run with, secrets masked.
    #[command(subcommand)]
    Config(ConfigCommand),
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
enum ConfigCommand {
    /// Print each setting of `serve` and where its value comes from; fail on a bad value.
    Check,
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

/// Parse the command line over the configuration file's values. Bad values
/// in the file or the environment are all reported at once, each with where
/// it came from; clap reports a bad command line itself (and exits).
fn parse_cli(args: &[OsString]) -> Result<(Cli, config::file::FileValues), Vec<String>> {
    let base = Cli::command();
    let file = config::file::load(args, &base)?;
    let matches = config::file::apply(base, &file).try_get_matches_from(args).unwrap_or_else(|e| exit_masked(e));
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| exit_masked(e));
    Ok((cli, file))
}

/// Exit with clap's message (help, version, a bad argument), passwords in
/// URLs masked: a bad value typed on the command line is repeated in it.
fn exit_masked(e: clap::Error) -> ! {
    if !e.use_stderr() {
        e.exit();
    }
    eprint!("{}", config::file::mask_urls(&e.render().to_string()));
    std::process::exit(e.exit_code());
}

/// `clinicpress config check`: the arguments are parsed again as `serve`'s,
/// and each of its settings is printed with its source.
fn config_check(args: &[OsString], file: &config::file::FileValues) -> ExitCode {
    let at = args.windows(2).rposition(|w| w[0] == "config" && w[1] == "check").unwrap_or(args.len());
    let mut serve_args = args.to_vec();
    serve_args.splice(at..(at + 2).min(args.len()), [OsString::from("serve")]);
    let cmd = config::file::apply(Cli::command(), file);
    let matches = cmd.clone().try_get_matches_from(&serve_args).unwrap_or_else(|e| exit_masked(e));
    let Some(serve) = matches.subcommand_matches("serve") else { return ExitCode::FAILURE };
    match &file.path {
        Some(path) => println!("# Clinicpress settings for `serve`, with the file {} (secrets masked)", path.display()),
        None => println!("# Clinicpress settings for `serve`, no configuration file (secrets masked)"),
    }
    print!("{}", config::file::describe(&cmd, &matches, "serve", serve, file));
    println!("# every value is valid");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (cli, file) = match parse_cli(&args) {
        Ok(parsed) => parsed,
        Err(problems) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            return ExitCode::from(2);
        }
    };
    if matches!(cli.command, Command::Config(ConfigCommand::Check)) {
        return config_check(&args, &file);
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log_filter).expect("checked by config::check_log_filter");
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.log_format {
        config::LogFormat::Text => logs.init(),
        config::LogFormat::Json => logs.json().init(),
    }
    limit_malloc_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let cli_log_format = cli.log_format;
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            // A JSON line for a log collector too, when logs are JSON.
            if cli_log_format == config::LogFormat::Json {
                tracing::error!("{e:#}");
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc's allocator gives threads that allocate at the same time arenas of
/// their own, up to eight per core, and memory freed in one arena serves
/// only that arena again. A server's threads (request workers, blocking
/// tasks, the search pool) spread over up to sixteen arenas on two cores:
/// measured, 190 MB resident after a minute of load where two arenas hold
/// 100 MB (README, "Benchmark suite"). One arena per core, at least two;
/// `MALLOC_ARENA_MAX` in the environment still decides when it is set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let arenas = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    let arenas = libc::c_int::try_from(arenas).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets a tuning value of glibc's allocator; it is
    // called here before any other thread of this process exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

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
    let options = db::DbOptions { sqlite_synchronous: cli.sqlite_synchronous, acquire_timeout: cli.db_acquire_timeout };
    let conn = db::connect_with(&url, &options).await.context("cannot open the database")?;
    db::migrate(&conn).await.context("cannot apply database migrations")?;
    Ok(conn)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Serve {
            outbox_lease_seconds,
            shutdown_timeout,
            site_root,
            addr,
            demo,
            secure_cookies,
            trust_proxy,
            smtp_url,
            sitemap_limit,
            local_webhooks,
            admin_addr,
            metrics_token,
            ready_max_index_lag,
            page_cache_mb,
        } => {
            let started = std::time::Instant::now();
            // First: one server per data directory (its search index).
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("cannot create the data directory {}", cli.data_dir.display()))?;
            let _index_lock = clinicpress::search::service::lock_dir(&cli.data_dir)?;
            let conn = open_db(&cli).await?;
            if *demo && demo::load_if_empty(&conn).await.context("cannot load the demo content")? {
                tracing::info!("loaded the demo clinics and articles");
            }
            let site_root = site_root.clone().unwrap_or_else(config::site_root);
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
            settings.ops.metrics_token = metrics_token.as_deref().and_then(clinicpress::ops::MetricsToken::new);
            settings.ops.max_index_lag = *ready_max_index_lag;
            settings.page_cache.max_bytes = *page_cache_mb as usize * 1024 * 1024;
            let mut workers = Workers::default();
            let stop = workers.token();
            // Installed now (not when first polled), before anything listens:
            // a signal is never met by its default action once `/healthz` answers.
            tokio::spawn(clinicpress::shutdown::on_signal(stop.clone()));
            settings.ops.stopping = stop.clone();
            let (search, search_state) = SearchService::open(&cli.data_dir).context("cannot open the search index")?;
            workers.add("publisher", clinicpress::posts::publisher::spawn(conn.clone(), stop.clone()));
            workers.add("indexer", search.spawn_indexer(conn.clone(), search_state, stop.clone()));
            let outbox = clinicpress::leads::outbox::Outbox::new(conn.clone(), settings.mailer.clone())
                .with_local_webhooks(settings.local_webhooks)
                .with_lease(chrono::Duration::seconds((*outbox_lease_seconds).into()));
            let longest = clinicpress::mail::SMTP_TIMEOUT.max(clinicpress::leads::webhook::TIMEOUT);
            if u64::from(*outbox_lease_seconds) <= longest.as_secs() {
                tracing::warn!(
                    "the outbox lease ({outbox_lease_seconds} s) is not longer than the longest delivery ({} s): with several processes a notice still being sent may be taken over and sent twice",
                    longest.as_secs()
                );
            }
            workers.add("outbox", outbox.spawn(stop.clone()));
            // Unanswered leads escalated each minute; finished ones deleted daily after the clinic's retention period.
            let links = clinicpress::leads::escalation::Links { https: *secure_cookies, port: addr.port() };
            let escalator = clinicpress::leads::escalation::Escalator::new(conn.clone(), outbox.clone(), links);
            workers.add("escalation", escalator.spawn(stop.clone()));
            workers.add("retention", clinicpress::leads::retention::spawn(conn.clone(), stop.clone()));
            // This machine's clock against PostgreSQL's, at start and every
            // minute (SQLite's clock is this machine's: nothing to compare).
            if sea_orm::ConnectionTrait::get_database_backend(&conn) == sea_orm::DatabaseBackend::Postgres {
                workers.add("clock", clinicpress::db::clock::spawn_skew_check(conn.clone(), stop.clone()));
            }
            let admin = match admin_addr {
                Some(at) => {
                    let ops = clinicpress::ops::Ops::new(conn.clone(), search.clone(), settings.ops.clone());
                    Some(
                        clinicpress::ops::spawn_admin(*at, ops)
                            .await
                            .with_context(|| format!("cannot listen on {at}"))?,
                    )
                }
                None => None,
            };
            let app = web::router(conn.clone(), options, settings, search, outbox);
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
            // SIGTERM or Ctrl-C: stop accepting, let requests in flight
            // finish (at most the shutdown time), stop the workers after
            // the row in hand, close the pool. (The handlers were installed
            // before the listener opened.)
            let grace = *shutdown_timeout;
            let serving = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(stop.clone().cancelled_owned())
                .into_future();
            // Requests and workers share one shutdown time, counted from the signal.
            let served = async {
                let served = clinicpress::shutdown::bounded(&stop, grace, serving).await;
                stop.cancel();
                served
            };
            let stopped = async {
                stop.cancelled().await;
                workers.stop(grace).await;
            };
            let (served, ()) = tokio::join!(served, stopped);
            if let Some(admin) = admin {
                admin.abort();
            }
            let clean = match served {
                Some(result) => {
                    result?;
                    true
                }
                None => {
                    tracing::warn!("requests still running after {} s; stopping anyway", grace.as_secs_f64());
                    false
                }
            };
            // The pool waits for every connection to come back; a request cut off may hold one.
            match tokio::time::timeout(std::time::Duration::from_secs(5), conn.close()).await {
                Ok(closed) => closed.context("cannot close the database pool")?,
                Err(_) => tracing::warn!("database connections still in use after 5 s; exiting without them"),
            }
            if clean {
                tracing::info!("stopped cleanly");
            } else {
                tracing::info!("stopped");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Check) => Ok(ExitCode::SUCCESS),
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
