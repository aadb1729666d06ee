//! `homegames serve`: the lobby, sessions addressed by URL on one port, and the WebSocket protocol
//! of the existing browser client. Each session's isolate runs on its own thread (`session.rs`).

pub mod assets;
pub mod catalog;
pub mod container;
pub mod protocol;
pub mod session;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::net::TcpListener;

use catalog::GameEntry;
use container::{Containers, Limits};
use js_runtime::IsolateLimits;
use protocol::{init_message, ClientMessage};
use session::{Command, Outgoing, SessionOptions};

/// Where session isolates run.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// Inside the server process, one thread per session: for development and `play`.
    Inline,
    /// Each session in its own Docker container running `worker_binary session-worker`. Required
    /// in production; with Docker unreachable no session starts.
    Container {
        worker_binary: PathBuf,
        limits: Limits,
        /// The engine's socket (`unix:///…`); `None` for the local default (or DOCKER_HOST).
        docker_host: Option<String>,
        /// Containers kept started and waiting, so a new session does not wait for a cold start.
        warm: usize,
    },
}

/// Settings of a server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub game_roots: Vec<PathBuf>,
    /// Percent of the view kept around the game (the original's default is 9).
    pub bezel: (u8, u8),
    /// A session with no players for this long is closed.
    pub idle_timeout: Duration,
    /// Largest client message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Most client messages per second per connection; the excess is dropped.
    pub max_messages_per_second: u32,
    pub isolation: Isolation,
    /// Heap and CPU caps of each session's isolate.
    pub limits: IsolateLimits,
    /// A player whose connection drops keeps their place this long, to come back with `ready.id`.
    pub reconnect_grace: Duration,
    /// Where assets a game declares but does not ship are looked up by id (after the game's own
    /// `assets/` folder): a folder, then an HTTP asset service through a disk cache. Bundles are
    /// built once per game and kept in memory.
    pub assets: assets::AssetSources,
    /// The original browser client's package folder (homegames-web 1.4.2, with `web/` and `src/`),
    /// to serve it at `/classic/<session>/`. We do not ship it; tests install it.
    pub classic_client: Option<PathBuf>,
}

impl ServeConfig {
    fn session_options(&self) -> SessionOptions {
        SessionOptions { bezel: (self.bezel.0 as f64, self.bezel.1 as f64), idle_timeout: self.idle_timeout, limits: self.limits }
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            game_roots: vec![PathBuf::from("games")],
            bezel: (9, 9),
            idle_timeout: Duration::from_secs(60),
            max_message_bytes: 64 * 1024,
            max_messages_per_second: 200,
            isolation: Isolation::Inline,
            limits: IsolateLimits::default(),
            reconnect_grace: Duration::from_secs(10),
            classic_client: None,
            assets: assets::AssetSources::default(),
        }
    }
}

struct SessionHandle {
    game: String,
    commands: std::sync::mpsc::Sender<Command>,
    /// Player ids in use, connected or away.
    players: Arc<Mutex<BTreeSet<u8>>>,
    /// Players whose connection dropped, with the drop's number (a later drop supersedes).
    away: Arc<Mutex<HashMap<u8, u64>>>,
    /// The container a contained session runs in.
    container: Arc<Mutex<Option<String>>>,
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
        self.games.read().unwrap().iter().find(|g| g.slug == slug).cloned()
    }

    /// The game called `slug`, looking for a new folder of that name under the game roots when it
    /// is not known yet. Loading runs the game's metadata, so it happens off the async threads.
    async fn find_or_discover(self: &Arc<Self>, slug: &str) -> Option<GameEntry> {
        if let Some(g) = self.game(slug) {
            return Some(g);
        }
        let plain = !slug.is_empty() && slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            return None;
        }
        let dir = self.config.game_roots.iter().map(|r| r.join(slug)).find(|d| d.join("index.js").is_file())?;
        let assets = self.config.assets.clone();
        let found = tokio::task::spawn_blocking(move || catalog::discover_one(&dir, &assets)).await.ok()??;
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
    let (roots, assets) = (config.game_roots.clone(), config.assets.clone());
    let games = tokio::task::spawn_blocking(move || catalog::discover(&roots, &assets)).await.map_err(std::io::Error::other)?;
    tracing::info!(games = games.len(), addr = %listener.local_addr()?, "serving");
    let containers = match &config.isolation {
        Isolation::Inline => None,
        Isolation::Container { worker_binary, limits, docker_host, warm } => {
            let options = config.session_options();
            Some(Containers::connect(worker_binary, limits.clone(), docker_host.as_deref(), &config.game_roots, &options, *warm).await.map_err(|e| {
            tracing::error!(error = %e, "container isolation is unavailable: sessions will not start");
            e.to_string()
        }))
        }
    };
    let state = Arc::new(AppState { config, containers, games: std::sync::RwLock::new(games), sessions: Mutex::new(HashMap::new()) });
    axum::serve(listener, router(state)).await
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/config.json", get(classic_config))
        .route("/classic/{id}/", get(classic_page))
        .route("/classic/{id}/{file}", get(classic_file))
        .route("/api/games", get(list_games))
        .route("/api/sessions", get(list_sessions))
        .route("/play/{game}", get(play))
        .route("/new/{game}", get(new_table))
        .route("/session/{id}", get(session_page))
        .route("/ws/{id}", get(websocket))
        .route("/client.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], CLIENT_JS) }))
        .with_state(state)
}

const LOBBY_HTML: &str = include_str!("../../client/lobby.html");
const SESSION_HTML: &str = include_str!("../../client/session.html");
const CLIENT_JS: &str = include_str!("../../client/client.js");

/// The lobby, or, for the original client (which opens its WebSocket at the root path), the
/// session named by the cookie its page was served with.
async fn root(
    State(s): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        return Html(LOBBY_HTML).into_response();
    };
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("hg_session=").map(String::from));
    match session {
        Some(id) => websocket(State(s), Path(id), ws).await,
        None => (StatusCode::BAD_REQUEST, "no session: open a game from the lobby first").into_response(),
    }
}

/// What the original client reads at start: the port to connect to (ours) and the bezel.
async fn classic_config(State(s): State<Arc<AppState>>, headers: axum::http::HeaderMap) -> Response {
    let port = headers.get(header::HOST).and_then(|h| h.to_str().ok()).and_then(|h| h.rsplit(':').next()).and_then(|p| p.parse::<u16>().ok()).unwrap_or(80);
    Json(serde_json::json!({"HOME_PORT": port, "BEZEL_SIZE_X": s.config.bezel.0, "BEZEL_SIZE_Y": s.config.bezel.1})).into_response()
}

async fn classic_page(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(dir) = s.config.classic_client.clone() else {
        return (StatusCode::NOT_FOUND, "the original client is not configured on this server").into_response();
    };
    match std::fs::read_to_string(dir.join("web/index.html")) {
        Ok(html) => ([(header::SET_COOKIE, format!("hg_session={id}; Path=/; SameSite=Strict"))], Html(html)).into_response(),
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
    }
}

async fn classic_file(State(s): State<Arc<AppState>>, Path((_id, file)): Path<(String, String)>) -> Response {
    let Some(dir) = s.config.classic_client.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (path, kind) = match file.as_str() {
        "bundle.js" => (dir.join("web/bundle.js"), "text/javascript"),
        "socket.js" => (dir.join("src/socket.js"), "text/javascript"),
        "app.css" => (dir.join("web/app.css"), "text/css"),
        "favicon.ico" => (dir.join("web/favicon.ico"), "image/x-icon"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match std::fs::read(path) {
        Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn list_games(State(s): State<Arc<AppState>>) -> Json<Vec<GameEntry>> {
    Json(s.games.read().unwrap().clone())
}

#[derive(Serialize)]
struct SessionInfo {
    id: String,
    game: String,
    players: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<String>,
}

async fn list_sessions(State(s): State<Arc<AppState>>) -> Json<Vec<SessionInfo>> {
    let sessions = s.sessions.lock().unwrap();
    let mut v: Vec<SessionInfo> = sessions
        .iter()
        .map(|(id, h)| SessionInfo {
            id: id.clone(),
            game: h.game.clone(),
            players: h.players.lock().unwrap().iter().copied().collect(),
            container: h.container.lock().unwrap().clone(),
        })
        .collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    Json(v)
}

/// Joins a running session of the game, or starts one; then sends the browser there. This is what
/// "open the same game in a second browser to play together" means.
async fn play(State(s): State<Arc<AppState>>, Path(game): Path<String>) -> Response {
    open_table(&s, &game, false).await
}

/// Always starts a session of its own (a second group playing the same game apart from the first).
async fn new_table(State(s): State<Arc<AppState>>, Path(game): Path<String>) -> Response {
    open_table(&s, &game, true).await
}

async fn open_table(s: &Arc<AppState>, game: &str, fresh: bool) -> Response {
    let Some(entry) = s.find_or_discover(game).await else {
        return (StatusCode::NOT_FOUND, format!("no game called {game:?}")).into_response();
    };
    if let Some(Err(why)) = &s.containers {
        return (StatusCode::SERVICE_UNAVAILABLE, why.clone()).into_response();
    }
    let existing =
        if fresh { None } else { s.sessions.lock().unwrap().iter().find(|(_, h)| h.game == game).map(|(id, _)| id.clone()) };
    let id = match existing {
        Some(id) => id,
        None => start_session(s, entry),
    };
    Redirect::to(&format!("/session/{id}")).into_response()
}

fn start_session(state: &Arc<AppState>, game: GameEntry) -> String {
    let id = format!("{:08x}", rand_u32());
    let (tx, rx) = std::sync::mpsc::channel();
    let players = Arc::new(Mutex::new(BTreeSet::new()));
    let container: Arc<Mutex<Option<String>>> = Default::default();
    state.sessions.lock().unwrap().insert(id.clone(), SessionHandle { game: game.slug.clone(), commands: tx, players, away: Default::default(), container: container.clone() });
    let options = state.config.session_options();
    let (state, sid) = (state.clone(), id.clone());
    if let Some(Ok(containers)) = &state.containers {
        let containers = containers.clone();
        tokio::spawn(async move {
            tracing::info!(session = %sid, game = %game.slug, "contained session starting");
            let reason = containers.run_session(&game, &options, rx, container).await;
            state.sessions.lock().unwrap().remove(&sid);
            tracing::info!(session = %sid, %reason, "session ended");
        });
        return id;
    }
    std::thread::Builder::new()
        .name(format!("session-{id}"))
        .spawn(move || {
            tracing::info!(session = %sid, game = %game.slug, "session started");
            let reason = session::run(&game, &options, rx);
            state.sessions.lock().unwrap().remove(&sid);
            tracing::info!(session = %sid, %reason, "session ended");
        })
        .expect("spawn session thread");
    id
}

async fn session_page(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    if !s.sessions.lock().unwrap().contains_key(&id) {
        return (StatusCode::NOT_FOUND, Html("<p>That session has ended. <a href=\"/\">Back to the lobby</a></p>")).into_response();
    }
    Html(SESSION_HTML).into_response()
}

async fn websocket(State(s): State<Arc<AppState>>, Path(id): Path<String>, ws: WebSocketUpgrade) -> Response {
    let Some((commands, players, away, game)) =
        s.sessions.lock().unwrap().get(&id).map(|h| (h.commands.clone(), h.players.clone(), h.away.clone(), h.game.clone()))
    else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    let Some(entry) = s.game(&game) else {
        return (StatusCode::NOT_FOUND, "no such game").into_response();
    };
    let config = s.config.clone();
    ws.max_message_size(config.max_message_bytes).on_upgrade(move |socket| connection(socket, commands, players, away, entry, config))
}

/// One player's connection: `ready` first, then init, frames out and input in until either side
/// closes. Malformed or excessive messages are dropped with a logged reason.
async fn connection(
    mut socket: WebSocket,
    commands: std::sync::mpsc::Sender<Command>,
    players: Arc<Mutex<BTreeSet<u8>>>,
    away: Arc<Mutex<HashMap<u8, u64>>>,
    game: GameEntry,
    config: ServeConfig,
) {
    let (wanted, client_info, spectating) = loop {
        match socket.recv().await {
            Some(Ok(Message::Text(t))) => match ClientMessage::parse(&t) {
                Ok(ClientMessage::Ready { id, client_info, spectating }) => break (id, client_info, spectating),
                Ok(_) => tracing::debug!("message before ready ignored"),
                Err(e) => tracing::debug!(error = %e, "bad message before ready"),
            },
            Some(Ok(_)) => {}
            _ => return,
        }
    };
    // Coming back within the grace period: the same id and place.
    let returning = wanted.filter(|id| away.lock().unwrap().remove(id).is_some());
    let assigned = {
        let mut taken = players.lock().unwrap();
        if let Some(id) = returning {
            taken.insert(id);
        }
        let id = returning.or_else(|| wanted.filter(|i| !taken.contains(i))).or_else(|| (1..=255u8).find(|i| !taken.contains(i)));
        if let Some(id) = id {
            taken.insert(id);
        }
        id
    };
    let Some(player) = assigned else {
        let _ = socket.send(Message::Close(Some(CloseFrame { code: 1013, reason: "the session is full".into() }))).await;
        return;
    };
    let init = init_message(player, game.aspect, config.bezel, &game.squish_version);
    let (frames_tx, mut frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let name = format!("player{player}");
    let command = if returning.is_some() {
        Command::Reconnect { player, frames: frames_tx }
    } else if spectating {
        Command::Spectate { player, frames: frames_tx }
    } else {
        Command::Join { player, name, client_info: client_info.get("clientInfo").cloned().unwrap_or(client_info), frames: frames_tx }
    };
    let mut joined = socket.send(Message::Binary(init.into())).await.is_ok();
    if let Some(bundle) = &game.bundle {
        joined = joined && socket.send(Message::Binary(bundle.as_ref().clone().into())).await.is_ok();
    }
    let joined = joined && commands.send(command).is_ok();
    let (mut sink, mut stream) = socket.split();
    let mut window = (Instant::now(), 0u32);
    // Serve the player until either side goes away (nothing to serve if the join failed).
    if joined {
        loop {
            tokio::select! {
                out = frames_rx.recv() => match out {
                    Some(Outgoing::Frame(bytes)) => if sink.send(Message::Binary(bytes.into())).await.is_err() { break },
                    Some(Outgoing::Close(reason)) => {
                        let reason: String = reason.chars().take(120).collect();
                        let _ = sink.send(Message::Close(Some(CloseFrame { code: 1011, reason: reason.into() }))).await;
                        break;
                    }
                    None => break,
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        if window.0.elapsed() >= Duration::from_secs(1) { window = (Instant::now(), 0); }
                        window.1 += 1;
                        if window.1 > config.max_messages_per_second {
                            tracing::debug!(player, "message rate limit: dropped");
                            continue;
                        }
                        match ClientMessage::parse(&t) {
                            Ok(message) => { let _ = commands.send(Command::Input { player, message }); }
                            Err(e) => tracing::debug!(player, error = %e, "client message ignored"),
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    if config.reconnect_grace.is_zero() {
        let _ = commands.send(Command::Leave { player });
        players.lock().unwrap().remove(&player);
        return;
    }
    // Keep the place for the grace period; leave for real only if no reconnect came.
    static DROPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let drop_no = DROPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    away.lock().unwrap().insert(player, drop_no);
    tokio::time::sleep(config.reconnect_grace).await;
    let gone = {
        let mut away = away.lock().unwrap();
        let still = away.get(&player) == Some(&drop_no);
        if still {
            away.remove(&player);
        }
        still
    };
    if gone {
        let _ = commands.send(Command::Leave { player });
        players.lock().unwrap().remove(&player);
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    h.finish() as u32
}
