//! `homegames serve`: the local game server.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use containment::Limits;
use host::server::assets::AssetSources;
use host::server::{serve, Isolation, ServeConfig};

use super::limit_args::LimitArgs;

#[derive(Args, Debug)]
#[command(
    after_help = "Open http://127.0.0.1:PORT/ and pick a game; a second browser on the same game joins the same session."
)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port for the lobby, the sessions and their WebSockets.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Folders holding one game per subfolder (repeatable). Default: ./games.
    #[arg(long = "games", value_name = "DIR")]
    games: Vec<PathBuf>,
    /// Percent of the view kept around each game, as the original server does.
    #[arg(long, default_value_t = 9)]
    bezel: u8,
    /// Close a session after this many seconds without players.
    #[arg(long, default_value_t = 60)]
    idle_timeout: u64,
    /// Where sessions run: `inline` (inside this process; the default, so a laptop needs nothing
    /// else) or `container` (one Docker container per session; required in production: without
    /// a reachable Docker no session starts).
    #[arg(long, value_parser = ["inline", "container"], default_value = "inline")]
    isolation: String,
    /// A folder of asset files named by asset id, for assets games declare but do not ship.
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
    /// An HTTP asset service for assets found nowhere else: GET <URL>/<id> (e.g. the api's
    /// http://127.0.0.1:8090/assets). Without a network they load as empty.
    #[arg(long, value_name = "URL")]
    asset_url: Option<String>,
    /// Where fetched assets are kept between runs.
    #[arg(long, value_name = "DIR", default_value = ".asset_cache")]
    asset_cache: PathBuf,
    /// Also serve the original browser client from this homegames-web package folder, at
    /// /classic/<session>/ (for comparing clients; not shipped with us).
    #[arg(long, value_name = "DIR")]
    classic_client: Option<PathBuf>,
    /// With container isolation: how many containers to keep started and waiting for a session.
    #[arg(long, default_value_t = 2)]
    warm: usize,
    /// Most sessions running at once; past it `/play` and `/new` answer 503 (host full).
    #[arg(long, default_value_t = 64)]
    max_sessions: usize,
    /// Most running sessions one client address may have started; past it, 429. Raise it for an
    /// address that starts sessions for many people (the api's).
    #[arg(long, default_value_t = 16)]
    max_sessions_per_address: usize,
    /// The token the platform (the api) presents to remove a deleted game or asset from this
    /// server (`DELETE /api/games/<slug>`, `DELETE /api/assets/<id>`). Without one, nobody can.
    #[arg(long, env = "HOMEGAMES_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

impl ServeArgs {
    pub fn run(self) -> Result<()> {
        let config = ServeConfig {
            game_roots: if self.games.is_empty() {
                vec![PathBuf::from("games")]
            } else {
                self.games
            },
            bezel: (self.bezel, self.bezel),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            isolation: match self.isolation.as_str() {
                "container" => Isolation::Container {
                    worker_binary: std::env::current_exe().context("locating this binary")?,
                    limits: Limits::default(),
                    docker_host: None,
                    warm: self.warm,
                },
                _ => Isolation::Inline,
            },
            limits: self.limits.limits(),
            classic_client: self.classic_client,
            assets: AssetSources {
                folder: self.assets,
                url: self.asset_url,
                cache: Some(self.asset_cache),
            },
            max_sessions: self.max_sessions,
            max_sessions_per_address: self.max_sessions_per_address,
            admin_token: self.admin_token,
            ..ServeConfig::default()
        };
        let addr = format!("{}:{}", self.host, self.port);
        let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("listening on {addr}"))?;
            // The bound address: with --port 0 the system picked the port, and this line says which.
            eprintln!(
                "homegames: serving the lobby on http://{}/",
                listener.local_addr()?
            );
            serve(listener, config).await.context("serving")
        })
    }
}
