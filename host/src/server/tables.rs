//! Tables: joining a running session of a game or starting one, within the server's limits
//! (sessions in all, sessions per address), inline on a thread or contained in a task.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use tracing::Instrument;

use super::catalog::GameEntry;
use super::session::Commands;
use super::{contained_session, session, AppState, SessionHandle};

/// Joins a running session of the game, or starts one; then sends the browser there. This is what
/// "open the same game in a second browser to play together" means.
pub(super) async fn play(
    State(s): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    Path(game): Path<String>,
) -> Response {
    open_table(&s, &game, false, from.ip()).await
}

/// Always starts a session of its own (a second group playing the same game apart from the first).
pub(super) async fn new_table(
    State(s): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    Path(game): Path<String>,
) -> Response {
    open_table(&s, &game, true, from.ip()).await
}

pub(super) async fn open_table(
    s: &Arc<AppState>,
    game: &str,
    fresh: bool,
    from: IpAddr,
) -> Response {
    let Some(entry) = s.find_or_discover(game).await else {
        return (StatusCode::NOT_FOUND, format!("no game called {game:?}")).into_response();
    };
    // A folder deleted under us (the platform removed the game and nobody told us) is forgotten.
    if !entry.dir.join("index.js").is_file() {
        super::admin::forget_game(s, game);
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
            .find(|(_, h)| h.game == game && !h.ending)
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
pub(super) struct Refusal {
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

pub(super) fn refusal(
    status: StatusCode,
    code: &'static str,
    limit: usize,
    error: String,
) -> Refusal {
    Refusal {
        status,
        code,
        limit,
        error,
    }
}

/// Starts a session for `game`, unless the server already runs `max_sessions` (503) or `from`
/// already started `max_sessions_per_address` that still run (429).
pub(super) fn start_session(
    state: &Arc<AppState>,
    game: GameEntry,
    from: IpAddr,
) -> Result<String, Refusal> {
    // A contained session is a task and awaits its commands; an inline one is a thread.
    let contained = match &state.containers {
        Some(Ok(containers)) => Some((containers.clone(), tokio::sync::mpsc::unbounded_channel())),
        _ => None,
    };
    let (inline_tx, inline_rx) = std::sync::mpsc::channel();
    let tx = match &contained {
        Some((_, (task_tx, _))) => Commands::Task(task_tx.clone()),
        None => Commands::Thread(inline_tx),
    };
    let container: Arc<Mutex<Option<String>>> = Default::default();
    let thrown: super::exceptions::Exceptions = Default::default();
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
                ending: false,
                exceptions: thrown.clone(),
            },
        );
        id
    };
    let options = state.config.session_options();
    let (state, sid) = (state.clone(), id.clone());
    if let Some((containers, (_, rx))) = contained {
        // Every line the session logs names it.
        let span = tracing::info_span!("session", id = %sid, game = %game.slug);
        tokio::spawn(
            async move {
                tracing::info!("contained session starting");
                let reason =
                    contained_session::run(&containers, &game, rx, container, &thrown).await;
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
            let reason = session::run(&game, &options, inline_rx, &thrown);
            state.sessions.lock().unwrap().remove(&sid);
            tracing::info!(%reason, "session ended");
        })
        .expect("spawn session thread");
    Ok(id)
}

pub(super) fn rand_u32() -> u32 {
    rand::random()
}
