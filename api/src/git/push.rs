//! Push to publish: once a push has moved `main`, its new commit becomes the game's next version
//! (its files read from git, stored as every version's are) and a publish request for that
//! commit goes on the queue, as the original's webhook did. The author sees it as any publish
//! (`GET /games/{id}/publish-requests`).

use std::path::Path;

use mongodb::bson::doc;

use crate::app::AppState;
use crate::error::ApiError;
use crate::store::{Game, User, Version};

/// Called after a push that git accepted. `before` is what `main` named before it.
pub async fn after_push(
    state: &AppState,
    game: &Game,
    user: &User,
    dir: &Path,
    before: Option<String>,
) {
    let after = match state.repos.head(dir).await {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(game = %game.game_id, error = %e, "reading main after a push");
            return;
        }
    };
    let Some(commit) = after.filter(|a| Some(a) != before.as_ref()) else {
        return; // main did not move (another branch, a tag, or nothing).
    };
    match publish_commit(state, game, user, dir, &commit).await {
        Ok(request) => {
            tracing::info!(game = %game.game_id, %commit, request = %request, "push to main: publish requested")
        }
        Err(e) => {
            tracing::warn!(game = %game.game_id, %commit, error = %e, "push to main: not published")
        }
    }
}

/// The version of `commit` (made if the API has none for it) and a publish request for it;
/// returns the request's id.
pub async fn publish_commit(
    state: &AppState,
    game: &Game,
    user: &User,
    dir: &Path,
    commit: &str,
) -> Result<String, ApiError> {
    let version = version_of_commit(state, game, user, dir, commit).await?;
    let request =
        crate::routes::publish::queue_publish(state, &game.game_id, &user.user_id, &version)
            .await?;
    Ok(request.request_id)
}

/// The version that is `commit`, made from the commit's files when there is none yet.
pub async fn version_of_commit(
    state: &AppState,
    game: &Game,
    user: &User,
    dir: &Path,
    commit: &str,
) -> Result<Version, ApiError> {
    if let Some(v) = state
        .store
        .versions()
        .find_one(doc! {"gameId": &game.game_id, "commit": commit})
        .await?
    {
        return Ok(v);
    }
    let files = state
        .repos
        .files(dir, commit)
        .await
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let message = super::repo::git(dir, &["log", "-1", "--format=%s", commit], &[], None)
        .await
        .ok()
        .map(|m| {
            String::from_utf8_lossy(&m)
                .trim()
                .chars()
                .take(500)
                .collect::<String>()
        })
        .filter(|m| !m.is_empty());
    crate::routes::games::record_version(state, &game.game_id, user, &files, message, None, commit)
        .await
}
