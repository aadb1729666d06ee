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
    /// Answer queued AI edits with an OpenAI-compatible chat endpoint, checking each answer with
    /// the security scan and a contained test run (run next to `serve`).
    LlmWorker(LlmWorkerArgs),
    /// Administration from the command line (needs only the database).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// What git runs in our repositories (`pre-receive`); not meant to be typed by hand.
    #[command(hide = true)]
    GitHook(GitHookArgs),
}

#[derive(clap::Args)]
struct GitHookArgs {
    /// The hook git runs: pre-receive.
    #[arg(value_parser = ["pre-receive"])]
    hook: String,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Make the account with this display name (or email) an admin.
    Grant(AdminArgs),
    /// Take admin rights away from it.
    Revoke(AdminArgs),
}

#[derive(clap::Args)]
struct AdminArgs {
    /// The account's display name or email address.
    name: String,
    #[command(flatten)]
    db: Database,
}

#[derive(clap::Args)]
struct Database {
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
}

#[derive(clap::Args)]
struct Services {
    #[command(flatten)]
    db: Database,
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
    /// The `homegames` binary: its test runs happen in containers built from it (or, with
    /// --inline-validation, in it as a child process). Default: the `homegames` next to this
    /// binary.
    #[arg(long, env = "HG_HOMEGAMES_BIN")]
    homegames_bin: Option<PathBuf>,
    /// Docker's socket (default: the local engine).
    #[arg(long, env = "DOCKER_HOST")]
    docker_host: Option<String>,
    /// Run test runs as a plain child process (`homegames validate`) instead of in containers
    /// (development only, on a machine without Docker: never for games written by others).
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
struct LlmWorkerArgs {
    #[command(flatten)]
    services: Services,
    /// The OpenAI-compatible endpoint's base URL: requests go to URL/chat/completions
    /// (llama.cpp's server: http://127.0.0.1:8080/v1, Ollama: http://127.0.0.1:11434/v1).
    #[arg(long, env = "HG_LLM_URL")]
    llm_url: String,
    /// The model to ask for.
    #[arg(long, env = "HG_LLM_MODEL", default_value = "default")]
    llm_model: String,
    /// A bearer token for the endpoint, if it wants one.
    #[arg(long, env = "HG_LLM_API_KEY", hide_env_values = true)]
    llm_api_key: Option<String>,
    /// The queue AI edits come through.
    #[arg(long, env = "HG_LLM_QUEUE", default_value = "llm_requests")]
    llm_queue: String,
    /// Answers asked for per edit (the first, then retries with the failed checks).
    #[arg(long, default_value_t = api::llm::DEFAULT_MAX_ATTEMPTS)]
    attempts: i32,
    /// The `homegames` binary the test runs use (default: next to this binary).
    #[arg(long, env = "HG_HOMEGAMES_BIN")]
    homegames_bin: Option<PathBuf>,
    /// Docker's socket (default: the local engine).
    #[arg(long, env = "DOCKER_HOST")]
    docker_host: Option<String>,
    /// Test runs as a plain child process instead of in containers (development only).
    #[arg(long)]
    inline_validation: bool,
    /// Scratch folder for the files under test.
    #[arg(long, default_value = "/tmp/homegames-llm")]
    work_dir: PathBuf,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HG_API_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    #[command(flatten)]
    services: Services,
    /// Secret that signs tokens. Without one, the one kept in the data folder (made on first
    /// start) is used, so tokens survive a restart.
    #[arg(long, env = "HG_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Where the API keeps its token secret and, by default, the published games
    /// (default: $XDG_DATA_HOME/homegames-api or ~/.local/share/homegames-api).
    #[arg(long, env = "HG_API_DATA")]
    data_dir: Option<PathBuf>,
    /// The development mail sender also appends each message here as a JSON line.
    #[arg(long, env = "HG_MAIL_LOG")]
    mail_log: Option<PathBuf>,
    /// The game server that runs sessions (`homegames serve`), e.g. http://127.0.0.1:8080.
    #[arg(long, env = "HG_HOST_URL")]
    host_url: Option<String>,
    /// That server's admin token (its --admin-token): deletions and unpublishing reach it with
    /// this (its games leave the lobby, their sessions end, removed assets leave its cache).
    #[arg(long, env = "HG_HOST_ADMIN_TOKEN", hide_env_values = true)]
    host_admin_token: Option<String>,
    /// The image classifier's ONNX model (open_nsfw; `scripts/fetch-model` downloads it and
    /// prints its path). Without it uploaded images are not scored.
    #[arg(long, env = "HG_NSFW_MODEL")]
    nsfw_model: Option<PathBuf>,
    /// Images scoring at least this (0 to 1) are flagged as not safe for work.
    #[arg(long, env = "HG_NSFW_THRESHOLD", default_value_t = api::moderation::DEFAULT_THRESHOLD)]
    nsfw_threshold: f64,
    /// Where published versions are written for that server (serve it with --games DIR).
    /// Default: `published` in the data folder.
    #[arg(long, env = "HG_PUBLISHED_DIR")]
    published_dir: Option<PathBuf>,
    /// Where the games' git repositories live. Default: `git` in the data folder.
    #[arg(long, env = "HG_GIT_DIR")]
    git_dir: Option<PathBuf>,
    /// The API's address as clients reach it (for clone URLs). Default: http://<--listen>.
    #[arg(long, env = "HG_PUBLIC_URL")]
    public_url: Option<String>,
    /// The web site's files (pages, scripts and the editor library). Default: the `web` folder
    /// of this source tree; `scripts/web-deps` installs the editor library into it.
    #[arg(long, env = "HG_WEB_DIR")]
    web_dir: Option<PathBuf>,
    /// The model endpoint an `llm-worker` uses: set, AI edit is offered and its requests queued;
    /// unset, the Studio says AI edit is off.
    #[arg(long, env = "HG_LLM_URL")]
    llm_url: Option<String>,
    /// The queue AI edits go through (the llm-worker's --llm-queue).
    #[arg(long, env = "HG_LLM_QUEUE", default_value = "llm_requests")]
    llm_queue: String,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // git runs the hook with the push in quarantine: it answers with its exit code, and what it
    // prints reaches the pusher as `remote: ...` lines.
    if let Command::GitHook(_) = cli.command {
        std::process::exit(api::git::hook::pre_receive());
    }
    tokio::runtime::Runtime::new()
        .context("starting the async runtime")?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Worker(args) => worker(args).await,
        Command::LlmWorker(args) => llm_worker(args).await,
        Command::Admin(AdminCommand::Grant(args)) => set_admin(args, true).await,
        Command::Admin(AdminCommand::Revoke(args)) => set_admin(args, false).await,
        Command::GitHook(_) => unreachable!("answered before the runtime starts"),
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let data_dir = args.data_dir.unwrap_or_else(api::config::default_data_dir);
    let secret = match args.jwt_secret {
        Some(s) => s,
        None => api::config::stable_jwt_secret(&data_dir).with_context(|| {
            format!(
                "the token secret in {} (or pass --jwt-secret)",
                data_dir.display()
            )
        })?,
    };
    let published_dir = args
        .published_dir
        .unwrap_or_else(|| data_dir.join("published"));
    std::fs::create_dir_all(&published_dir)
        .with_context(|| format!("creating {}", published_dir.display()))?;
    tracing::info!(data = %data_dir.display(), published = %published_dir.display(), "data folders");
    let mut config = ApiConfig::new(
        &args.services.db.mongo_url,
        &args.services.db.database,
        secret,
    );
    config.mail_log = args.mail_log;
    config.amqp_url = args.services.amqp_url;
    config.publish_queue = args.services.publish_queue;
    config.host_url = args.host_url;
    config.host_admin_token = args.host_admin_token;
    config.nsfw_model = args.nsfw_model;
    config.nsfw_threshold = args.nsfw_threshold;
    config.published_dir = published_dir;
    config.git_root = args.git_dir.unwrap_or_else(|| data_dir.join("git"));
    config.llm_available = args.llm_url.is_some();
    config.llm_queue = args.llm_queue;
    if let Some(dir) = args.web_dir {
        config.web_dir = dir;
    }
    config.public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{}", args.listen));
    let store = Store::connect(&config.mongo_url, &config.database)
        .await
        .context("bad MongoDB connection string")?;
    // The API starts even while the database is down (it answers 503 until it is back); indexes
    // are made as soon as it can be reached.
    let state = Arc::new(Inner::new(config, store)?);
    state
        .repos
        .install_hooks()
        .with_context(|| format!("writing the git hooks in {}", state.repos.root().display()))?;
    let starting = state.clone();
    tokio::spawn(async move {
        loop {
            match starting.store.ensure_indexes().await {
                Ok(()) => break tracing::info!("database indexes ready"),
                Err(e) => tracing::warn!(error = %e, "database not reachable yet; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        // Versions saved before games had repositories become commits (once; idempotent).
        match api::git::migrate::migrate_all(&starting).await {
            Ok(m) => tracing::info!(
                repositories = m.repositories,
                commits = m.commits,
                "game sources in git"
            ),
            Err(e) => tracing::warn!(error = %e, "migrating game sources into git"),
        }
        // Images uploaded while no classifier ran are scored now.
        match starting.moderation.classify_unscored(&starting.store).await {
            Ok(n) => tracing::info!(scored = n, "unscored images scored"),
            Err(e) => tracing::warn!(error = %e, "unscored images not scored"),
        }
    });
    let app = build_app(state);
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

/// How test runs happen: in containers from `homegames_bin` (the `homegames` next to this binary
/// by default), or as a plain child process with `inline`.
async fn validator(
    homegames_bin: Option<PathBuf>,
    docker_host: Option<&str>,
    inline: bool,
) -> Result<api::worker::Validator> {
    use api::worker::Validator;
    let bin = match homegames_bin {
        Some(b) => b,
        None => std::env::current_exe()?.with_file_name("homegames"),
    };
    anyhow::ensure!(
        bin.is_file(),
        "{} not found: pass --homegames-bin (cargo build -p host builds it)",
        bin.display()
    );
    Ok(if inline {
        tracing::warn!("--inline-validation: test runs happen in an unconfined child process, not in containers");
        Validator::Uncontained { homegames_bin: bin }
    } else {
        let containers =
            containment::Containers::for_validation(&bin, Default::default(), docker_host)
                .await
                .context("test runs need Docker (or --inline-validation for development)")?;
        Validator::Contained(Box::new(containers))
    })
}

async fn llm_worker(args: LlmWorkerArgs) -> Result<()> {
    let store = Store::connect(&args.services.db.mongo_url, &args.services.db.database)
        .await
        .context("bad MongoDB connection string")?;
    let validator = validator(
        args.homegames_bin,
        args.docker_host.as_deref(),
        args.inline_validation,
    )
    .await?;
    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("creating {}", args.work_dir.display()))?;
    let worker = api::llm::LlmWorker {
        store,
        validator,
        http: reqwest::Client::new(),
        url: args.llm_url,
        model: args.llm_model,
        api_key: args.llm_api_key,
        max_attempts: args.attempts.max(1),
        work_dir: args.work_dir,
        seconds: 2.0,
    };
    loop {
        if let Err(e) = worker
            .consume(&args.services.amqp_url, &args.llm_queue)
            .await
        {
            tracing::warn!(error = %e, "the AI edit queue is away; reconnecting in 2 s");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn worker(args: WorkerArgs) -> Result<()> {
    use api::worker::Worker;
    let store = Store::connect(&args.services.db.mongo_url, &args.services.db.database)
        .await
        .context("bad MongoDB connection string")?;
    let validator = validator(
        args.homegames_bin,
        args.docker_host.as_deref(),
        args.inline_validation,
    )
    .await?;
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

/// `homegames-api admin grant|revoke NAME`: sets the account's admin flag in the database.
async fn set_admin(args: AdminArgs, admin: bool) -> Result<()> {
    let store = Store::connect(&args.db.mongo_url, &args.db.database)
        .await
        .context("bad MongoDB connection string")?;
    let login = args.name.trim().to_lowercase();
    let changed = store
        .users()
        .update_one(
            mongodb::bson::doc! {"$or": [{"displayNameLower": &login}, {"emailLower": &login}]},
            mongodb::bson::doc! {"$set": {"isAdmin": admin}},
        )
        .await
        .context("the database did not answer")?;
    anyhow::ensure!(
        changed.matched_count == 1,
        "no account is named {:?} (give its display name or email)",
        args.name
    );
    println!(
        "{} {} an admin",
        args.name,
        if admin { "is now" } else { "is no longer" }
    );
    Ok(())
}
