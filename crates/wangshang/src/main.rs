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
    /// Writes every security event as JSON lines to standard output.
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
    /// Support-desk agents (role `support_agent`; an agent also needs two-factor on to act).
    Agent {
        #[command(subcommand)]
        action: AgentAction,
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
        Command::Admin {
            config,
            task: AdminTask::Agent { action },
        } => {
            let app = server::startup::build(config::load(config.as_deref(), false)?).await?;
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
        Command::ExportEvents { config } => {
            let app = server::startup::build(config::load(config.as_deref(), false)?).await?;
            let mut after = 0;
            loop {
                let page = app
                    .export_events(after, 1000)
                    .await
                    .map_err(|e| e.to_string())?;
                let Some(last) = page.last() else {
                    return Ok(());
                };
                after = last.id;
                for e in &page {
                    let line = serde_json::json!({
                        "id": e.id, "account_id": e.account_id, "kind": e.kind,
                        "at": domain::clock::to_datetime(e.at).to_string(), "ip": e.ip,
                        "user_agent": e.user_agent, "flags": e.flags,
                    });
                    println!("{line}");
                }
            }
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
