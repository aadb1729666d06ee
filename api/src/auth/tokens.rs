//! JWT access and refresh tokens (HS256). A token carries the account's `userId` and its token
//! version, so a password reset revokes every token issued before it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Access,
    Refresh,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub typ: Kind,
    pub ver: i64,
    pub iat: u64,
    pub exp: u64,
    /// Refresh tokens: this token's id and its family (see `store::RefreshToken`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl Tokens {
    pub fn new(
        secret: &str,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Result<Tokens, ApiError> {
        if secret.len() < 16 {
            return Err(ApiError::Internal(
                "the token secret must be at least 16 bytes".into(),
            ));
        }
        let bad = |e: jsonwebtoken::errors::Error| {
            ApiError::Internal(format!("unusable token secret: {e}"))
        };
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret.as_bytes()).map_err(bad)?,
            decoding: DecodingKey::from_secret(secret.as_bytes()).map_err(bad)?,
            access_ttl,
            refresh_ttl,
        })
    }

    pub fn issue(&self, user_id: &str, version: i64, kind: Kind) -> Result<String, ApiError> {
        self.issue_with(user_id, version, kind, None)
    }

    /// A refresh token with its id and family.
    pub fn issue_refresh(
        &self,
        user_id: &str,
        version: i64,
        jti: &str,
        family: &str,
    ) -> Result<String, ApiError> {
        self.issue_with(
            user_id,
            version,
            Kind::Refresh,
            Some((jti.to_string(), family.to_string())),
        )
    }

    fn issue_with(
        &self,
        user_id: &str,
        version: i64,
        kind: Kind,
        ids: Option<(String, String)>,
    ) -> Result<String, ApiError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let ttl = match kind {
            Kind::Access => self.access_ttl,
            Kind::Refresh => self.refresh_ttl,
        };
        let claims = Claims {
            sub: user_id.to_string(),
            typ: kind,
            ver: version,
            iat: now,
            exp: now + ttl.as_secs(),
            jti: ids.as_ref().map(|i| i.0.clone()),
            fam: ids.map(|i| i.1),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("token signing failed: {e}")))
    }

    /// The claims of a valid, unexpired token of the given kind.
    pub fn check(&self, token: &str, kind: Kind) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        let data =
            decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::Unauthorized("the token has expired".into())
                }
                _ => ApiError::Unauthorized("the token is not valid".into()),
            })?;
        if data.claims.typ != kind {
            return Err(ApiError::Unauthorized(match kind {
                Kind::Access => "this is a refresh token; send an access token".into(),
                Kind::Refresh => "this is an access token; send a refresh token".into(),
            }));
        }
        Ok(data.claims)
    }
}
