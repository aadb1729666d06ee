//! Sessions of published games: the API writes the published version's files where the game
//! server (`homegames serve`) looks for games, asks it for a new table of exactly that folder, and
//! tells the player where to connect. It speaks to the host only through the host's public HTTP
//! interface (`/new/<game>` answers with the session's address).

use std::path::{Path as FsPath, PathBuf};

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mongodb::bson::doc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Body;
use crate::store::{GameVersion, Store};
use crate::versions::{read_files, write_game_folder};

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionRequest {
    pub game_id: String,
    /// A published version; the newest published one when absent.
    #[serde(default)]
    pub version_id: Option<String>,
    /// Join the table of this version that is already running, if any (a new one otherwise);
    /// false (the default) always starts a new table.
    #[serde(default)]
    pub join: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub session_id: String,
    pub game_id: String,
    pub version_id: String,
    /// Open in a browser to play.
    pub play_url: String,
    /// The session's WebSocket (the homegames client protocol).
    pub websocket_url: String,
}

/// Writes a published version's files into `dir/<slug>` once ([`write_game_folder`]).
pub async fn materialize(
    store: &Store,
    dir: &FsPath,
    slug: &str,
    version: &GameVersion,
) -> Result<PathBuf, ApiError> {
    let target = dir.join(slug);
    if target.join("index.js").is_file() {
        return Ok(target);
    }
    let files = store
        .versions()
        .find_one(doc! {"gameId": &version.game_id, "contentHash": &version.content_hash})
        .await?
        .ok_or_else(|| ApiError::NotFound("the published version's files are gone".into()))?
        .files;
    write_game_folder(dir, slug, &read_files(store, &files).await?).await
}

/// Asks the game server at `host` for a table of the game folder `slug` (the running one when
/// `join`, else a new one); the session's id.
pub(crate) async fn open_table(
    state: &AppState,
    host: &str,
    slug: &str,
    join: bool,
) -> Result<String, ApiError> {
    let resp = state
        .host_client
        .get(format!(
            "{host}/{}/{slug}",
            if join { "play" } else { "new" }
        ))
        .send()
        .await
        .map_err(|e| ApiError::Unavailable(format!("the game server did not answer: {e}")))?;
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match location.strip_prefix("/session/").filter(|s| !s.is_empty()) {
        Some(id) => Ok(id.to_string()),
        None => {
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            Err(ApiError::Unavailable(format!(
                "the game server could not start the session ({status}): {}",
                text.chars().take(200).collect::<String>()
            )))
        }
    }
}

/// Starts a session of a published game and says where to connect. No account needed.
#[utoipa::path(post, path = "/sessions", tag = "sessions", request_body = SessionRequest,
    responses((status = 201, body = SessionInfo), (status = 404, description = "no such published game or version", body = ErrorBody),
        (status = 503, description = "the game server is unavailable", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Body(req): Body<SessionRequest>,
) -> Result<(StatusCode, Json<SessionInfo>), ApiError> {
    let filter = match &req.version_id {
        Some(v) => doc! {"gameId": &req.game_id, "versionId": v, "published": true},
        None => doc! {"gameId": &req.game_id, "published": true},
    };
    let version = state
        .store
        .game_versions()
        .find_one(filter)
        .sort(doc! {"publishedAt": -1})
        .await?
        .ok_or_else(|| ApiError::NotFound("no such published game or version".into()))?;
    let Some(host) = state.config.host_url.clone() else {
        return Err(ApiError::Unavailable(
            "no game server is configured (--host-url)".into(),
        ));
    };
    let host = host.trim_end_matches('/').to_string();
    let slug = version.slug();
    tokio::fs::create_dir_all(&state.config.published_dir)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    materialize(&state.store, &state.config.published_dir, &slug, &version).await?;
    let session_id = open_table(&state, &host, &slug, req.join).await?;
    // Counted for the catalog's "most played"; a lost count is not worth failing the player for.
    if let Err(e) = state
        .store
        .games()
        .update_one(
            doc! {"gameId": &version.game_id},
            doc! {"$inc": {"plays": 1}},
        )
        .await
    {
        tracing::warn!(game = %version.game_id, error = %e, "counting a play");
    }
    let ws = host.replacen("http", "ws", 1);
    Ok((
        StatusCode::CREATED,
        Json(SessionInfo {
            session_id: session_id.clone(),
            game_id: version.game_id.clone(),
            version_id: version.version_id.clone(),
            play_url: format!("{host}/session/{session_id}"),
            websocket_url: format!("{ws}/ws/{session_id}"),
        }),
    ))
}
