//! `wangshang`: the server binary.

mod config;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "wangshang",
    version,
    about = "Wangshang (旺商聊) business IM server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrates the database and serves the API.
    Serve {
        /// A TOML configuration file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Dev mode: dev outbox page and API, messages recorded instead of sent.
        #[arg(long)]
        dev: bool,
    },
    /// Applies pending database migrations and exits.
    Migrate {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Prints the effective configuration (secrets redacted).
    Config {
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        dev: bool,
    },
    /// Writes every security event as JSON lines to standard output (as `admin audit export`).
    #[command(hide = true)]
    ExportEvents {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Operators' tasks.
    Admin {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        task: AdminTask,
    },
}

#[derive(Subcommand)]
enum AdminTask {
    /// An account: look it up, lock or unlock sign-in, sign it out everywhere.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Support-desk agents (role `support_agent`; an agent also needs two-factor on to act).
    Agent {
        #[command(subcommand)]
        action: AgentAction,
    },
    /// The audit log (security events).
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// A consistent online copy of a SQLite database to FILE (for PostgreSQL use pg_dump).
    Backup { file: PathBuf },
    /// The search index.
    Search {
        #[command(subcommand)]
        action: SearchAction,
    },
}

#[derive(Subcommand)]
enum SearchAction {
    /// Rebuilds the index from the messages in the database (safe while the server runs;
    /// results are incomplete until it ends).
    Rebuild,
}

#[derive(Subcommand)]
enum AccountAction {
    /// Bindings (masked), factors, sessions and lock state; never a secret.
    Show {
        /// An account id, phone number or e-mail address.
        account: String,
    },
    /// Refuses sign-in until unlocked and ends every session.
    Lock { account: String },
    /// Lifts a lock (an operator's, or one from failed attempts).
    Unlock { account: String },
    /// Ends every session; the sockets close at once on every node.
    SignOut { account: String },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Every security event as JSON lines on standard output.
    Export {
        /// Only events at or after this date (YYYY-MM-DD, UTC) or RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        /// Only this account's events (an account id, phone number or e-mail address).
        #[arg(long)]
        account: Option<String>,
    },
}

#[derive(Subcommand)]
enum AgentAction {
    /// Gives an account the `support_agent` role.
    Add {
        /// An account id, phone number or e-mail address.
        account: String,
    },
    /// Takes the role away.
    Remove { account: String },
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    init_tracing();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wangshang: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { config, dev } => serve(config::load(config.as_deref(), dev)?).await,
        Command::Migrate { config } => {
            let cfg = config::load(config.as_deref(), false)?;
            let store = store::connect(&cfg.database_url)
                .await
                .map_err(|e| e.to_string())?;
            store::migrate(&store).await.map_err(|e| e.to_string())?;
            println!("migrated {}", store.dialect().name());
            Ok(())
        }
        Command::Config { config, dev } => {
            let cfg = config::load(config.as_deref(), dev)?;
            print!(
                "{}",
                toml::to_string_pretty(&cfg).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::Admin { config, task } => admin(config, task).await,
        Command::ExportEvents { config } => {
            let app = server::startup::build(config::load(config.as_deref(), false)?).await?;
            export_audit(&app, None, None).await
        }
    }
}

/// `wangshang admin …`.
async fn admin(config: Option<PathBuf>, task: AdminTask) -> Result<(), String> {
    let cfg = config::load(config.as_deref(), false)?;
    if let AdminTask::Backup { file } = &task {
        // Recorded in the log: a backup concerns no one account, so it has no security event.
        store::backup(&cfg.database_url, file).map_err(|e| e.to_string())?;
        tracing::info!(file = %file.display(), "admin backup written");
        println!("backup written to {}", file.display());
        return Ok(());
    }
    let app = server::startup::build(cfg).await?;
    let err = |e: domain::Error| match e {
        domain::Error::NotFound => "no such account".to_owned(),
        other => other.to_string(),
    };
    match task {
        AdminTask::Backup { .. } => Ok(()),
        AdminTask::Account { action } => match action {
            AccountAction::Show { account } => {
                let report = app.admin_show_account(&account).await.map_err(err)?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                );
                Ok(())
            }
            AccountAction::Lock { account } => {
                let id = app.admin_lock_account(&account).await.map_err(err)?;
                println!("locked {id}; every session ended");
                Ok(())
            }
            AccountAction::Unlock { account } => {
                let id = app.admin_unlock_account(&account).await.map_err(err)?;
                println!("unlocked {id}");
                Ok(())
            }
            AccountAction::SignOut { account } => {
                let (id, n) = app.admin_sign_out(&account).await.map_err(err)?;
                println!("signed out {id}: {n} sessions ended");
                Ok(())
            }
        },
        AdminTask::Audit {
            action: AuditAction::Export { since, account },
        } => {
            let since = since.as_deref().map(parse_since).transpose()?;
            let account = match account {
                Some(a) => Some(app.admin_audit_account(&a).await.map_err(err)?),
                None => None,
            };
            export_audit(&app, since, account.as_deref()).await
        }
        AdminTask::Search {
            action: SearchAction::Rebuild,
        } => {
            let n = app
                .rebuild_search_index()
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(messages = n, "admin search index rebuilt");
            println!("search index rebuilt: {n} messages indexed");
            Ok(())
        }
        AdminTask::Agent { action } => {
            let (who, on) = match &action {
                AgentAction::Add { account } => (account, true),
                AgentAction::Remove { account } => (account, false),
            };
            let id = app
                .set_support_agent(who, on)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{} support_agent: {id}",
                if on { "added" } else { "removed" }
            );
            Ok(())
        }
    }
}

/// `--since`: a date (midnight UTC) or an RFC 3339 time, as epoch milliseconds.
fn parse_since(s: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&format!("{s}T00:00:00Z"), &Rfc3339))
        .map_err(|_| format!("--since {s:?}: expected YYYY-MM-DD or an RFC 3339 time"))?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())
}

/// Writes the matching security events as JSON lines.
async fn export_audit(
    app: &domain::Wangshang,
    since: Option<i64>,
    account: Option<&str>,
) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let mut after = 0;
    loop {
        let (page, next) = app
            .admin_audit_page(after, 1000, since, account)
            .await
            .map_err(|e| e.to_string())?;
        for e in &page {
            let line = serde_json::json!({
                "id": e.id, "account_id": e.account_id, "kind": e.kind,
                "at": domain::clock::to_datetime(e.at).to_string(), "ip": e.ip,
                "user_agent": e.user_agent, "flags": e.flags,
            });
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
        match next {
            Some(n) => after = n,
            None => return Ok(()),
        }
    }
}

async fn serve(cfg: domain::config::Config) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let dev = cfg.dev;
    let running = server::start(cfg, listener).await?;
    tracing::info!(addr = %running.addr, backend = running.app.backend(), dev, "wangshang is serving");
    if dev {
        tracing::info!(
            "dev mode: messages appear at http://{}/api/v1/dev/outbox",
            running.addr
        );
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
