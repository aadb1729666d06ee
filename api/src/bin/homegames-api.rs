//! `homegames-api`: the platform REST API server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use api::app::Inner;
use api::store::Store;
use api::{build_app, ApiConfig};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "homegames-api", about = "The Homegames platform API: accounts, games, versions and the catalog", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API (OpenAPI document at /openapi.json, a route list at /docs).
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HG_API_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// MongoDB connection string (a real mongod, a replica set, or SecantusDB).
    #[arg(long, env = "HG_MONGO_URL", default_value = "mongodb://127.0.0.1:27017/?directConnection=true")]
    mongo_url: String,
    /// Database name.
    #[arg(long, env = "HG_MONGO_DB", default_value = "homegames")]
    database: String,
    /// Secret that signs tokens. Without one, a random secret is made (tokens die with the process).
    #[arg(long, env = "HG_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// The development mail sender also appends each message here as a JSON line.
    #[arg(long, env = "HG_MAIL_LOG")]
    mail_log: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let secret = args.jwt_secret.unwrap_or_else(|| {
        tracing::warn!("no --jwt-secret (HG_JWT_SECRET): using a random one; tokens will not survive a restart");
        hex::encode(rand::random::<[u8; 32]>())
    });
    let mut config = ApiConfig::new(&args.mongo_url, &args.database, secret);
    config.mail_log = args.mail_log;
    let store = Store::connect(&config.mongo_url, &config.database).await.context("bad MongoDB connection string")?;
    // The API starts even while the database is down (it answers 503 until it is back); indexes
    // are made as soon as it can be reached.
    let indexing = store.clone();
    tokio::spawn(async move {
        loop {
            match indexing.ensure_indexes().await {
                Ok(()) => break tracing::info!("database indexes ready"),
                Err(e) => tracing::warn!(error = %e, "database not reachable yet; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    let app = build_app(Arc::new(Inner::new(config, store)?));
    let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(addr = %args.listen, "homegames-api listening");
    axum::serve(listener, app).with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await?;
    Ok(())
}
