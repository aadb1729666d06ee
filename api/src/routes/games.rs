//! Games and their versions: create (starter files + GPLv3 LICENSE), save versions (immutable,
//! addressed by content hash), list, read files, restore, describe; the public catalog.

use crate::extract::Path;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use futures_util::TryStreamExt;
use mongodb::bson::{doc, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{Authed, Verified};
use crate::error::{is_duplicate_key, ApiError, ErrorBody};
use crate::extract::{Body, Query};
use crate::store::{new_id, FileEntry, Game, User, Version};
use crate::template::starter_files;
use crate::text::{check_human_text, Lines};
use crate::versions::{describe, read_blob, read_files, store_blobs};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGameRequest {
    /// 1-60 characters (not counting spaces around it).
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGameRequest {
    /// Up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// An asset id (32 hex characters), or null to clear it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[0-9a-fA-F]{32}$")]
    pub thumbnail: Option<Option<String>>,
    /// Whether anyone may clone the published source (as one commit of the published files).
    #[serde(default, rename = "sourcePublic")]
    pub source_public: Option<bool>,
}

/// Distinguishes an absent field (no change) from an explicit null (clear).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

/// One file to save: its text in `content`, or its bytes in `base64`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileUpload {
    /// Relative path with `/` between folders, e.g. `index.js`, `assets/pop.png` (no `.` or `..`
    /// segments, no backslashes or control characters, at most 200 bytes).
    #[schema(
        max_length = 200,
        pattern = r"^([^/.\\\x00-\x1f][^/\\\x00-\x1f]*|\.[^/.\\\x00-\x1f][^/\\\x00-\x1f]*|\.\.[^/\\\x00-\x1f]+)(/([^/.\\\x00-\x1f][^/\\\x00-\x1f]*|\.[^/.\\\x00-\x1f][^/\\\x00-\x1f]*|\.\.[^/\\\x00-\x1f]+))*$"
    )]
    pub path: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub base64: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveVersionRequest {
    /// The game's files, complete: a version is the whole game, not a change.
    pub files: Vec<FileUpload>,
    #[serde(default)]
    pub message: Option<String>,
    /// The commit these files were edited from (the Studio sends it). If the game's `main` has
    /// moved since (a push), nothing is saved and the answer is 409: reload, then save.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{40}$")]
    pub base: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionSummary {
    pub number: i64,
    /// sha256 of the version's content; the same files always give the same hash.
    pub content_hash: String,
    pub file_count: usize,
    pub total_size: i64,
    /// RFC 3339.
    pub created: String,
    pub message: Option<String>,
    pub restored_from: Option<i64>,
    /// The git commit that is this version.
    pub commit: Option<String>,
    /// True when the saved files equal the latest version's, so nothing new was written.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionDetail {
    #[serde(flatten)]
    pub summary: VersionSummary,
    pub files: Vec<FileInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct FileInfo {
    pub path: String,
    pub sha256: String,
    pub size: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GameView {
    pub game_id: String,
    pub name: String,
    pub description: String,
    /// The author's display name.
    pub developer: String,
    pub created: String,
    pub thumbnail: Option<String>,
    /// Content hash of the published version, if any.
    pub published_version: Option<String>,
    pub nsfw: bool,
    /// The newest saved version (the author's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<VersionSummary>,
    /// Whether anyone may clone the published source.
    pub source_public: bool,
    /// Where to `git clone` the game from: its repository for the author, the published source
    /// for others when it is public; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clone_url: Option<String>,
    /// Sessions started of it.
    pub plays: i64,
}

fn rfc3339(t: DateTime) -> String {
    t.try_to_rfc3339_string().unwrap_or_default()
}

fn summary(v: &Version, unchanged: bool) -> VersionSummary {
    VersionSummary {
        number: v.number,
        content_hash: v.content_hash.clone(),
        file_count: v.files.len(),
        total_size: v.total_size,
        created: rfc3339(v.created),
        message: v.message.clone(),
        restored_from: v.restored_from,
        commit: v.commit.clone(),
        unchanged,
    }
}

async fn display_name_of(state: &AppState, user_id: &str) -> Result<String, ApiError> {
    Ok(state
        .store
        .users()
        .find_one(doc! {"userId": user_id})
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "(deleted)".into()))
}

async fn view(
    state: &AppState,
    game: Game,
    latest: Option<VersionSummary>,
) -> Result<GameView, ApiError> {
    let developer = display_name_of(state, &game.developer_id).await?;
    Ok(view_by(game, developer, latest, &state.config.public_url))
}

/// The display names of `user_ids`, in one query.
async fn display_names(
    state: &AppState,
    user_ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    let users: Vec<crate::store::User> = state
        .store
        .users()
        .find(doc! {"userId": {"$in": user_ids}})
        .await?
        .try_collect()
        .await?;
    Ok(users
        .into_iter()
        .map(|u| (u.user_id, u.display_name))
        .collect())
}

/// `latest` is given for the author's view only. `base` is the API's address (`public_url`).
fn view_by(game: Game, developer: String, latest: Option<VersionSummary>, base: &str) -> GameView {
    // The same address serves the author the repository and others the published source.
    let clone_url = (latest.is_some() || (game.source_public && game.published_version.is_some()))
        .then(|| {
            format!(
                "{}/git/{}/{}.git",
                base.trim_end_matches('/'),
                developer,
                game.game_id
            )
        });
    GameView {
        plays: game.plays,
        source_public: game.source_public,
        clone_url,
        developer,
        game_id: game.game_id,
        name: game.name,
        description: game.description,
        created: rfc3339(game.created),
        thumbnail: game.thumbnail,
        published_version: game.published_version,
        nsfw: game.nsfw,
        latest_version: latest,
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("no such game".into())
}

/// The game, if `user` may change it (its author, or an admin). Others get 404, never a hint
/// that an unpublished game exists.
pub(crate) async fn owned_game(
    state: &AppState,
    game_id: &str,
    user: &User,
) -> Result<Game, ApiError> {
    let game = state
        .store
        .games()
        .find_one(doc! {"gameId": game_id})
        .await?
        .ok_or_else(not_found)?;
    if !user.may_manage(&game.developer_id) {
        return Err(not_found());
    }
    Ok(game)
}

pub(crate) async fn latest_version(
    state: &AppState,
    game_id: &str,
) -> Result<Option<Version>, ApiError> {
    Ok(state
        .store
        .versions()
        .find_one(doc! {"gameId": game_id})
        .sort(doc! {"number": -1})
        .await?)
}

pub(crate) async fn version_by_hash(
    state: &AppState,
    game_id: &str,
    hash: &str,
) -> Result<Version, ApiError> {
    state
        .store
        .versions()
        .find_one(doc! {"gameId": game_id, "contentHash": hash})
        .sort(doc! {"number": -1})
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("game {game_id} has no version {hash}")))
}

/// Saves `files` as the game's next version: a commit on its repository's `main` by `user`, then
/// the version record naming it. Saves of one game are made one at a time (the repository's
/// lock); a push that moves `main` meanwhile is never lost: the commit is a compare-and-swap on
/// the branch, and a save whose `base` is no longer `main` is refused (409) before anything is
/// written. Saving the latest version's files again writes nothing (`unchanged`).
async fn write_version(
    state: &AppState,
    game: &Game,
    user: &User,
    files: &[(String, Vec<u8>)],
    message: Option<String>,
    restored_from: Option<i64>,
    base: Option<String>,
) -> Result<(Version, bool), ApiError> {
    let (_, _, hash) = describe(files)?;
    let _lock = state.repos.lock(&game.game_id).await;
    let dir = state
        .repos
        .create(&game.developer_id, &game.game_id)
        .await
        .map_err(git_error)?;
    let head = state.repos.head(&dir).await.map_err(git_error)?;
    if let Some(base) = &base {
        if head.as_deref() != Some(base.as_str()) {
            return Err(ApiError::Conflict(format!(
                "the game's source has moved since {} (a push?): it is now at {}; reload it and save again",
                &base[..12],
                head.as_deref().map_or("nothing", |h| &h[..12]),
            )));
        }
    }
    let latest = latest_version(state, &game.game_id).await?;
    if restored_from.is_none() {
        if let Some(v) = &latest {
            if v.content_hash == hash && v.commit.is_some() && v.commit == head {
                return Ok((v.clone(), true));
            }
        }
    }
    let text = message
        .clone()
        .unwrap_or_else(|| "Saved in the Studio".to_string());
    let author = crate::git::Author::of_user(&user.display_name, &user.user_id);
    let commit = state
        .repos
        .commit(&dir, files, head.as_deref(), &text, &author)
        .await
        .map_err(git_error)?;
    let version = record_version(
        state,
        &game.game_id,
        user,
        files,
        message,
        restored_from,
        &commit,
    )
    .await?;
    Ok((version, false))
}

pub(crate) fn git_error(e: crate::git::GitError) -> ApiError {
    match e {
        crate::git::GitError::Moved => ApiError::Conflict(e.to_string()),
        crate::git::GitError::Refused(why) => ApiError::invalid(why),
        other => ApiError::Internal(other.to_string()),
    }
}

/// Writes the version record of `commit` (the next number) with its files' blobs. Concurrent
/// writes of one game each get their own number: a lost race on the unique (gameId, number) index
/// is retried.
pub(crate) async fn record_version(
    state: &AppState,
    game_id: &str,
    user: &User,
    files: &[(String, Vec<u8>)],
    message: Option<String>,
    restored_from: Option<i64>,
    commit: &str,
) -> Result<Version, ApiError> {
    let (entries, total, hash) = describe(files)?;
    store_blobs(&state.store, files).await?;
    let mut number = latest_version(state, game_id)
        .await?
        .map_or(1, |v| v.number + 1);
    for _ in 0..8 {
        let version = Version {
            game_id: game_id.to_string(),
            number,
            content_hash: hash.clone(),
            files: entries.clone(),
            total_size: total,
            created: DateTime::now(),
            created_by: user.user_id.clone(),
            message: message.clone(),
            restored_from,
            commit: Some(commit.to_string()),
        };
        match state.store.versions().insert_one(&version).await {
            Ok(_) => return Ok(version),
            Err(e) if is_duplicate_key(&e) => {
                number = latest_version(state, game_id)
                    .await?
                    .map_or(number + 1, |v| v.number.max(number) + 1)
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict(
        "too many saves of this game at once; try again".into(),
    ))
}

/// Creates a game from the starter template (with the GPLv3 LICENSE) as version 1.
#[utoipa::path(post, path = "/games", tag = "games", request_body = CreateGameRequest, security(("bearer" = [])),
    responses((status = 201, body = GameView), (status = 401, body = ErrorBody), (status = 403, description = "email not verified", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_game(
    State(state): State<AppState>,
    Verified(user): Verified,
    Body(req): Body<CreateGameRequest>,
) -> Result<(StatusCode, Json<GameView>), ApiError> {
    let name = req.name;
    if !(1..=60).contains(&name.chars().count()) || name.trim().is_empty() {
        return Err(ApiError::invalid(
            "name must be 1-60 characters, not all spaces",
        ));
    }
    check_human_text("name", &name, Lines::One)?;
    let description = req.description.unwrap_or_default();
    if description.chars().count() > 2000 {
        return Err(ApiError::invalid(
            "description must be at most 2000 characters",
        ));
    }
    check_human_text("description", &description, Lines::Many)?;
    let game = Game {
        game_id: new_id(),
        name: name.clone(),
        description,
        developer_id: user.user_id.clone(),
        created: DateTime::now(),
        thumbnail: None,
        published_version: None,
        nsfw: false,
        source_public: false,
        repo_disabled: false,
        plays: 0,
    };
    state.store.games().insert_one(&game).await?;
    // Its repository's first commit holds the starter files and the LICENSE.
    let (version, _) = write_version(
        &state,
        &game,
        &user,
        &starter_files(&name),
        Some("created from the starter template".into()),
        None,
        None,
    )
    .await?;
    tracing::info!(game = %game.game_id, user = %user.user_id, "game created");
    Ok((
        StatusCode::CREATED,
        Json(view(&state, game, Some(summary(&version, false))).await?),
    ))
}

/// The signed-in author's games.
#[utoipa::path(get, path = "/games", tag = "games", security(("bearer" = [])),
    responses((status = 200, body = Vec<GameView>), (status = 401, body = ErrorBody)))]
pub async fn my_games(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> Result<Json<Vec<GameView>>, ApiError> {
    let games: Vec<Game> = state
        .store
        .games()
        .find(doc! {"developerId": &user.user_id})
        .sort(doc! {"created": -1})
        .await?
        .try_collect()
        .await?;
    let mut out = Vec::with_capacity(games.len());
    for g in games {
        let latest = latest_version(&state, &g.game_id)
            .await?
            .map(|v| summary(&v, false));
        out.push(view_by(
            g,
            user.display_name.clone(),
            latest,
            &state.config.public_url,
        ));
    }
    Ok(Json(out))
}

/// A game: anyone may read a published one; an unpublished one only its author (or an admin).
#[utoipa::path(get, path = "/games/{game_id}", tag = "games", params(("game_id" = String, Path)),
    responses((status = 200, body = GameView), (status = 404, body = ErrorBody)))]
pub async fn get_game(
    State(state): State<AppState>,
    user: Option<Authed>,
    Path(game_id): Path<String>,
) -> Result<Json<GameView>, ApiError> {
    let game = state
        .store
        .games()
        .find_one(doc! {"gameId": &game_id})
        .await?
        .ok_or_else(not_found)?;
    let is_owner = user
        .as_ref()
        .is_some_and(|Authed(u)| u.may_manage(&game.developer_id));
    if !is_owner && game.published_version.is_none() {
        return Err(not_found());
    }
    let latest = if is_owner {
        latest_version(&state, &game_id)
            .await?
            .map(|v| summary(&v, false))
    } else {
        None
    };
    Ok(Json(view(&state, game, latest).await?))
}

/// Sets a game's description and/or thumbnail.
#[utoipa::path(patch, path = "/games/{game_id}", tag = "games", params(("game_id" = String, Path)), request_body = UpdateGameRequest,
    security(("bearer" = [])), responses((status = 200, body = GameView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_game(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
    Body(req): Body<UpdateGameRequest>,
) -> Result<Json<GameView>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let mut set = doc! {};
    let mut unset = doc! {};
    if let Some(d) = req.description {
        if d.chars().count() > 2000 {
            return Err(ApiError::invalid(
                "description must be at most 2000 characters",
            ));
        }
        check_human_text("description", &d, Lines::Many)?;
        set.insert("description", d);
    }
    if let Some(public) = req.source_public {
        set.insert("sourcePublic", public);
    }
    match req.thumbnail {
        Some(Some(t)) => {
            if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ApiError::invalid(
                    "thumbnail must be an asset id (32 hex characters) or null",
                ));
            }
            // One of the author's own images.
            let asset = state
                .store
                .assets()
                .find_one(doc! {"assetId": &t, "developerId": &user.user_id})
                .await?;
            match asset {
                Some(a) if a.kind == "image" => {}
                Some(_) => return Err(ApiError::invalid("the thumbnail must be an image asset")),
                None => {
                    return Err(ApiError::invalid(
                        "no image asset of yours has that id; upload it first (POST /assets)",
                    ))
                }
            }
            set.insert("thumbnail", t);
        }
        Some(None) => {
            unset.insert("thumbnail", "");
        }
        None => {}
    }
    let mut update = doc! {};
    if !set.is_empty() {
        update.insert("$set", set);
    }
    if !unset.is_empty() {
        update.insert("$unset", unset);
    }
    if !update.is_empty() {
        state
            .store
            .games()
            .update_one(doc! {"gameId": &game_id}, update)
            .await?;
    }
    let game = owned_game(&state, &game_id, &user).await?;
    let latest = latest_version(&state, &game_id)
        .await?
        .map(|v| summary(&v, false));
    Ok(Json(view(&state, game, latest).await?))
}

/// Saves the game's files as a new version. Saving exactly the latest version's files again
/// writes nothing and answers 200 with that version (`unchanged: true`).
#[utoipa::path(post, path = "/games/{game_id}/versions", tag = "games", params(("game_id" = String, Path)), request_body = SaveVersionRequest,
    security(("bearer" = [])), responses((status = 201, body = VersionSummary), (status = 200, description = "same files as the latest version", body = VersionSummary),
        (status = 404, body = ErrorBody), (status = 409, description = "main moved since `base` (a push)", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_version(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
    Body(req): Body<SaveVersionRequest>,
) -> Result<(StatusCode, Json<VersionSummary>), ApiError> {
    let game = owned_game(&state, &game_id, &user).await?;
    let files = decode_uploads(req.files)?;
    if let Some(m) = &req.message {
        if m.chars().count() > 500 {
            return Err(ApiError::invalid("message must be at most 500 characters"));
        }
        check_human_text("message", m, Lines::Many)?;
    }
    if let Some(base) = &req.base {
        if base.len() != 40 || !base.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::invalid(
                "base must be a commit id (40 hex characters)",
            ));
        }
    }
    let (version, unchanged) =
        write_version(&state, &game, &user, &files, req.message, None, req.base).await?;
    let status = if unchanged {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(summary(&version, unchanged))))
}

/// The bytes of each uploaded file; a game needs an `index.js` at its top level.
pub(crate) fn decode_uploads(uploads: Vec<FileUpload>) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let mut files = Vec::with_capacity(uploads.len());
    for f in uploads {
        let bytes = match (f.content, f.base64) {
            (Some(text), None) => text.into_bytes(),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| ApiError::invalid(format!("{}: base64 is not valid: {e}", f.path)))?,
            _ => {
                return Err(ApiError::invalid(format!(
                    "{}: give exactly one of content or base64",
                    f.path
                )))
            }
        };
        files.push((f.path, bytes));
    }
    if !files.iter().any(|(p, _)| p == "index.js") {
        return Err(ApiError::invalid(
            "a game needs an index.js at its top level",
        ));
    }
    Ok(files)
}

/// Every version of a game, newest first.
#[utoipa::path(get, path = "/games/{game_id}/versions", tag = "games", params(("game_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<VersionSummary>), (status = 404, body = ErrorBody)))]
pub async fn list_versions(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(game_id): Path<String>,
) -> Result<Json<Vec<VersionSummary>>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let versions: Vec<Version> = state
        .store
        .versions()
        .find(doc! {"gameId": &game_id})
        .sort(doc! {"number": -1})
        .await?
        .try_collect()
        .await?;
    Ok(Json(versions.iter().map(|v| summary(v, false)).collect()))
}

/// One version and its files.
#[utoipa::path(get, path = "/games/{game_id}/versions/{hash}", tag = "games", params(("game_id" = String, Path), ("hash" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = VersionDetail), (status = 404, body = ErrorBody)))]
pub async fn get_version(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((game_id, hash)): Path<(String, String)>,
) -> Result<Json<VersionDetail>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let v = version_by_hash(&state, &game_id, &hash).await?;
    let files = v
        .files
        .iter()
        .map(|f: &FileEntry| FileInfo {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
        })
        .collect();
    Ok(Json(VersionDetail {
        summary: summary(&v, false),
        files,
    }))
}

fn content_type(path: &str) -> &'static str {
    match path
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("md" | "txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        Some("ogg") => "audio/ogg",
        Some("ttf") => "font/ttf",
        Some("woff2") => "font/woff2",
        _ if path == "LICENSE" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// One file of a version, as raw bytes.
#[utoipa::path(get, path = "/games/{game_id}/versions/{hash}/files/{path}", tag = "games",
    params(("game_id" = String, Path), ("hash" = String, Path), ("path" = String, Path, description = "may contain /")),
    security(("bearer" = [])), responses((status = 200, description = "the file's bytes"), (status = 404, body = ErrorBody)))]
pub async fn get_file(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((game_id, hash, path)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let v = version_by_hash(&state, &game_id, &hash).await?;
    let entry = v
        .files
        .iter()
        .find(|f| f.path == path)
        .ok_or_else(|| ApiError::NotFound(format!("version {hash} has no file {path}")))?;
    let bytes = read_blob(&state.store, &entry.sha256).await?;
    Ok(([(header::CONTENT_TYPE, content_type(&path))], bytes).into_response())
}

/// Saves an old version's files as a new version (history is never rewritten).
#[utoipa::path(post, path = "/games/{game_id}/versions/{hash}/restore", tag = "games", params(("game_id" = String, Path), ("hash" = String, Path)),
    security(("bearer" = [])), responses((status = 201, body = VersionSummary), (status = 404, body = ErrorBody),
        (status = 409, description = "a push moved main meanwhile; try again", body = ErrorBody)))]
pub async fn restore_version(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path((game_id, hash)): Path<(String, String)>,
) -> Result<(StatusCode, Json<VersionSummary>), ApiError> {
    let game = owned_game(&state, &game_id, &user).await?;
    let old = version_by_hash(&state, &game_id, &hash).await?;
    let files = read_files(&state.store, &old.files).await?;
    let message = Some(format!("restored version {}", old.number));
    let (version, _) = write_version(
        &state,
        &game,
        &user,
        &files,
        message,
        Some(old.number),
        None,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(summary(&version, false))))
}

/// Published games, for anyone.
/// How the catalog is asked: words to look for and an order.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CatalogQuery {
    /// Words that must all appear in the name, description or author (any case).
    #[serde(default)]
    pub q: Option<String>,
    /// `name` (the default), `newest` or `popular` (most sessions started).
    #[serde(default)]
    pub sort: Option<String>,
}

/// Published games, for anyone.
#[utoipa::path(get, path = "/catalog", tag = "games", params(CatalogQuery),
    responses((status = 200, body = Vec<GameView>), (status = 422, description = "an unknown order", body = ErrorBody)))]
pub async fn catalog(
    State(state): State<AppState>,
    Query(query): Query<CatalogQuery>,
) -> Result<Json<Vec<GameView>>, ApiError> {
    let order = match query.sort.as_deref().unwrap_or("name") {
        "name" => doc! {"name": 1},
        "newest" => doc! {"created": -1},
        "popular" => doc! {"plays": -1, "name": 1},
        other => {
            return Err(ApiError::invalid(format!(
                "sort must be name, newest or popular, not {other:?}"
            )))
        }
    };
    let games: Vec<Game> = state
        .store
        .games()
        .find(doc! {"publishedVersion": {"$ne": null}})
        .sort(order)
        .limit(500)
        .await?
        .try_collect()
        .await?;
    // One query for every author's name, not one per game.
    let ids: Vec<&str> = games.iter().map(|g| g.developer_id.as_str()).collect();
    let names = display_names(&state, &ids).await?;
    let words: Vec<String> = query
        .q
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    Ok(Json(
        games
            .into_iter()
            .map(|g| {
                let name = names
                    .get(&g.developer_id)
                    .cloned()
                    .unwrap_or_else(|| "(deleted)".into());
                view_by(g, name, None, &state.config.public_url)
            })
            .filter(|v| {
                let text = format!("{} {} {}", v.name, v.description, v.developer).to_lowercase();
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect(),
    ))
}

/// Files to scan: the Studio's working tree (saved or not).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    pub files: Vec<ScanFile>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanFile {
    pub path: String,
    pub content: String,
}

/// What the scan found, each with its file, line and column.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<ast_scan::Finding>,
    /// The squish version index.js declares (`squish-142` → `1.4.2`), if it declares one.
    pub squish_version: Option<String>,
    /// Why no squish version could be read, if none.
    pub version_problem: Option<String>,
}

/// Runs the publishing scan over files the author has not saved yet (the Studio marks each
/// finding in the editor). Nothing runs and nothing is stored.
#[utoipa::path(post, path = "/games/{game_id}/scan", tag = "games", params(("game_id" = String, Path)), request_body = ScanRequest,
    security(("bearer" = [])), responses((status = 200, body = ScanReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn scan_files(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(game_id): Path<String>,
    Body(req): Body<ScanRequest>,
) -> Result<Json<ScanReport>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    if req.files.len() > game_files::MAX_FILES {
        return Err(ApiError::invalid(format!(
            "at most {} files",
            game_files::MAX_FILES
        )));
    }
    let index = req
        .files
        .iter()
        .find(|f| f.path == "index.js")
        .map(|f| f.content.clone());
    let sources: Vec<(String, String)> = req
        .files
        .into_iter()
        .filter(|f| f.path.ends_with(".js"))
        .map(|f| (f.path, f.content))
        .collect();
    let findings = tokio::task::spawn_blocking(move || ast_scan::scan_sources(&sources))
        .await
        .map_err(|e| ApiError::Internal(format!("the scan stopped: {e}")))?;
    let version = match index {
        Some(index) => ast_scan::squish_version(&index).map_err(|e| e.to_string()),
        None => Err("there is no index.js".to_string()),
    };
    let (squish_version, version_problem) = match version {
        Ok(v) => (Some(v), None),
        Err(why) => (None, Some(why)),
    };
    Ok(Json(ScanReport {
        findings,
        squish_version,
        version_problem,
    }))
}
