//! `homegames serve`: the lobby, sessions addressed by URL on one port, and the WebSocket protocol
//! of the existing browser client. This module holds what every part shares (the server's state,
//! its sessions and their seats) and the routes; the parts are by job: `config` (what a server is
//! asked to be), `pages` (lobby, session page, listings), `tables` (joining or starting a
//! session), `player_socket` (one player's WebSocket), `session` (an inline session on its own
//! thread), `contained_session` (a session in a container), `admin` (the platform's removals),
//! `catalog` and `assets` (the games and what they load).

pub mod admin;
pub mod assets;
pub mod catalog;
mod config;
pub mod contained_session;
pub mod exceptions;
mod pages;
mod player_socket;
pub mod protocol;
pub mod session;
mod tables;

pub use config::{Isolation, ServeConfig};

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use axum::http::header;
use axum::routing::{delete, get};
use axum::Router;
use tokio::net::TcpListener;

use catalog::GameEntry;
use containment::Containers;
use session::Commands;

struct SessionHandle {
    game: String,
    commands: Commands,
    seats: Arc<Mutex<Seats>>,
    /// The container a contained session runs in.
    container: Arc<Mutex<Option<String>>>,
    /// The client address whose `/play` or `/new` started the session.
    creator: IpAddr,
    /// Frame bytes waiting to be written to this session's clients, all together.
    queued: Arc<AtomicUsize>,
    /// Told to end (its game was removed): counted once, and `/play` no longer routes to it.
    ending: bool,
    /// What its game threw (a contained session's worker passes them on).
    exceptions: exceptions::Exceptions,
}

/// A session's seats: who holds which player id, and the secret that gets it back.
#[derive(Default)]
struct Seats {
    /// Player ids in use, connected or away.
    taken: BTreeSet<u8>,
    /// Players whose connection dropped, with the drop's number (a later drop supersedes).
    away: HashMap<u8, u64>,
    /// Each seat's secret, given to its holder at join; only it takes the seat back after a drop.
    secrets: HashMap<u8, String>,
    /// The ids that are spectators (connected or away).
    spectators: BTreeSet<u8>,
}

impl Seats {
    fn release(&mut self, player: u8) {
        self.taken.remove(&player);
        self.secrets.remove(&player);
        self.spectators.remove(&player);
    }
}

struct AppState {
    config: ServeConfig,
    /// With container isolation: the engine, or why it cannot be used (then no session starts).
    containers: Option<Result<Containers, String>>,
    /// Discovered at start; a folder that appears later under a game root (a newly published
    /// version, say) is added the first time someone asks for it.
    games: std::sync::RwLock<Vec<GameEntry>>,
    sessions: Mutex<HashMap<String, SessionHandle>>,
}

impl AppState {
    fn game(&self, slug: &str) -> Option<GameEntry> {
        self.games
            .read()
            .unwrap()
            .iter()
            .find(|g| g.slug == slug)
            .cloned()
    }

    /// The game called `slug`, looking for a new folder of that name under the game roots when it
    /// is not known yet. Loading runs the game's metadata, so it happens off the async threads.
    async fn find_or_discover(self: &Arc<Self>, slug: &str) -> Option<GameEntry> {
        if let Some(g) = self.game(slug) {
            return Some(g);
        }
        let plain = !slug.is_empty()
            && slug
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            return None;
        }
        let dir = self
            .config
            .game_roots
            .iter()
            .map(|r| r.join(slug))
            .find(|d| d.join("index.js").is_file())?;
        let found =
            catalog::discover_one_for_server(&dir, &self.config.assets, self.containers.as_ref())
                .await?;
        let mut games = self.games.write().unwrap();
        if !games.iter().any(|g| g.slug == found.slug) {
            tracing::info!(game = %found.slug, "new game folder discovered");
            games.push(found.clone());
        }
        Some(found)
    }
}

/// Serves until the listener fails. Games are discovered once at start.
pub async fn serve(listener: TcpListener, config: ServeConfig) -> std::io::Result<()> {
    let containers = match &config.isolation {
        Isolation::Inline => None,
        Isolation::Container {
            worker_binary,
            limits,
            docker_host,
            warm,
        } => {
            let options = config.session_options();
            let settings = containment::SessionSettings::from(&options);
            Some(Containers::connect(worker_binary, limits.clone(), docker_host.as_deref(), &config.game_roots, Some(settings), *warm).await.map_err(|e| {
            tracing::error!(error = %e, "container isolation is unavailable: sessions will not start");
            e.to_string()
        }))
        }
    };
    // In container mode no game code runs here: metadata comes from a contained describe run.
    let games =
        catalog::discover_for_server(&config.game_roots, &config.assets, containers.as_ref()).await;
    tracing::info!(games = games.len(), addr = %listener.local_addr()?, "serving");
    let state = Arc::new(AppState {
        config,
        containers,
        games: std::sync::RwLock::new(games),
        sessions: Mutex::new(HashMap::new()),
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(pages::root))
        .route("/config.json", get(pages::classic_config))
        .route("/classic/{id}/", get(pages::classic_page))
        .route("/classic/{id}/{file}", get(pages::classic_file))
        .route("/api/games", get(pages::list_games))
        .route("/api/sessions", get(pages::list_sessions))
        .route("/play/{game}", get(tables::play))
        .route("/new/{game}", get(tables::new_table))
        .route("/session/{id}", get(pages::session_page))
        .route("/ws/{id}", get(player_socket::websocket))
        .route("/api/games/{game}", delete(admin::remove_game))
        .route(
            "/api/sessions/{id}/exceptions",
            get(admin::session_exceptions),
        )
        .route("/api/assets/{id}", delete(admin::remove_asset))
        .route(
            "/client.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    pages::CLIENT_JS,
                )
            }),
        )
        .with_state(state)
}
