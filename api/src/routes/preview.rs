//! The Studio's preview: a real session of the author's working tree, saved or not. The files go
//! where the game server looks for games (`published_dir`, as `preview-<gameId>-<content hash>`),
//! and the server runs them as it runs any game: in a container when it contains sessions. This
//! process only writes files and asks the server for a table; it never runs them. A game keeps one
//! preview: starting a new one retires the others (their sessions end).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Verified;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Body, Path};
use crate::host_link::{retire_games, PREVIEW_PREFIX};
use crate::routes::games::{decode_uploads, owned_game, FileUpload};
use crate::routes::sessions::open_table;
use crate::versions::{describe, write_game_folder};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The whole working tree, as Save Version takes it.
    pub files: Vec<FileUpload>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewInfo {
    pub session_id: String,
    /// Open (or frame) to play the preview.
    pub play_url: String,
    /// The content hash of the previewed files.
    pub content_hash: String,
}

/// Starts a preview session of `files` (the author's, or an admin's); earlier previews of the
/// game end.
#[utoipa::path(post, path = "/games/{game_id}/preview", tag = "games", params(("game_id" = String, Path)), request_body = PreviewRequest,
    security(("bearer" = [])), responses((status = 201, body = PreviewInfo), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "no game server is configured, or it did not answer", body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
    Body(req): Body<PreviewRequest>,
) -> Result<(StatusCode, Json<PreviewInfo>), ApiError> {
    let game = owned_game(&state, &game_id, &user).await?;
    let files = decode_uploads(req.files)?;
    let (_, _, content_hash) = describe(&files)?;
    let Some(host) = state.config.host_url.clone() else {
        return Err(ApiError::Unavailable(
            "no game server is configured (--host-url), so nothing can be previewed".into(),
        ));
    };
    let host = host.trim_end_matches('/').to_string();
    let root = &state.config.published_dir;
    let mine = format!("{PREVIEW_PREFIX}{}-", game.game_id);
    let slug = format!("{mine}{}", &content_hash[..16]);
    let io = |e: std::io::Error| ApiError::Internal(format!("writing the preview: {e}"));
    tokio::fs::create_dir_all(root).await.map_err(io)?;
    write_game_folder(root, &slug, &files).await?;
    let mut older = Vec::new();
    let mut dir = tokio::fs::read_dir(root).await.map_err(io)?;
    while let Some(entry) = dir.next_entry().await.map_err(io)? {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(&mine) && name != slug {
            older.push(name);
        }
    }
    if !older.is_empty() {
        let retired = retire_games(&state, &older).await;
        tracing::info!(game = %game.game_id, previews = older.len(), sessions_ended = retired.sessions_ended, "older previews retired");
    }
    let session_id = open_table(&state, &host, &slug, false).await?;
    tracing::info!(game = %game.game_id, session = %session_id, "preview started");
    Ok((
        StatusCode::CREATED,
        Json(PreviewInfo {
            play_url: format!("{host}/session/{session_id}"),
            session_id,
            content_hash,
        }),
    ))
}

/// What the preview's game threw, each at its file, line and column.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewExceptions {
    /// `{where, message, file, line, column}` each, oldest first (the newest 100).
    #[schema(value_type = Vec<Object>)]
    pub exceptions: Vec<serde_json::Value>,
    /// False when the game server cannot be asked (no `--host-admin-token`): then the list is empty.
    pub known: bool,
}

/// The exceptions of a running preview session of the game (its author's, or an admin's).
#[utoipa::path(get, path = "/games/{game_id}/preview/{session_id}/exceptions", tag = "games",
    params(("game_id" = String, Path), ("session_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PreviewExceptions), (status = 404, description = "no such game, or no such running preview of it", body = ErrorBody)))]
pub async fn exceptions(
    State(state): State<AppState>,
    crate::auth::Authed(user): crate::auth::Authed,
    Path((game_id, session_id)): Path<(String, String)>,
) -> Result<Json<PreviewExceptions>, ApiError> {
    let game = owned_game(&state, &game_id, &user).await?;
    let gone = || ApiError::NotFound("no such preview session (it may have ended)".into());
    let Some(host) = state.config.host_url.as_deref() else {
        return Err(gone());
    };
    if !session_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(gone());
    }
    let Some(token) = state.config.host_admin_token.as_deref() else {
        return Ok(Json(PreviewExceptions {
            exceptions: Vec::new(),
            known: false,
        }));
    };
    let resp = state
        .host_client
        .get(format!(
            "{}/api/sessions/{session_id}/exceptions",
            host.trim_end_matches('/')
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| ApiError::Unavailable(format!("the game server did not answer: {e}")))?;
    if !resp.status().is_success() {
        return Err(gone());
    }
    let answer: serde_json::Value = resp
        .json()
        .await
        .map_err(|e| ApiError::Unavailable(format!("the game server's answer: {e}")))?;
    // Only this game's previews: a session id of another game's table answers nothing.
    let mine = format!("{PREVIEW_PREFIX}{}-", game.game_id);
    if !answer["game"]
        .as_str()
        .is_some_and(|g| g.starts_with(&mine))
    {
        return Err(gone());
    }
    Ok(Json(PreviewExceptions {
        exceptions: answer["exceptions"].as_array().cloned().unwrap_or_default(),
        known: true,
    }))
}
