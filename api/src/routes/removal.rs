//! Deleting and unpublishing, everywhere the thing is: the database, the published folders, and
//! the game server (`host_link`). Deleting an account (admin), deleting a game, unpublishing a
//! game (its author or an admin) all end with the game out of the lobby and its sessions over.

use axum::extract::State;
use axum::Json;
use futures_util::TryStreamExt;
use mongodb::bson::doc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Verified;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::host_link::{published_slugs, retire_games, Retired};
use crate::routes::games::owned_game;
use crate::store::{Asset, Version};

/// What a deletion removed.
#[derive(Serialize, ToSchema, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Deleted {
    pub users: u64,
    pub games: u64,
    pub versions: u64,
    pub published_versions: u64,
    pub publish_requests: u64,
    /// AI edits asked for of those games.
    pub ai_edits: u64,
    pub assets: u64,
    pub blobs: u64,
    /// Git repositories removed (a game's, and its public copy, count as one).
    pub repositories: u64,
    /// What reached the game server.
    pub server: Retired,
}

/// What unpublishing did.
#[derive(Serialize, ToSchema, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Unpublished {
    /// Published versions that are no longer launchable.
    pub published_versions: u64,
    pub server: Retired,
}

/// Deletes the records of `game_ids`: the games, their versions (and file contents no other
/// game's version holds), published versions and publish requests. The game server is not told
/// here: the caller tells it last, with the slugs it collected before (`published_slugs`).
pub async fn delete_game_records(
    state: &AppState,
    game_ids: &[String],
) -> Result<Deleted, ApiError> {
    let s = &state.store;
    let games: Vec<crate::store::Game> = s
        .games()
        .find(doc! {"gameId": {"$in": game_ids}})
        .await?
        .try_collect()
        .await?;
    let versions: Vec<Version> = s
        .versions()
        .find(doc! {"gameId": {"$in": game_ids}})
        .await?
        .try_collect()
        .await?;
    let mut blobs: Vec<String> = versions
        .iter()
        .flat_map(|v| v.files.iter().map(|f| f.sha256.clone()))
        .collect();
    blobs.sort();
    blobs.dedup();
    let mut out = Deleted {
        published_versions: s
            .game_versions()
            .delete_many(doc! {"gameId": {"$in": game_ids}})
            .await?
            .deleted_count,
        versions: s
            .versions()
            .delete_many(doc! {"gameId": {"$in": game_ids}})
            .await?
            .deleted_count,
        publish_requests: s
            .publish_requests()
            .delete_many(doc! {"gameId": {"$in": game_ids}})
            .await?
            .deleted_count,
        ai_edits: s
            .ai_edits()
            .delete_many(doc! {"gameId": {"$in": game_ids}})
            .await?
            .deleted_count,
        games: s
            .games()
            .delete_many(doc! {"gameId": {"$in": game_ids}})
            .await?
            .deleted_count,
        ..Default::default()
    };
    // The repositories go with the records (their files are the versions' files).
    for g in &games {
        let _lock = state.repos.lock(&g.game_id).await;
        match state.repos.remove_game(&g.developer_id, &g.game_id) {
            Ok(()) => out.repositories += 1,
            Err(e) => {
                tracing::warn!(game = %g.game_id, error = %e, "removing the game's repository")
            }
        }
    }
    // File contents are shared by hash: keep those another game's version still holds.
    for sha in blobs {
        if s.versions()
            .count_documents(doc! {"files.sha256": &sha})
            .await?
            == 0
        {
            out.blobs += s
                .blobs()
                .delete_one(doc! {"_id": &sha})
                .await?
                .deleted_count;
        }
    }
    Ok(out)
}

/// Deletes the account `user_id` and everything it made, the game server told last.
pub async fn delete_account(state: &AppState, user_id: &str) -> Result<Deleted, ApiError> {
    let s = &state.store;
    let game_ids: Vec<String> = s
        .games()
        .find(doc! {"developerId": user_id})
        .await?
        .try_collect::<Vec<crate::store::Game>>()
        .await?
        .into_iter()
        .map(|g| g.game_id)
        .collect();
    let slugs = published_slugs(state, &game_ids).await?;
    let asset_ids: Vec<String> = s
        .assets()
        .find(doc! {"developerId": user_id})
        .await?
        .try_collect::<Vec<Asset>>()
        .await?
        .into_iter()
        .map(|a| a.asset_id)
        .collect();
    let mut out = delete_game_records(state, &game_ids).await?;
    out.publish_requests += s
        .publish_requests()
        .delete_many(doc! {"userId": user_id})
        .await?
        .deleted_count;
    out.assets = s
        .assets()
        .delete_many(doc! {"developerId": user_id})
        .await?
        .deleted_count;
    s.asset_bytes()
        .delete_many(doc! {"developerId": user_id})
        .await?;
    s.refresh_tokens()
        .delete_many(doc! {"userId": user_id})
        .await?;
    s.access_tokens()
        .delete_many(doc! {"userId": user_id})
        .await?;
    // Whatever else is under the account's folder of repositories goes too.
    if let Err(e) = state.repos.remove_owner(user_id) {
        tracing::warn!(user = %user_id, error = %e, "removing the account's repositories");
    }
    out.users = s
        .users()
        .delete_one(doc! {"userId": user_id})
        .await?
        .deleted_count;
    out.server = retire_games(state, &slugs).await;
    out.server.server_told &= crate::host_link::retire_assets(state, &asset_ids).await;
    Ok(out)
}

/// Deletes a game with its versions, published versions and publish requests (its author or an
/// admin); its sessions end and it leaves the game server's lobby. Assets belong to the author
/// and stay.
#[utoipa::path(delete, path = "/games/{game_id}", tag = "games", params(("game_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 404, body = ErrorBody)))]
pub async fn delete_game(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let ids = [game_id];
    let slugs = published_slugs(&state, &ids).await?;
    let mut out = delete_game_records(&state, &ids).await?;
    out.server = retire_games(&state, &slugs).await;
    tracing::info!(user = %user.user_id, game = %ids[0], sessions_ended = out.server.sessions_ended, "game deleted");
    Ok(Json(out))
}

/// Takes a game out of the catalog: no published version of it can be launched any more, its
/// running sessions end and it leaves the game server's lobby. Its versions stay; publishing again
/// brings it back.
#[utoipa::path(post, path = "/games/{game_id}/unpublish", tag = "publishing", params(("game_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Unpublished), (status = 404, body = ErrorBody)))]
pub async fn unpublish(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
) -> Result<Json<Unpublished>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let ids = [game_id];
    let slugs = published_slugs(&state, &ids).await?;
    let s = &state.store;
    let changed = s
        .game_versions()
        .update_many(
            doc! {"gameId": &ids[0], "published": true},
            doc! {"$set": {"published": false}},
        )
        .await?
        .modified_count;
    s.games()
        .update_one(
            doc! {"gameId": &ids[0]},
            doc! {"$set": {"publishedVersion": null}},
        )
        .await?;
    let server = retire_games(&state, &slugs).await;
    tracing::info!(user = %user.user_id, game = %ids[0], sessions_ended = server.sessions_ended, "game unpublished");
    Ok(Json(Unpublished {
        published_versions: changed,
        server,
    }))
}
