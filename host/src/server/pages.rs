//! The server's pages and listings: the lobby, a session's page, the original client's pages (for
//! comparing clients), and the JSON lists of games and sessions.

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::catalog::GameEntry;
use super::AppState;

pub(super) const LOBBY_HTML: &str = include_str!("../../client/lobby.html");
pub(super) const SESSION_HTML: &str = include_str!("../../client/session.html");
pub(super) const CLIENT_JS: &str = include_str!("../../client/client.js");

/// The lobby, or, for the original client (which opens its WebSocket at the root path), the
/// session named by the cookie its page was served with.
pub(super) async fn root(
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
        Some(id) => super::player_socket::websocket(State(s), Path(id), ws).await,
        None => (
            StatusCode::BAD_REQUEST,
            "no session: open a game from the lobby first",
        )
            .into_response(),
    }
}

/// What the original client reads at start: the port to connect to (ours) and the bezel.
pub(super) async fn classic_config(
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

pub(super) async fn classic_page(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
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

pub(super) async fn classic_file(
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

pub(super) async fn list_games(State(s): State<Arc<AppState>>) -> Json<Vec<GameEntry>> {
    Json(s.games.read().unwrap().clone())
}

#[derive(Serialize)]
pub(super) struct SessionInfo {
    id: String,
    game: String,
    players: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<String>,
}

pub(super) async fn list_sessions(State(s): State<Arc<AppState>>) -> Json<Vec<SessionInfo>> {
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

pub(super) async fn session_page(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    if !s.sessions.lock().unwrap().contains_key(&id) {
        return (
            StatusCode::NOT_FOUND,
            Html("<p>That session has ended. <a href=\"/\">Back to the lobby</a></p>"),
        )
            .into_response();
    }
    Html(SESSION_HTML).into_response()
}
