//! Personal access tokens, for git over HTTP: an author makes one (read, or read and write),
//! sees it once, lists and revokes them. Only a token's sha256 is stored.

use crate::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use futures_util::TryStreamExt;
use mongodb::bson::{doc, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Verified;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Body;
use crate::store::{new_id, AccessToken};
use crate::text::{check_human_text, Lines};
use crate::versions::sha256_hex;

/// Most live tokens one account may have.
pub const MAX_TOKENS: u64 = 50;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for, 1-60 characters (e.g. "laptop").
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub name: String,
    /// `read` (clone and fetch) or `write` (push too).
    #[schema(pattern = "^(read|write)$")]
    pub scope: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub token_id: String,
    pub name: String,
    pub scope: String,
    pub created: String,
    pub last_used: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MadeToken {
    #[serde(flatten)]
    pub view: TokenView,
    /// The token: shown this once. Use it as the password of `git clone` (any user name).
    pub token: String,
}

fn view(t: &AccessToken) -> TokenView {
    TokenView {
        token_id: t.token_id.clone(),
        name: t.name.clone(),
        scope: t.scope.clone(),
        created: t.created.try_to_rfc3339_string().unwrap_or_default(),
        last_used: t.last_used.and_then(|d| d.try_to_rfc3339_string().ok()),
    }
}

/// Makes a personal access token for git over HTTP.
#[utoipa::path(post, path = "/account/tokens", tag = "accounts", request_body = NewToken, security(("bearer" = [])),
    responses((status = 201, body = MadeToken), (status = 409, description = "too many tokens", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Verified(user): Verified,
    Body(req): Body<NewToken>,
) -> Result<(StatusCode, Json<MadeToken>), ApiError> {
    if !(1..=60).contains(&req.name.chars().count()) || req.name.trim().is_empty() {
        return Err(ApiError::invalid(
            "name must be 1-60 characters, not all spaces",
        ));
    }
    check_human_text("name", &req.name, Lines::One)?;
    if req.scope != "read" && req.scope != "write" {
        return Err(ApiError::invalid("scope must be read or write"));
    }
    let live = state
        .store
        .access_tokens()
        .count_documents(doc! {"userId": &user.user_id})
        .await?;
    if live >= MAX_TOKENS {
        return Err(ApiError::Conflict(format!(
            "an account may have {MAX_TOKENS} tokens; revoke one first"
        )));
    }
    let token = format!("hgt_{}", hex::encode(rand::random::<[u8; 24]>()));
    let record = AccessToken {
        token_id: new_id(),
        user_id: user.user_id.clone(),
        name: req.name,
        scope: req.scope,
        hash: sha256_hex(token.as_bytes()),
        created: DateTime::now(),
        last_used: None,
    };
    state.store.access_tokens().insert_one(&record).await?;
    tracing::info!(user = %user.user_id, token = %record.token_id, scope = %record.scope, "access token made");
    Ok((
        StatusCode::CREATED,
        Json(MadeToken {
            view: view(&record),
            token,
        }),
    ))
}

/// The account's access tokens (never the tokens themselves).
#[utoipa::path(get, path = "/account/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>)))]
pub async fn list(
    State(state): State<AppState>,
    Verified(user): Verified,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens: Vec<AccessToken> = state
        .store
        .access_tokens()
        .find(doc! {"userId": &user.user_id})
        .sort(doc! {"created": -1})
        .await?
        .try_collect()
        .await?;
    Ok(Json(tokens.iter().map(view).collect()))
}

/// Revokes an access token: from now on it opens nothing.
#[utoipa::path(delete, path = "/account/tokens/{token_id}", tag = "accounts", params(("token_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "revoked"), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    Verified(user): Verified,
    Path(token_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let r = state
        .store
        .access_tokens()
        .delete_one(doc! {"tokenId": &token_id, "userId": &user.user_id})
        .await?;
    if r.deleted_count == 0 {
        return Err(ApiError::NotFound("no such token".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}
