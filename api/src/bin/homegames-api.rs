//! `homegames-api`: the platform REST API server.

// The publish worker's scan builds and drops a syntax tree of many small nodes per file;
// mimalloc makes that about 12% faster than the system allocator (`cargo bench -p ast-scan`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
#[command(
    name = "homegames-api",
    about = "The Homegames platform API: accounts, games, versions and the catalog",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API (OpenAPI document at /openapi.json, a route list at /docs).
    Serve(ServeArgs),
    /// Validate and publish queued publish requests (run one or more next to `serve`).
    Worker(WorkerArgs),
}

#[derive(clap::Args)]
struct Services {
    /// MongoDB connection string (a real mongod, a replica set, or SecantusDB).
    #[arg(
        long,
        env = "HG_MONGO_URL",
        default_value = "mongodb://127.0.0.1:27017/?directConnection=true"
    )]
    mongo_url: String,
    /// Database name.
    #[arg(long, env = "HG_MONGO_DB", default_value = "homegames")]
    database: String,
    /// RabbitMQ connection string (the publish queue).
    #[arg(
        long,
        env = "HG_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    amqp_url: String,
    /// Name of the durable publish queue.
    #[arg(long, env = "HG_PUBLISH_QUEUE", default_value = "publish_requests")]
    publish_queue: String,
}

#[derive(clap::Args)]
struct WorkerArgs {
    #[command(flatten)]
    services: Services,
    /// The `homegames` binary: its test runs happen in containers built from it.
    /// Default: the `homegames` next to this binary.
    #[arg(long, env = "HG_HOMEGAMES_BIN")]
    homegames_bin: Option<PathBuf>,
    /// Docker's socket (default: the local engine).
    #[arg(long, env = "DOCKER_HOST")]
    docker_host: Option<String>,
    /// Run test runs in this process instead of containers (development only: never for
    /// publishing games written by others).
    #[arg(long)]
    inline_validation: bool,
    /// Scratch folder for the files under test.
    #[arg(long, default_value = "/tmp/homegames-publish")]
    work_dir: PathBuf,
    /// Seconds of game time each test run lasts.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Fault tests only: wait this long after claiming each job.
    #[arg(long, hide = true, default_value_t = 0)]
    pause_after_claim_ms: u64,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HG_API_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    #[command(flatten)]
    services: Services,
    /// Secret that signs tokens. Without one, a random secret is made (tokens die with the process).
    #[arg(long, env = "HG_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// The development mail sender also appends each message here as a JSON line.
    #[arg(long, env = "HG_MAIL_LOG")]
    mail_log: Option<PathBuf>,
    /// The game server that runs sessions (`homegames serve`), e.g. http://127.0.0.1:8080.
    #[arg(long, env = "HG_HOST_URL")]
    host_url: Option<String>,
    /// Where published versions are written for that server (serve it with --games DIR).
    #[arg(long, env = "HG_PUBLISHED_DIR", default_value = "published")]
    published_dir: PathBuf,
}

fn main() -> Result<()> {
    // Inline validation runs games in this process; before any thread exists (it sets an
    // environment variable), keep their compiled code off the disk.
    host::keep_compiled_code_off_disk();
    tokio::runtime::Runtime::new()
        .context("starting the async runtime")?
        .block_on(run())
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::Worker(args) => worker(args).await,
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let secret = args.jwt_secret.unwrap_or_else(|| {
        tracing::warn!("no --jwt-secret (HG_JWT_SECRET): using a random one; tokens will not survive a restart");
        hex::encode(rand::random::<[u8; 32]>())
    });
    let mut config = ApiConfig::new(&args.services.mongo_url, &args.services.database, secret);
    config.mail_log = args.mail_log;
    config.amqp_url = args.services.amqp_url;
    config.publish_queue = args.services.publish_queue;
    config.host_url = args.host_url;
    config.published_dir = args.published_dir;
    let store = Store::connect(&config.mongo_url, &config.database)
        .await
        .context("bad MongoDB connection string")?;
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
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(addr = %args.listen, "homegames-api listening");
    // With the client's address: sign-in throttling is per (login, address).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

async fn worker(args: WorkerArgs) -> Result<()> {
    use api::worker::{Validator, Worker};
    let store = Store::connect(&args.services.mongo_url, &args.services.database)
        .await
        .context("bad MongoDB connection string")?;
    let validator = if args.inline_validation {
        tracing::warn!("--inline-validation: test runs happen in this process, not in containers");
        Validator::Inline
    } else {
        let bin = match args.homegames_bin {
            Some(b) => b,
            None => std::env::current_exe()?.with_file_name("homegames"),
        };
        anyhow::ensure!(
            bin.is_file(),
            "{} not found: pass --homegames-bin (cargo build -p host builds it)",
            bin.display()
        );
        let containers = host::server::container::Containers::for_validation(
            &bin,
            Default::default(),
            args.docker_host.as_deref(),
        )
        .await
        .context(
            "publishing needs Docker for its test runs (or --inline-validation for development)",
        )?;
        Validator::Contained(Box::new(containers))
    };
    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("creating {}", args.work_dir.display()))?;
    let worker = Worker {
        store,
        validator,
        work_dir: args.work_dir,
        seconds: args.seconds,
        pause_after_claim: Duration::from_millis(args.pause_after_claim_ms),
    };
    loop {
        if let Ok(n) = api::worker::unfinished(&worker.store).await {
            tracing::info!(
                unfinished = n,
                "publish requests not yet finished (RabbitMQ redelivers their jobs)"
            );
        }
        match worker
            .consume(&args.services.amqp_url, &args.services.publish_queue)
            .await
        {
            Ok(()) => tracing::warn!("the queue closed; reconnecting"),
            Err(e) => tracing::warn!(error = %e, "queue unavailable; retrying in 2 s"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
