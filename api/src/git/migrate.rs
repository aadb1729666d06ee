//! Games saved before the platform had git: each gets its repository, and each of its versions
//! without a commit becomes one, in number order, each on the one before (by the version's
//! author, with its message). Idempotent: a version that names its commit is left as it is, so a
//! migration that stopped half way goes on where it stopped, and a second run does nothing.

use futures_util::TryStreamExt;
use mongodb::bson::doc;

use super::repo::Author;
use crate::app::AppState;
use crate::error::ApiError;
use crate::store::{Game, Version};
use crate::versions::read_files;

/// What a migration did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub repositories: usize,
    pub commits: usize,
}

/// Migrates every game.
pub async fn migrate_all(state: &AppState) -> Result<Migrated, ApiError> {
    let games: Vec<Game> = state
        .store
        .games()
        .find(doc! {})
        .await?
        .try_collect()
        .await?;
    let mut done = Migrated::default();
    for game in games {
        let commits = migrate_game(state, &game).await?;
        done.repositories += 1;
        done.commits += commits;
    }
    Ok(done)
}

/// Makes sure `game` has its repository and every version of it a commit; returns how many
/// commits were made.
pub async fn migrate_game(state: &AppState, game: &Game) -> Result<usize, ApiError> {
    let _lock = state.repos.lock(&game.game_id).await;
    let dir = state
        .repos
        .create(&game.developer_id, &game.game_id)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let pending: Vec<Version> = state
        .store
        .versions()
        .find(doc! {"gameId": &game.game_id, "commit": null})
        .sort(doc! {"number": 1})
        .await?
        .try_collect()
        .await?;
    let mut made = 0;
    for v in pending {
        let files = read_files(&state.store, &v.files).await?;
        let head = state
            .repos
            .head(&dir)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let author_name = state
            .store
            .users()
            .find_one(doc! {"userId": &v.created_by})
            .await?
            .map_or_else(|| "(deleted)".to_string(), |u| u.display_name);
        let author = Author::of_user(&author_name, &v.created_by);
        let message = match &v.message {
            Some(m) => format!(
                "{m}\n\nVersion {} (saved before games had repositories).",
                v.number
            ),
            None => format!(
                "Version {} (saved before games had repositories).",
                v.number
            ),
        };
        let commit = state
            .repos
            .commit(&dir, &files, head.as_deref(), &message, &author)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        state
            .store
            .versions()
            .update_one(
                doc! {"gameId": &game.game_id, "number": v.number, "commit": null},
                doc! {"$set": {"commit": &commit}},
            )
            .await?;
        // A published record of this version names the commit too.
        state
            .store
            .game_versions()
            .update_many(
                doc! {"gameId": &game.game_id, "contentHash": &v.content_hash, "commit": null},
                doc! {"$set": {"commit": &commit}},
            )
            .await?;
        made += 1;
    }
    Ok(made)
}
