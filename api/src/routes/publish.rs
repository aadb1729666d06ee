//! Publishing: a request is stored PENDING and queued; a worker (`worker.rs`) validates the version
//! and publishes it or says why not. At most one request per author every 10 minutes.

use crate::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use futures_util::TryStreamExt;
use mongodb::bson::{doc, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{Authed, Verified};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Body;
use crate::routes::games::{latest_version, owned_game, version_by_hash};
use crate::store::{new_id, PublishRequest, PublishStatus};

const PUBLISH_INTERVAL_MS: i64 = 10 * 60 * 1000;

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishBody {
    /// The version to publish; the latest when absent.
    #[serde(default)]
    pub content_hash: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishRequestView {
    pub request_id: String,
    pub game_id: String,
    pub content_hash: String,
    pub version_number: i64,
    /// The commit to publish.
    pub commit: Option<String>,
    pub status: PublishStatus,
    pub created: String,
    pub completed_at: Option<String>,
    /// The published version's id, once PUBLISHED.
    pub version_id: Option<String>,
    /// Why it FAILED.
    pub error: Option<String>,
    /// The scan's findings (file:line:column, rule, explanation), when the scan failed it.
    pub findings: Vec<String>,
}

pub fn view(r: &PublishRequest) -> PublishRequestView {
    PublishRequestView {
        request_id: r.request_id.clone(),
        game_id: r.game_id.clone(),
        content_hash: r.content_hash.clone(),
        version_number: r.version_number,
        commit: r.commit.clone(),
        status: r.status,
        created: r.created.try_to_rfc3339_string().unwrap_or_default(),
        completed_at: r.completed_at.and_then(|t| t.try_to_rfc3339_string().ok()),
        version_id: r.version_id.clone(),
        error: r.error.clone(),
        findings: r.findings.clone(),
    }
}

/// Asks for a version to be validated and published. Answers 202 with the request; poll
/// GET /publish-requests/{id} for the outcome.
#[utoipa::path(post, path = "/games/{game_id}/publish", tag = "publishing", params(("game_id" = String, Path)), request_body = PublishBody,
    security(("bearer" = [])), responses((status = 202, body = PublishRequestView), (status = 404, body = ErrorBody),
        (status = 429, description = "one request per 10 minutes", body = ErrorBody), (status = 503, description = "queue or database down; nothing was stored", body = ErrorBody)))]
pub async fn request_publish(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
    body: Option<Body<PublishBody>>,
) -> Result<(StatusCode, Json<PublishRequestView>), ApiError> {
    let req = body.map(|Body(b)| b).unwrap_or_default();
    owned_game(&state, &game_id, &user).await?;
    let version = match &req.content_hash {
        Some(h) => version_by_hash(&state, &game_id, h).await?,
        None => latest_version(&state, &game_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("this game has no version".into()))?,
    };
    let request = queue_publish(&state, &game_id, &user.user_id, &version).await?;
    tracing::info!(request = %request.request_id, game = %game_id, "publish requested");
    Ok((StatusCode::ACCEPTED, Json(view(&request))))
}

/// Stores a PENDING request to publish `version` and puts it on the queue (at most one request
/// per author every 10 minutes; a request that could not be queued is taken back).
pub(crate) async fn queue_publish(
    state: &AppState,
    game_id: &str,
    user_id: &str,
    version: &crate::store::Version,
) -> Result<PublishRequest, ApiError> {
    let since = DateTime::from_millis(DateTime::now().timestamp_millis() - PUBLISH_INTERVAL_MS);
    if let Some(last) = state
        .store
        .publish_requests()
        .find_one(doc! {"userId": user_id, "created": {"$gt": since}})
        .await?
    {
        let wait_s = (last.created.timestamp_millis() + PUBLISH_INTERVAL_MS
            - DateTime::now().timestamp_millis())
        .max(0)
            / 1000
            + 1;
        return Err(ApiError::rate_limited(
            format!(
                "one publish request per 10 minutes; try again in {} min {} s",
                wait_s / 60,
                wait_s % 60
            ),
            wait_s as u64,
        ));
    }
    let request = PublishRequest {
        request_id: new_id(),
        game_id: game_id.to_string(),
        content_hash: version.content_hash.clone(),
        version_number: version.number,
        user_id: user_id.to_string(),
        status: PublishStatus::Pending,
        created: DateTime::now(),
        started_at: None,
        completed_at: None,
        attempts: 0,
        version_id: None,
        error: None,
        findings: Vec::new(),
        commit: version.commit.clone(),
    };
    state.store.publish_requests().insert_one(&request).await?;
    let payload = serde_json::to_string(&crate::store::PublishJob {
        request_id: request.request_id.clone(),
        attempt: 0,
    })
    .expect("json");
    if let Err(e) = state.queue.publish(payload.as_bytes()).await {
        // Not queued means not accepted: take the request back so the author can simply retry.
        tracing::warn!(error = %e, request = %request.request_id, "publish request not queued");
        let _ = state
            .store
            .publish_requests()
            .delete_one(doc! {"requestId": &request.request_id})
            .await;
        return Err(ApiError::Unavailable(format!(
            "{e}; nothing was stored, try again shortly"
        )));
    }
    Ok(request)
}

/// One publish request (its author or an admin).
#[utoipa::path(get, path = "/publish-requests/{request_id}", tag = "publishing", params(("request_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PublishRequestView), (status = 404, body = ErrorBody)))]
pub async fn get_request(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(request_id): Path<String>,
) -> Result<Json<PublishRequestView>, ApiError> {
    let r = state
        .store
        .publish_requests()
        .find_one(doc! {"requestId": &request_id})
        .await?;
    match r {
        Some(r) if user.may_manage(&r.user_id) => Ok(Json(view(&r))),
        _ => Err(ApiError::NotFound("no such publish request".into())),
    }
}

/// A game's publish requests, newest first.
#[utoipa::path(get, path = "/games/{game_id}/publish-requests", tag = "publishing", params(("game_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<PublishRequestView>), (status = 404, body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(game_id): Path<String>,
) -> Result<Json<Vec<PublishRequestView>>, ApiError> {
    owned_game(&state, &game_id, &user).await?;
    let list: Vec<PublishRequest> = state
        .store
        .publish_requests()
        .find(doc! {"gameId": &game_id})
        .sort(doc! {"created": -1})
        .await?
        .try_collect()
        .await?;
    Ok(Json(list.iter().map(view).collect()))
}
