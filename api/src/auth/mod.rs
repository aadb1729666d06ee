//! Who is asking: passwords, codes, tokens, and the extractors routes use to require an account
//! (`Authed`) or a verified account (`Verified`).

pub mod codes;
pub mod password;
pub mod throttle;
pub mod tokens;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use mongodb::bson::doc;

use crate::app::AppState;
use crate::error::ApiError;
use crate::store::User;

/// The account behind a valid access token (`Authorization: Bearer …`).
pub struct Authed(pub User);

/// The same, and the account's email is verified: required by routes that create, save,
/// publish or upload.
pub struct Verified(pub User);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::Unauthorized(
                "sign in first: send Authorization: Bearer <access token>".into(),
            )
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the Authorization header must be: Bearer <access token>".into(),
                )
            })?;
        let claims = state.tokens.check(token.trim(), tokens::Kind::Access)?;
        Ok(Authed(holder(state, &claims).await?))
    }
}

/// The account a valid token was issued to, if it still exists and no password reset since has
/// revoked the token.
pub async fn holder(state: &AppState, claims: &tokens::Claims) -> Result<User, ApiError> {
    let user = state
        .store
        .users()
        .find_one(doc! {"userId": &claims.sub})
        .await?
        .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
    if user.token_version != claims.ver {
        return Err(ApiError::Unauthorized(
            "this token was revoked by a password reset; sign in again".into(),
        ));
    }
    Ok(user)
}

impl FromRequestParts<AppState> for Verified {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Authed(user) = Authed::from_request_parts(parts, state).await?;
        if !user.verified {
            return Err(ApiError::Forbidden(
                "verify your email first (POST /auth/verify with the code we sent)".into(),
            ));
        }
        Ok(Verified(user))
    }
}

/// For routes open to anyone that show more to the signed-in: no Authorization header is `None`;
/// a header with a bad token is still an error (a client should learn its token is bad).
impl axum::extract::OptionalFromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        if parts.headers.get(header::AUTHORIZATION).is_none() {
            return Ok(None);
        }
        <Authed as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}
