//! `homegames serve`: the lobby, sessions addressed by URL on one port, and the WebSocket protocol
//! of the existing browser client. Each session's isolate runs on its own thread (`session.rs`).

pub mod admin;
pub mod assets;
pub mod catalog;
pub mod container;
pub mod protocol;
pub mod session;
pub mod worker_protocol;

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::net::TcpListener;
use tracing::Instrument;

use catalog::GameEntry;
use container::{Containers, Limits};
use js_runtime::IsolateLimits;
use protocol::{init_message, seat_message, ClientMessage};
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
    /// A connection that has not sent `ready` this long after opening is closed (1008).
    pub ready_timeout: Duration,
    /// Most sessions running on this server at once; past it `/play` and `/new` answer 503.
    pub max_sessions: usize,
    /// Most running sessions started by one client address; past it they answer 429.
    pub max_sessions_per_address: usize,
    /// Most spectators one session has at once; past it a spectator is refused (1013).
    pub max_spectators: usize,
    /// Most frames waiting to be written to one client; a client that lets more pile up is slow
    /// and is disconnected (1008).
    pub frame_queue: usize,
    /// Most frame bytes waiting to be written to one client (the same rule, counted in bytes).
    pub max_queued_bytes: usize,
    /// Most frame bytes waiting to be written to all the clients of one session together; the
    /// client whose frame would pass it is disconnected as slow.
    pub max_session_queued_bytes: usize,
    /// A frame larger than this is not sent: it is dropped (with a warning, once per connection)
    /// and the player gets the next frame that fits. The session goes on.
    pub max_frame_bytes: usize,
    /// The token the platform presents to the admin interface (`admin.rs`: removing a deleted
    /// game or asset); without one that interface refuses every request.
    pub admin_token: Option<String>,
}

impl ServeConfig {
    fn session_options(&self) -> SessionOptions {
        SessionOptions {
            bezel: (self.bezel.0 as f64, self.bezel.1 as f64),
            idle_timeout: self.idle_timeout,
            limits: self.limits,
        }
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
            ready_timeout: Duration::from_secs(10),
            max_sessions: 64,
            max_sessions_per_address: 16,
            max_spectators: 16,
            frame_queue: 64,
            max_queued_bytes: 8 << 20,
            max_session_queued_bytes: 64 << 20,
            max_frame_bytes: 4 << 20,
            admin_token: None,
        }
    }
}

struct SessionHandle {
    game: String,
    commands: std::sync::mpsc::Sender<Command>,
    seats: Arc<Mutex<Seats>>,
    /// The container a contained session runs in.
    container: Arc<Mutex<Option<String>>>,
    /// The client address whose `/play` or `/new` started the session.
    creator: IpAddr,
    /// Frame bytes waiting to be written to this session's clients, all together.
    queued: Arc<AtomicUsize>,
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
            Some(Containers::connect(worker_binary, limits.clone(), docker_host.as_deref(), &config.game_roots, &options, *warm).await.map_err(|e| {
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
        .route("/api/games/{game}", delete(admin::remove_game))
        .route("/api/assets/{id}", delete(admin::remove_asset))
        .route(
            "/client.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], CLIENT_JS) }),
        )
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
        None => (
            StatusCode::BAD_REQUEST,
            "no session: open a game from the lobby first",
        )
            .into_response(),
    }
}

/// What the original client reads at start: the port to connect to (ours) and the bezel.
async fn classic_config(
    State(s): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let port = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit(':').next())
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(80);
    Json(serde_json::json!({"HOME_PORT": port, "BEZEL_SIZE_X": s.config.bezel.0, "BEZEL_SIZE_Y": s.config.bezel.1})).into_response()
}

async fn classic_page(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(dir) = s.config.classic_client.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "the original client is not configured on this server",
        )
            .into_response();
    };
    match std::fs::read_to_string(dir.join("web/index.html")) {
        Ok(html) => (
            [(
                header::SET_COOKIE,
                format!("hg_session={id}; Path=/; SameSite=Strict"),
            )],
            Html(html),
        )
            .into_response(),
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
    }
}

async fn classic_file(
    State(s): State<Arc<AppState>>,
    Path((_id, file)): Path<(String, String)>,
) -> Response {
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
            players: h.seats.lock().unwrap().taken.iter().copied().collect(),
            container: h.container.lock().unwrap().clone(),
        })
        .collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    Json(v)
}

/// Joins a running session of the game, or starts one; then sends the browser there. This is what
/// "open the same game in a second browser to play together" means.
async fn play(
    State(s): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    Path(game): Path<String>,
) -> Response {
    open_table(&s, &game, false, from.ip()).await
}

/// Always starts a session of its own (a second group playing the same game apart from the first).
async fn new_table(
    State(s): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    Path(game): Path<String>,
) -> Response {
    open_table(&s, &game, true, from.ip()).await
}

async fn open_table(s: &Arc<AppState>, game: &str, fresh: bool, from: IpAddr) -> Response {
    let Some(entry) = s.find_or_discover(game).await else {
        return (StatusCode::NOT_FOUND, format!("no game called {game:?}")).into_response();
    };
    // A folder deleted under us (the platform removed the game and nobody told us) is forgotten.
    if !entry.dir.join("index.js").is_file() {
        admin::forget_game(s, game);
        tracing::info!(game, "game folder gone: forgotten");
        return (StatusCode::NOT_FOUND, format!("no game called {game:?}")).into_response();
    }
    if let Some(Err(why)) = &s.containers {
        return (StatusCode::SERVICE_UNAVAILABLE, why.clone()).into_response();
    }
    let existing = if fresh {
        None
    } else {
        s.sessions
            .lock()
            .unwrap()
            .iter()
            .find(|(_, h)| h.game == game)
            .map(|(id, _)| id.clone())
    };
    let id = match existing {
        Some(id) => id,
        None => match start_session(s, entry, from) {
            Ok(id) => id,
            Err(refused) => return refused.into_response(),
        },
    };
    Redirect::to(&format!("/session/{id}")).into_response()
}

/// A refused session: the status and a JSON body `{error, code, limit}` that says why.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    limit: usize,
    error: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({"error": self.error, "code": self.code, "limit": self.limit})),
        )
            .into_response()
    }
}

fn refusal(status: StatusCode, code: &'static str, limit: usize, error: String) -> Refusal {
    Refusal {
        status,
        code,
        limit,
        error,
    }
}

/// Starts a session for `game`, unless the server already runs `max_sessions` (503) or `from`
/// already started `max_sessions_per_address` that still run (429).
fn start_session(state: &Arc<AppState>, game: GameEntry, from: IpAddr) -> Result<String, Refusal> {
    let (tx, rx) = std::sync::mpsc::channel();
    let container: Arc<Mutex<Option<String>>> = Default::default();
    let id = {
        let mut sessions = state.sessions.lock().unwrap();
        let (cap, per) = (
            state.config.max_sessions,
            state.config.max_sessions_per_address,
        );
        if sessions.len() >= cap {
            tracing::warn!(%from, cap, "session refused: the server is full");
            return Err(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "host_full",
                cap,
                format!("this server runs its limit of {cap} sessions; try again later"),
            ));
        }
        if sessions.values().filter(|h| h.creator == from).count() >= per {
            tracing::warn!(%from, per, "session refused: too many sessions from one address");
            return Err(refusal(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_sessions",
                per,
                format!("your address already started {per} sessions that still run; join one or wait for one to end"),
            ));
        }
        let id = loop {
            let id = format!("{:08x}", rand_u32());
            if !sessions.contains_key(&id) {
                break id;
            }
        };
        sessions.insert(
            id.clone(),
            SessionHandle {
                game: game.slug.clone(),
                commands: tx,
                seats: Default::default(),
                container: container.clone(),
                creator: from,
                queued: Default::default(),
            },
        );
        id
    };
    let options = state.config.session_options();
    let (state, sid) = (state.clone(), id.clone());
    if let Some(Ok(containers)) = &state.containers {
        let containers = containers.clone();
        // Every line the session logs names it.
        let span = tracing::info_span!("session", id = %sid, game = %game.slug);
        tokio::spawn(
            async move {
                tracing::info!("contained session starting");
                let reason = containers.run_session(&game, &options, rx, container).await;
                state.sessions.lock().unwrap().remove(&sid);
                tracing::info!(%reason, "session ended");
            }
            .instrument(span),
        );
        return Ok(id);
    }
    std::thread::Builder::new()
        .name(format!("session-{id}"))
        .spawn(move || {
            let _span = tracing::info_span!("session", id = %sid, game = %game.slug).entered();
            tracing::info!("session started");
            let reason = session::run(&game, &options, rx);
            state.sessions.lock().unwrap().remove(&sid);
            tracing::info!(%reason, "session ended");
        })
        .expect("spawn session thread");
    Ok(id)
}

async fn session_page(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    if !s.sessions.lock().unwrap().contains_key(&id) {
        return (
            StatusCode::NOT_FOUND,
            Html("<p>That session has ended. <a href=\"/\">Back to the lobby</a></p>"),
        )
            .into_response();
    }
    Html(SESSION_HTML).into_response()
}

async fn websocket(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    let Some((commands, seats, game, queued)) = s.sessions.lock().unwrap().get(&id).map(|h| {
        (
            h.commands.clone(),
            h.seats.clone(),
            h.game.clone(),
            h.queued.clone(),
        )
    }) else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    let Some(entry) = s.game(&game) else {
        return (StatusCode::NOT_FOUND, "no such game").into_response();
    };
    let config = s.config.clone();
    let span = tracing::info_span!("session", id = %id, game = %game);
    ws.max_message_size(config.max_message_bytes)
        .on_upgrade(move |socket| {
            connection(socket, commands, seats, queued, entry, config).instrument(span)
        })
}

/// The game's asset bundle as shared bytes: every join sends the same memory, never a copy.
fn shared_bundle(bundle: &Option<Arc<Vec<u8>>>) -> Option<Bytes> {
    struct Shared(Arc<Vec<u8>>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }
    bundle
        .as_ref()
        .map(|b| Bytes::from_owner(Shared(b.clone())))
}

/// A fresh seat secret: 128 bits from a generator the system seeds (`rand`'s), as hex.
fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Sends a close frame, giving a client that does not read at most a second to take it.
async fn close_with(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.chars().take(120).collect::<String>().into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

/// Writes the queued frames to the client until the queue ends, the socket fails, or the
/// connection asks it to close (then the close frame is tried for at most a second, even in the
/// middle of a write that a slow client holds up).
async fn write_frames(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut queue: tokio::sync::mpsc::Receiver<Bytes>,
    queued: [Arc<AtomicUsize>; 2],
    mut close: tokio::sync::oneshot::Receiver<CloseFrame>,
) {
    type Sink = futures_util::stream::SplitSink<WebSocket, Message>;
    async fn finish(
        mut sink: Sink,
        frame: Result<CloseFrame, tokio::sync::oneshot::error::RecvError>,
    ) {
        if let Ok(frame) = frame {
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                sink.send(Message::Close(Some(frame))),
            )
            .await;
        }
    }
    loop {
        tokio::select! {
            biased;
            frame = &mut close => return finish(sink, frame).await,
            next = queue.recv() => {
                let Some(bytes) = next else { return };
                let n = bytes.len();
                tokio::select! {
                    biased;
                    frame = &mut close => return finish(sink, frame).await,
                    sent = sink.send(Message::Binary(bytes)) => if sent.is_err() { return },
                }
                for q in &queued {
                    q.fetch_sub(n, Ordering::Relaxed);
                }
            }
        }
    }
}

/// One player's connection: `ready` first (within `ready_timeout`), then init, frames out and
/// input in until either side closes. Malformed or excessive messages are dropped with a logged
/// reason. Frames go through a bounded queue to a writer task: a client that lets
/// `frame_queue` frames or `max_queued_bytes` pile up (or whose frame would take the session's
/// clients past `max_session_queued_bytes`) is disconnected as slow.
async fn connection(
    mut socket: WebSocket,
    commands: std::sync::mpsc::Sender<Command>,
    seats: Arc<Mutex<Seats>>,
    session_queued: Arc<AtomicUsize>,
    game: GameEntry,
    config: ServeConfig,
) {
    let ready = tokio::time::timeout(config.ready_timeout, async {
        loop {
            match socket.recv().await {
                Some(Ok(Message::Text(t))) => match ClientMessage::parse(&t) {
                    Ok(ClientMessage::Ready {
                        id,
                        client_info,
                        spectating,
                        secret,
                    }) => return Some((id, client_info, spectating, secret)),
                    Ok(_) => tracing::debug!("message before ready ignored"),
                    Err(e) => tracing::debug!(error = %e, "bad message before ready"),
                },
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    })
    .await;
    let (wanted, client_info, spectating, secret) = match ready {
        Ok(Some(ready)) => ready,
        Ok(None) => return,
        Err(_) => {
            tracing::debug!("no ready in time: connection closed");
            close_with(
                &mut socket,
                1008,
                &format!("no ready within {} ms", config.ready_timeout.as_millis()),
            )
            .await;
            return;
        }
    };
    // A seat goes back only to its holder: coming back within the grace period takes the id and
    // place only with the seat's secret. A bare or wrong `ready.id` is a new seat.
    let seat = {
        let mut seats = seats.lock().unwrap();
        let returning = match (wanted, secret.as_deref()) {
            (Some(id), Some(given))
                if !given.is_empty()
                    && seats.away.contains_key(&id)
                    && seats
                        .secrets
                        .get(&id)
                        .is_some_and(|s| same_secret(s, given)) =>
            {
                seats.away.remove(&id);
                Some(id)
            }
            _ => None,
        };
        if returning.is_none() && spectating && seats.spectators.len() >= config.max_spectators {
            Err(format!(
                "the session has its limit of {} spectators",
                config.max_spectators
            ))
        } else {
            let taken = &seats.taken;
            match returning
                .or_else(|| wanted.filter(|i| !taken.contains(i)))
                .or_else(|| (1..=255u8).find(|i| !taken.contains(i)))
            {
                None => Err("the session is full".to_string()),
                Some(id) => {
                    seats.taken.insert(id);
                    if returning.is_none() {
                        seats.secrets.insert(id, new_secret());
                        if spectating {
                            seats.spectators.insert(id);
                        }
                    }
                    Ok((id, returning.is_some(), seats.secrets[&id].clone()))
                }
            }
        }
    };
    let (player, returning, seat_secret) = match seat {
        Ok(seat) => seat,
        Err(why) => {
            close_with(&mut socket, 1013, &why).await;
            return;
        }
    };
    let init = init_message(player, game.aspect, config.bezel, &game.squish_version);
    let (frames_tx, mut frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let name = format!("player{player}");
    let command = if returning {
        Command::Reconnect {
            player,
            frames: frames_tx,
        }
    } else if spectating {
        Command::Spectate {
            player,
            frames: frames_tx,
        }
    } else {
        Command::Join {
            player,
            name,
            client_info: client_info
                .get("clientInfo")
                .cloned()
                .unwrap_or(client_info),
            frames: frames_tx,
        }
    };
    let mut joined = socket.send(Message::Binary(init.into())).await.is_ok();
    if let Some(bundle) = shared_bundle(&game.bundle) {
        joined = joined && socket.send(Message::Binary(bundle)).await.is_ok();
    }
    // Only a client that knows of secrets (its `ready` had the field) is told its seat's.
    if secret.is_some() {
        joined = joined
            && socket
                .send(Message::Text(seat_message(player, &seat_secret).into()))
                .await
                .is_ok();
    }
    let joined = joined && commands.send(command).is_ok();
    let (sink, mut stream) = socket.split();
    let (queue_tx, queue_rx) = tokio::sync::mpsc::channel::<Bytes>(config.frame_queue.max(1));
    let queued = Arc::new(AtomicUsize::new(0));
    let (close_tx, close_rx) = tokio::sync::oneshot::channel();
    let writer = tokio::spawn(write_frames(
        sink,
        queue_rx,
        [queued.clone(), session_queued.clone()],
        close_rx,
    ));
    let limiter = governor::RateLimiter::direct(governor::Quota::per_second(
        std::num::NonZeroU32::new(config.max_messages_per_second.max(1)).expect("at least 1"),
    ));
    let mut oversized = 0u64;
    let mut close: Option<CloseFrame> = None;
    // Serve the player until either side goes away (nothing to serve if the join failed).
    if joined {
        loop {
            tokio::select! {
                out = frames_rx.recv() => match out {
                    Some(Outgoing::Frame(bytes)) => {
                        let n = bytes.len();
                        if n > config.max_frame_bytes {
                            oversized += 1;
                            if oversized == 1 {
                                tracing::warn!(player, bytes = n, cap = config.max_frame_bytes, "frame larger than the cap: dropped (later ones are counted)");
                            } else {
                                tracing::debug!(player, bytes = n, oversized, "frame larger than the cap: dropped");
                            }
                            continue;
                        }
                        // Counted before it is queued, uncounted by the writer once written (or
                        // below, when it is never queued).
                        let mine = queued.fetch_add(n, Ordering::Relaxed) + n;
                        let all = session_queued.fetch_add(n, Ordering::Relaxed) + n;
                        let refused = if mine > config.max_queued_bytes {
                            Some(slow_client(player, "bytes", config.max_queued_bytes))
                        } else if all > config.max_session_queued_bytes {
                            Some(slow_client(player, "bytes for the whole session", config.max_session_queued_bytes))
                        } else {
                            match queue_tx.try_send(Bytes::from(bytes)) {
                                Ok(()) => continue,
                                Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => Some(slow_client(player, "frames", config.frame_queue)),
                                Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => None,
                            }
                        };
                        queued.fetch_sub(n, Ordering::Relaxed);
                        session_queued.fetch_sub(n, Ordering::Relaxed);
                        close = refused;
                        break;
                    }
                    Some(Outgoing::Close(reason)) => {
                        close = Some(CloseFrame { code: 1011, reason: reason.chars().take(120).collect::<String>().into() });
                        break;
                    }
                    None => break,
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        if limiter.check().is_err() {
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
    // The writer stops now: with a close frame to try for a second, or at once.
    match close {
        Some(frame) => {
            let _ = close_tx.send(frame);
        }
        None => drop(close_tx),
    }
    drop(queue_tx);
    let _ = writer.await;
    // What this client still had queued is no longer held: give it back to the session's count.
    session_queued.fetch_sub(queued.swap(0, Ordering::Relaxed), Ordering::Relaxed);
    // The socket closes now (both halves gone), not after the grace period.
    drop(stream);
    drop(frames_rx);
    if config.reconnect_grace.is_zero() {
        // Leave is queued before the id is free, so a new join of the same id comes after it.
        let mut seats = seats.lock().unwrap();
        let _ = commands.send(Command::Leave { player });
        seats.release(player);
        return;
    }
    // Keep the place for the grace period; leave for real only if no reconnect came.
    static DROPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let drop_no = DROPS.fetch_add(1, Ordering::Relaxed);
    seats.lock().unwrap().away.insert(player, drop_no);
    tokio::time::sleep(config.reconnect_grace).await;
    let mut seats = seats.lock().unwrap();
    if seats.away.get(&player) == Some(&drop_no) {
        seats.away.remove(&player);
        let _ = commands.send(Command::Leave { player });
        seats.release(player);
    }
}

/// The close frame for a client that does not keep up (1008: it may come back with its secret).
fn slow_client(player: u8, what: &str, cap: usize) -> CloseFrame {
    tracing::warn!(
        player,
        what,
        cap,
        "slow client: its frame queue is full; disconnected"
    );
    CloseFrame {
        code: 1008,
        reason: format!("slow client: more than {cap} {what} waiting").into(),
    }
}

/// A session id's worth of randomness (ids are checked against the running ones when made).
fn rand_u32() -> u32 {
    rand::random()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every join sends the bundle built at discovery, not a copy of it (a 100 MB asset copied per
    /// join was 3.3 GB after 30 joins).
    #[test]
    fn joins_share_the_bundle_bytes() {
        let built = Some(Arc::new(vec![1u8; 1 << 20]));
        let (a, b) = (
            shared_bundle(&built).unwrap(),
            shared_bundle(&built).unwrap(),
        );
        let at = built.as_ref().unwrap().as_ptr();
        assert_eq!((a.as_ptr(), b.as_ptr()), (at, at));
        assert_eq!(a.len(), 1 << 20);
        assert!(shared_bundle(&None).is_none());
    }

    #[test]
    fn secrets_are_fresh_and_compared_whole() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b) && !same_secret(&a, &a[..31]) && !same_secret(&a, ""));
    }
}
