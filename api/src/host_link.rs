//! Deletion that reaches the game server. When an account, a game or an asset is deleted, or a
//! game is unpublished, the api removes the published folders it wrote (`sessions::materialize`)
//! and then tells the server through its admin interface (`DELETE /api/games/<slug>`,
//! `DELETE /api/assets/<id>`, with `--host-admin-token`): the game leaves the lobby, its running
//! sessions end with a reason, a removed asset leaves the server's cache and bundles.
//!
//! The database changes come first and the server is told last, so that what the server fetches
//! again (an asset) is already gone. A server that cannot be told is logged and reported
//! (`serverTold: false`); it still forgets a game whose folder is gone at the next request for it.

use std::collections::BTreeSet;

use mongodb::bson::doc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::ApiError;
use crate::store::GameVersion;

/// What reached the game server.
#[derive(Serialize, ToSchema, Default, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Retired {
    /// Published folders removed from disk.
    pub folders: u64,
    /// Running sessions the game server ended.
    pub sessions_ended: u64,
    /// Whether the game server heard of every removal. False when none is configured
    /// (`--host-url`, `--host-admin-token`) or it did not answer.
    pub server_told: bool,
}

/// What the folder of a Studio preview is called before `<gameId>-<content hash>`.
pub const PREVIEW_PREFIX: &str = "preview-";

/// The server-side names (`<gameId>-<versionId>`) of every published version of `game_ids`, from
/// the records (call before deleting them) and from the published folder itself (previews of
/// those games included).
pub async fn published_slugs(
    state: &AppState,
    game_ids: &[String],
) -> Result<Vec<String>, ApiError> {
    use futures_util::TryStreamExt;
    let mut slugs: BTreeSet<String> = state
        .store
        .game_versions()
        .find(doc! {"gameId": {"$in": game_ids}})
        .await?
        .try_collect::<Vec<GameVersion>>()
        .await?
        .into_iter()
        .map(|v| v.slug())
        .collect();
    if let Ok(mut dir) = tokio::fs::read_dir(&state.config.published_dir).await {
        while let Ok(Some(entry)) = dir.next_entry().await {
            let name = entry.file_name().to_string_lossy().to_string();
            // A Studio preview (`preview-<gameId>-<hash>`) goes with its game too.
            let own = name.strip_prefix(PREVIEW_PREFIX).unwrap_or(&name);
            if game_ids.iter().any(|g| {
                own.strip_prefix(g.as_str())
                    .is_some_and(|v| v.starts_with('-'))
            }) {
                slugs.insert(name);
            }
        }
    }
    Ok(slugs.into_iter().collect())
}

/// Removes the folders of `slugs` and tells the game server to drop them.
pub async fn retire_games(state: &AppState, slugs: &[String]) -> Retired {
    let mut out = Retired {
        server_told: true,
        ..Default::default()
    };
    for slug in slugs {
        let dir = state.config.published_dir.join(slug);
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => out.folders += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(game = %slug, error = %e, "published folder not removed"),
        }
        match tell_server(state, &format!("/api/games/{slug}")).await {
            Some(answer) => out.sessions_ended += answer["sessionsEnded"].as_u64().unwrap_or(0),
            None => out.server_told = false,
        }
    }
    out
}

/// Tells the game server that `asset_ids` are gone (out of its cache and bundles); whether it heard.
pub async fn retire_assets(state: &AppState, asset_ids: &[String]) -> bool {
    let mut told = true;
    for id in asset_ids {
        told &= tell_server(state, &format!("/api/assets/{id}"))
            .await
            .is_some();
    }
    told
}

/// `DELETE <host><path>` with the admin token; the JSON answer, or `None` (logged) when there is
/// no server to tell or it refused or did not answer.
async fn tell_server(state: &AppState, path: &str) -> Option<serde_json::Value> {
    let (Some(host), Some(token)) = (
        state.config.host_url.as_deref(),
        state.config.host_admin_token.as_deref(),
    ) else {
        tracing::warn!(
            path,
            "no game server to tell (--host-url and --host-admin-token)"
        );
        return None;
    };
    let url = format!("{}{path}", host.trim_end_matches('/'));
    let sent = state
        .host_client
        .delete(&url)
        .bearer_auth(token)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await;
    match sent {
        Ok(resp) if resp.status().is_success() => {
            let text = resp.text().await.unwrap_or_default();
            Some(serde_json::from_str(&text).unwrap_or_default())
        }
        Ok(resp) => {
            tracing::warn!(%url, status = %resp.status(), "the game server refused a removal");
            None
        }
        Err(e) => {
            tracing::warn!(%url, error = %e, "the game server did not answer a removal");
            None
        }
    }
}
