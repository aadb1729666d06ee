//! Admin (accounts with `isAdmin`, set by hand in the database): lists, stats, moderation, and
//! deleting an account with everything it made.

use crate::extract::Path;
use axum::extract::State;
use axum::Json;
use futures_util::TryStreamExt;
use mongodb::bson::doc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Body, Query};
use crate::routes::accounts::Profile;
use crate::routes::assets::{asset_view, AssetView};
use crate::routes::publish::{view as request_view, PublishRequestView};
use crate::routes::removal::Deleted;
use crate::store::{Asset, Game, PublishRequest, PublishStatus, User};

/// An admin account.
pub struct Admin(pub User);

impl axum::extract::FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        let Authed(user) = Authed::from_request_parts(parts, state).await?;
        if !user.is_admin {
            return Err(ApiError::Forbidden("this needs an admin account".into()));
        }
        Ok(Admin(user))
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// How many to skip (default 0).
    #[serde(default)]
    pub skip: u64,
    /// How many to return (default 50, at most 200).
    #[serde(default)]
    pub limit: Option<i64>,
    /// For publish requests: PENDING, PROCESSING, PUBLISHED or FAILED.
    #[serde(default)]
    pub status: Option<String>,
    /// Words that must all appear (any case): in a user's name or email, a game's name or
    /// author, an asset's name or owner.
    #[serde(default)]
    pub q: Option<String>,
}

/// At most this many records are searched through by `q` (newest first).
const SEARCHED: i64 = 5000;

impl Page {
    /// The lowercased words of `q`; none means no search.
    fn words(&self) -> Vec<String> {
        self.q
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect()
    }

    /// Whether `text` holds every word of `q`.
    fn matches(&self, words: &[String], text: &str) -> bool {
        let text = text.to_lowercase();
        words.iter().all(|w| text.contains(w.as_str()))
    }

    /// Newest first, paged; with `q`, the newest `SEARCHED` are searched and the matches paged.
    async fn fetch<T>(
        &self,
        collection: &mongodb::Collection<T>,
        filter: mongodb::bson::Document,
        text: impl Fn(&T) -> String,
    ) -> Result<Vec<T>, ApiError>
    where
        T: serde::de::DeserializeOwned + Send + Sync,
    {
        let words = self.words();
        if words.is_empty() {
            return Ok(collection
                .find(filter)
                .sort(doc! {"created": -1})
                .skip(self.skip)
                .limit(self.limit())
                .await?
                .try_collect()
                .await?);
        }
        let all: Vec<T> = collection
            .find(filter)
            .sort(doc! {"created": -1})
            .limit(SEARCHED)
            .await?
            .try_collect()
            .await?;
        Ok(all
            .into_iter()
            .filter(|t| self.matches(&words, &text(t)))
            .skip(self.skip as usize)
            .take(self.limit() as usize)
            .collect())
    }
}

impl Page {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GameRow {
    pub game_id: String,
    pub name: String,
    pub developer_id: String,
    pub published_version: Option<String>,
    pub nsfw: bool,
    pub created: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub users: u64,
    pub verified_users: u64,
    pub games: u64,
    pub published_games: u64,
    pub versions: u64,
    pub assets: u64,
    pub pending_requests: u64,
    pub processing_requests: u64,
    pub published_requests: u64,
    pub failed_requests: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NsfwFlag {
    pub nsfw: bool,
}

#[utoipa::path(get, path = "/admin/users", tag = "admin", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<Profile>), (status = 403, body = ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    _admin: Admin,
    Query(page): Query<Page>,
) -> Result<Json<Vec<Profile>>, ApiError> {
    let list = page
        .fetch(&state.store.users(), doc! {}, |u: &User| {
            format!("{} {}", u.display_name, u.email)
        })
        .await?;
    Ok(Json(list.into_iter().map(Profile::from).collect()))
}

fn game_row(g: Game) -> GameRow {
    GameRow {
        game_id: g.game_id,
        name: g.name,
        developer_id: g.developer_id,
        published_version: g.published_version,
        nsfw: g.nsfw,
        created: g.created.try_to_rfc3339_string().unwrap_or_default(),
    }
}

#[utoipa::path(get, path = "/admin/games", tag = "admin", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<GameRow>), (status = 403, body = ErrorBody)))]
pub async fn games(
    State(state): State<AppState>,
    _admin: Admin,
    Query(page): Query<Page>,
) -> Result<Json<Vec<GameRow>>, ApiError> {
    let list = page
        .fetch(&state.store.games(), doc! {}, |g: &Game| {
            format!("{} {}", g.name, g.developer_id)
        })
        .await?;
    Ok(Json(list.into_iter().map(game_row).collect()))
}

#[utoipa::path(get, path = "/admin/assets", tag = "admin", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<AssetView>), (status = 403, body = ErrorBody)))]
pub async fn assets(
    State(state): State<AppState>,
    _admin: Admin,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AssetView>>, ApiError> {
    let list = page
        .fetch(&state.store.assets(), doc! {}, |a: &Asset| {
            format!("{} {}", a.name, a.developer_id)
        })
        .await?;
    Ok(Json(list.iter().map(asset_view).collect()))
}

/// Publish requests, newest first; `?status=FAILED` (or PENDING, …) narrows the list.
#[utoipa::path(get, path = "/admin/publish-requests", tag = "admin", params(Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<PublishRequestView>), (status = 403, body = ErrorBody)))]
pub async fn publish_requests(
    State(state): State<AppState>,
    _admin: Admin,
    Query(page): Query<Page>,
) -> Result<Json<Vec<PublishRequestView>>, ApiError> {
    let filter = match page.status.as_deref() {
        None => doc! {},
        Some(s) if PublishStatus::parse(s).is_some() => doc! {"status": s},
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "status {other:?} is not one of PENDING, PROCESSING, PUBLISHED, FAILED"
            )))
        }
    };
    let list = page
        .fetch(
            &state.store.publish_requests(),
            filter,
            |r: &PublishRequest| format!("{} {}", r.game_id, r.error.clone().unwrap_or_default()),
        )
        .await?;
    Ok(Json(list.iter().map(request_view).collect()))
}

#[utoipa::path(get, path = "/admin/stats", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Stats), (status = 403, body = ErrorBody)))]
pub async fn stats(State(state): State<AppState>, _admin: Admin) -> Result<Json<Stats>, ApiError> {
    let s = &state.store;
    let requests = s.publish_requests();
    let requests = |status: PublishStatus| requests.count_documents(doc! {"status": status});
    Ok(Json(Stats {
        users: s.users().count_documents(doc! {}).await?,
        verified_users: s.users().count_documents(doc! {"verified": true}).await?,
        games: s.games().count_documents(doc! {}).await?,
        published_games: s
            .games()
            .count_documents(doc! {"publishedVersion": {"$ne": null}})
            .await?,
        versions: s.versions().count_documents(doc! {}).await?,
        assets: s.assets().count_documents(doc! {}).await?,
        pending_requests: requests(PublishStatus::Pending).await?,
        processing_requests: requests(PublishStatus::Processing).await?,
        published_requests: requests(PublishStatus::Published).await?,
        failed_requests: requests(PublishStatus::Failed).await?,
    }))
}

/// Flags or unflags an asset as not safe for work (games using it are marked when published).
#[utoipa::path(post, path = "/admin/assets/{asset_id}/nsfw", tag = "admin", params(("asset_id" = String, Path)), request_body = NsfwFlag,
    security(("bearer" = [])), responses((status = 200, body = AssetView), (status = 404, body = ErrorBody)))]
pub async fn flag_asset(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(asset_id): Path<String>,
    Body(flag): Body<NsfwFlag>,
) -> Result<Json<AssetView>, ApiError> {
    let assets = state.store.assets();
    // An admin's word is final: the classifier never sets a flag an admin set.
    let r = assets
        .update_one(
            doc! {"assetId": &asset_id},
            doc! {"$set": {"nsfw": flag.nsfw, "nsfwSetBy": &admin.user_id}},
        )
        .await?;
    if r.matched_count == 0 {
        return Err(ApiError::NotFound("no such asset".into()));
    }
    let a = assets
        .find_one(doc! {"assetId": &asset_id})
        .await?
        .ok_or_else(|| ApiError::NotFound("no such asset".into()))?;
    Ok(Json(asset_view(&a)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepositoryState {
    /// True: the game's repository answers no clone, fetch or push (its files and history stay).
    pub disabled: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryStateView {
    pub game_id: String,
    pub disabled: bool,
}

/// Disables (or enables again) a game's git repository.
#[utoipa::path(post, path = "/admin/games/{game_id}/repository", tag = "admin", params(("game_id" = String, Path)), request_body = RepositoryState,
    security(("bearer" = [])), responses((status = 200, body = RepositoryStateView), (status = 404, body = ErrorBody)))]
pub async fn set_repository(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(game_id): Path<String>,
    Body(req): Body<RepositoryState>,
) -> Result<Json<RepositoryStateView>, ApiError> {
    let r = state
        .store
        .games()
        .update_one(
            doc! {"gameId": &game_id},
            doc! {"$set": {"repoDisabled": req.disabled}},
        )
        .await?;
    if r.matched_count == 0 {
        return Err(ApiError::NotFound("no such game".into()));
    }
    tracing::info!(admin = %admin.user_id, game = %game_id, disabled = req.disabled, "repository state set");
    Ok(Json(RepositoryStateView {
        game_id,
        disabled: req.disabled,
    }))
}

/// Deletes an account and everything it made: games, versions (and file contents no other version
/// holds), published versions, publish requests, assets; its games leave the game server and their
/// sessions end. One call; it can be repeated safely.
#[utoipa::path(delete, path = "/admin/users/{user_id}", tag = "admin", params(("user_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 404, body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(user_id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let s = &state.store;
    if user_id == admin.user_id {
        return Err(ApiError::BadRequest(
            "an admin cannot delete their own account here".into(),
        ));
    }
    if s.users()
        .find_one(doc! {"userId": &user_id})
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound("no such user".into()));
    }
    let out = crate::routes::removal::delete_account(&state, &user_id).await?;
    tracing::info!(admin = %admin.user_id, user = %user_id, games = out.games, sessions_ended = out.server.sessions_ended, "account deleted with everything it made");
    Ok(Json(out))
}

/// What deleting an account would take with it, for the confirmation an admin reads first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Belongings {
    pub user: Profile,
    /// Its games (published ones leave the catalog and the game server).
    pub games: Vec<GameRow>,
    pub assets: u64,
    pub publish_requests: u64,
}

/// What `DELETE /admin/users/{user_id}` would remove; changes nothing.
#[utoipa::path(get, path = "/admin/users/{user_id}/belongings", tag = "admin", params(("user_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Belongings), (status = 404, body = ErrorBody)))]
pub async fn belongings(
    State(state): State<AppState>,
    _admin: Admin,
    Path(user_id): Path<String>,
) -> Result<Json<Belongings>, ApiError> {
    let s = &state.store;
    let user = s
        .users()
        .find_one(doc! {"userId": &user_id})
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    let games: Vec<Game> = s
        .games()
        .find(doc! {"developerId": &user_id})
        .sort(doc! {"created": -1})
        .await?
        .try_collect()
        .await?;
    Ok(Json(Belongings {
        user: Profile::from(user),
        games: games.into_iter().map(game_row).collect(),
        assets: s
            .assets()
            .count_documents(doc! {"developerId": &user_id})
            .await?,
        publish_requests: s
            .publish_requests()
            .count_documents(doc! {"userId": &user_id})
            .await?,
    }))
}

/// A job in the dead-letter queue, with its request as it is now.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterView {
    pub request_id: String,
    /// The attempts it had made when it was given up.
    pub attempt: u64,
    /// The request (null when it no longer exists).
    pub request: Option<PublishRequestView>,
}

/// The publish jobs the worker gave up on after repeated transient failures, oldest first (at
/// most 500). Looking leaves them where they are.
#[utoipa::path(get, path = "/admin/dead-letters", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<DeadLetterView>), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn dead_letters(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<DeadLetterView>>, ApiError> {
    let jobs = crate::dead_letters::list(&state.config.amqp_url, &state.config.publish_queue)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let ids: Vec<&str> = jobs.iter().map(|j| j.request_id.as_str()).collect();
    let requests: Vec<PublishRequest> = state
        .store
        .publish_requests()
        .find(doc! {"requestId": {"$in": &ids}})
        .await?
        .try_collect()
        .await?;
    Ok(Json(
        jobs.into_iter()
            .map(|j| DeadLetterView {
                request: requests
                    .iter()
                    .find(|r| r.request_id == j.request_id)
                    .map(request_view),
                request_id: j.request_id,
                attempt: j.attempt,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayView {
    /// Requests queued again as first attempts, PENDING.
    pub replayed: Vec<String>,
    /// Dead letters dropped: their request no longer exists, or they were not jobs.
    pub dropped: u64,
}

/// Moves every dead-lettered publish job back onto the publish queue (once whatever made it fail
/// is mended): each request is PENDING again and the worker takes it as a first attempt.
#[utoipa::path(post, path = "/admin/dead-letters/replay", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = ReplayView), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn replay_dead_letters(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> Result<Json<ReplayView>, ApiError> {
    let out = crate::dead_letters::replay(
        &state.config.amqp_url,
        &state.config.publish_queue,
        &state.store,
    )
    .await
    .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    tracing::info!(admin = %admin.user_id, replayed = out.requests.len(), dropped = out.dropped, "dead letters replayed");
    Ok(Json(ReplayView {
        replayed: out.requests,
        dropped: out.dropped,
    }))
}
