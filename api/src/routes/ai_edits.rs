//! AI Edit: an author asks for a change in words; the request is queued as `LLM_REQUEST` on
//! RabbitMQ for `homegames-api llm-worker` (`crate::llm`), which asks a model and checks its
//! answer; the Studio polls the edit and shows the answer as an unsaved change to review. This
//! process only stores and queues: it never calls the model or runs its code.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mongodb::bson::{doc, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{Authed, Verified};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Body, Path};
use crate::routes::games::owned_game;
use crate::store::{new_id, AiEdit};
use crate::text::{check_human_text, Lines};

/// The largest request: the prompt and index.js.
pub const MAX_BODY_BYTES: usize = 1024 * 1024 + 16 * 1024;
/// The longest index.js an edit starts from.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;
/// The longest request in words.
pub const MAX_PROMPT_CHARS: usize = 2000;

/// The message on the queue.
#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct LlmRequest {
    /// Always `LLM_REQUEST`.
    #[serde(rename = "type")]
    pub kind: String,
    pub edit_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AiEditRequest {
    /// What to change, in words (1-2000 characters).
    pub prompt: String,
    /// index.js as the author has it now (saved or not).
    pub source: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiEditView {
    pub edit_id: String,
    pub game_id: String,
    pub prompt: String,
    /// PENDING, PROCESSING, DONE or FAILED.
    pub status: String,
    /// The new index.js (DONE only): it passed the scan and a contained test run.
    pub result: Option<String>,
    pub attempts: i32,
    pub error: Option<String>,
    /// What each rejected answer failed on.
    pub rejected: Vec<String>,
    pub created: String,
}

fn view(e: AiEdit) -> AiEditView {
    AiEditView {
        edit_id: e.edit_id,
        game_id: e.game_id,
        prompt: e.prompt,
        status: e.status,
        result: e.result,
        attempts: e.attempts,
        error: e.error,
        rejected: e.rejected,
        created: e.created.try_to_rfc3339_string().unwrap_or_default(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Availability {
    /// Whether this platform has a model endpoint for AI edits.
    pub available: bool,
}

/// Whether AI edits can be asked for here.
#[utoipa::path(get, path = "/ai-edits/available", tag = "games", responses((status = 200, body = Availability)))]
pub async fn available(State(state): State<AppState>) -> Json<Availability> {
    Json(Availability {
        available: state.config.llm_available,
    })
}

/// Queues an AI edit of the game's index.js.
#[utoipa::path(post, path = "/games/{game_id}/ai-edits", tag = "games", params(("game_id" = String, Path)), request_body = AiEditRequest,
    security(("bearer" = [])), responses((status = 202, body = AiEditView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "no model endpoint is configured, or the queue is down (nothing was stored)", body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(game_id): Path<String>,
    Body(req): Body<AiEditRequest>,
) -> Result<(StatusCode, Json<AiEditView>), ApiError> {
    let game = owned_game(&state, &game_id, &user).await?;
    if !state.config.llm_available {
        return Err(ApiError::Unavailable(
            "AI edit is off here: no model endpoint is configured (homegames-api serve --llm-url, and an llm-worker)".into(),
        ));
    }
    let prompt = req.prompt.trim().to_string();
    if !(1..=MAX_PROMPT_CHARS).contains(&prompt.chars().count()) {
        return Err(ApiError::invalid(format!(
            "prompt must be 1-{MAX_PROMPT_CHARS} characters"
        )));
    }
    check_human_text("prompt", &prompt, Lines::Many)?;
    if req.source.len() > MAX_SOURCE_BYTES {
        return Err(ApiError::invalid(
            "index.js is too long for an AI edit (1 MB)",
        ));
    }
    let edit = AiEdit {
        edit_id: new_id(),
        game_id: game.game_id,
        user_id: user.user_id.clone(),
        prompt,
        source: req.source,
        status: "PENDING".into(),
        result: None,
        attempts: 0,
        error: None,
        rejected: Vec::new(),
        created: DateTime::now(),
        completed_at: None,
    };
    state.store.ai_edits().insert_one(&edit).await?;
    let message = serde_json::to_vec(&LlmRequest {
        kind: "LLM_REQUEST".into(),
        edit_id: edit.edit_id.clone(),
    })
    .expect("json");
    if let Err(e) = state.llm_queue.publish(&message).await {
        // Nothing half-done is left: the edit that cannot be queued is not kept.
        let _ = state
            .store
            .ai_edits()
            .delete_one(doc! {"editId": &edit.edit_id})
            .await;
        return Err(ApiError::Unavailable(format!(
            "the AI edit queue is down: {}",
            e.0
        )));
    }
    tracing::info!(edit = %edit.edit_id, game = %edit.game_id, "AI edit queued");
    Ok((StatusCode::ACCEPTED, Json(view(edit))))
}

/// An AI edit, for its author (or an admin).
#[utoipa::path(get, path = "/ai-edits/{edit_id}", tag = "games", params(("edit_id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = AiEditView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(edit_id): Path<String>,
) -> Result<Json<AiEditView>, ApiError> {
    let edit = state
        .store
        .ai_edits()
        .find_one(doc! {"editId": &edit_id})
        .await?
        .filter(|e| user.may_manage(&e.user_id))
        .ok_or_else(|| ApiError::NotFound("no such AI edit".into()))?;
    Ok(Json(view(edit)))
}
