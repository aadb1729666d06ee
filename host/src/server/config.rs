//! What a server is asked to be: where its games are, where sessions run, and its limits.

use std::path::PathBuf;
use std::time::Duration;

use containment::Limits;
use js_runtime::IsolateLimits;

use super::session::SessionOptions;

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
    pub assets: super::assets::AssetSources,
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
    pub(super) fn session_options(&self) -> SessionOptions {
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
            assets: super::assets::AssetSources::default(),
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
