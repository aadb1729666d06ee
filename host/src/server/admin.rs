//! The server's admin interface: what the platform (the api) tells a running server when something
//! it serves is deleted. `DELETE /api/games/<slug>` takes a game out of the lobby and ends its
//! running sessions with a reason; `DELETE /api/assets/<id>` drops an asset from the disk cache
//! and rebuilds the bundles of the games that declare it. Both need the server's admin token
//! (`Authorization: Bearer <token>`); a server started without one refuses them (403).
//!
//! The game's files are not this interface's business: the platform that wrote them removes them.
//! A game whose folder is gone is forgotten at the next request for it, even if no one told us.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::player_socket::same_secret;
use super::session::Command;
use super::AppState;

/// The reason players of a deleted game see in their close frame.
pub const REMOVED: &str = "this game was removed from the server";

/// `Ok` when the request carries the server's admin token; else the refusal's status and reason.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), (StatusCode, &'static str)> {
    let Some(expected) = state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Err((
            StatusCode::FORBIDDEN,
            "this server has no admin token (homegames serve --admin-token)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(given) if same_secret(expected, given) => Ok(()),
        _ => Err((StatusCode::UNAUTHORIZED, "a valid admin token is needed")),
    }
}

fn refusal((status, error): (StatusCode, &str)) -> Response {
    (status, Json(serde_json::json!({"error": error}))).into_response()
}

/// Takes the game out of the lobby and ends its sessions; answers how many ended.
pub(super) async fn remove_game(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    if let Err(refused) = authorize(&s, &headers) {
        return refusal(refused);
    }
    let listed = forget_game(&s, &slug);
    let ended = end_sessions_of(&s, &slug, REMOVED);
    tracing::info!(game = %slug, listed, ended, "game removed by the platform");
    Json(serde_json::json!({"game": slug, "listed": listed, "sessionsEnded": ended}))
        .into_response()
}

/// What a session's game has thrown, located in its files (the Studio's preview shows them):
/// `{game, exceptions}` (a contained session's worker passes them on as they come). Admin token
/// only: exceptions can say what a game holds.
pub(super) async fn session_exceptions(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = authorize(&s, &headers) {
        return refusal(refused);
    }
    let sessions = s.sessions.lock().unwrap();
    let Some(h) = sessions.get(&id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no such session (it may have ended)"})),
        )
            .into_response();
    };
    let list = h.exceptions.lock().unwrap().list.clone();
    Json(serde_json::json!({"game": h.game, "exceptions": list})).into_response()
}

/// Drops the game from the lobby's list; whether it was there.
pub(super) fn forget_game(s: &AppState, slug: &str) -> bool {
    let mut games = s.games.write().unwrap();
    let before = games.len();
    games.retain(|g| g.slug != slug);
    games.len() != before
}

/// Asks every running session of `slug` to end with `reason`; how many were asked. A session
/// already asked is not asked (or counted) again, though it may not have finished yet.
fn end_sessions_of(s: &AppState, slug: &str, reason: &str) -> usize {
    let mut sessions = s.sessions.lock().unwrap();
    sessions
        .iter_mut()
        .filter(|(_, h)| h.game == slug && !h.ending)
        .map(|(id, h)| {
            h.ending = true;
            tracing::info!(session = %id, game = %slug, "ending the session: {reason}");
            let _ = h.commands.send(Command::End {
                reason: reason.to_string(),
            });
        })
        .count()
}

/// Drops an asset from the disk cache and rebuilds the bundle of each game that declares it (new
/// joins get the rebuilt one; what running sessions' players already hold is theirs).
pub(super) async fn remove_asset(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = authorize(&s, &headers) {
        return refusal(refused);
    }
    if !super::assets::is_plain_name(&id) {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "an asset id is a plain file name"})),
        )
            .into_response();
    }
    let cached = s
        .config
        .assets
        .cache
        .as_ref()
        .map(|c| c.join(&id))
        .is_some_and(|path| std::fs::remove_file(path).is_ok());
    let declaring: Vec<_> = s
        .games
        .read()
        .unwrap()
        .iter()
        .filter(|g| {
            super::assets::declared(&g.metadata)
                .iter()
                .any(|d| d.id == id)
        })
        .cloned()
        .collect();
    let mut rebuilt = 0;
    for game in declaring {
        let sources = s.config.assets.clone();
        let built = tokio::task::spawn_blocking(move || {
            super::assets::bundle(&game.dir, &sources, &game.metadata).map(Arc::new)
        })
        .await
        .unwrap_or_default();
        let slug = game.slug;
        if let Some(entry) = s.games.write().unwrap().iter_mut().find(|g| g.slug == slug) {
            entry.bundle = built;
            rebuilt += 1;
        }
    }
    tracing::info!(asset = %id, cached, rebuilt, "asset removed by the platform");
    Json(serde_json::json!({"asset": id, "cached": cached, "bundlesRebuilt": rebuilt}))
        .into_response()
}
