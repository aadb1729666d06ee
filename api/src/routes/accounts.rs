//! Accounts: signup, email verification by code, login by display name or email, token refresh,
//! and password reset by code.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mongodb::bson::{doc, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppState, Limits};
use crate::auth::tokens::Kind;
use crate::auth::{codes, holder, password, Authed};
use crate::error::{is_duplicate_key, ApiError, ErrorBody};
use crate::extract::{Body, ClientAddr};
use crate::mail::Mail;
use crate::store::{new_id, User};

const VERIFY_TTL: Duration = Duration::from_secs(24 * 3600);
const RESET_TTL: Duration = Duration::from_secs(3600);

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignupRequest {
    /// 3-24 letters, digits, `_` or `-`, starting with a letter or digit. Public and permanent.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{2,23}$")]
    pub display_name: String,
    #[schema(pattern = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$", max_length = 254)]
    pub email: String,
    /// 8-128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// A display name or an email address.
    pub login: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The 6-digit code from the verification mail.
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
    /// The 8-character code from the reset mail.
    pub code: String,
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// A signed-in session: who, and the tokens to use.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user_id: String,
    pub display_name: String,
    pub verified: bool,
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Exchange at POST /auth/refresh for new tokens when the access token expires.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub verified: bool,
    pub is_admin: bool,
    /// RFC 3339.
    pub created: String,
}

impl From<User> for Profile {
    fn from(user: User) -> Profile {
        Profile {
            user_id: user.user_id,
            display_name: user.display_name,
            email: user.email,
            verified: user.verified,
            is_admin: user.is_admin,
            created: user.created.try_to_rfc3339_string().unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
    pub message: String,
}

fn done(message: &str) -> Json<Done> {
    Json(Done {
        ok: true,
        message: message.to_string(),
    })
}

fn valid_display_name(name: &str) -> Result<(), ApiError> {
    let ok_len = (3..=24).contains(&name.chars().count());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let ok_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "displayName must be 3-24 letters, digits, _ or -, starting with a letter or digit",
        ))
    }
}

fn valid_email(email: &str) -> Result<(), ApiError> {
    // The same rule as the OpenAPI pattern: local@label(.label)+, no spaces, one @.
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|l| !l.is_empty())
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("email is not a valid address"))
    }
}

fn valid_password(pw: &str) -> Result<(), ApiError> {
    if (8..=128).contains(&pw.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::invalid("password must be 8-128 characters"))
    }
}

fn expires_in(ttl: Duration) -> DateTime {
    DateTime::from_millis(DateTime::now().timestamp_millis() + ttl.as_millis() as i64)
}

/// A mailed code of one purpose: where its hash and expiry live on the account, and how long it lasts.
struct CodeKind {
    purpose: &'static str,
    hash_field: &'static str,
    expires_field: &'static str,
    ttl: Duration,
}

const VERIFY_CODE: CodeKind = CodeKind {
    purpose: "verify",
    hash_field: "verificationCodeHash",
    expires_field: "verificationCodeExpires",
    ttl: VERIFY_TTL,
};
const RESET_CODE: CodeKind = CodeKind {
    purpose: "reset",
    hash_field: "resetCodeHash",
    expires_field: "resetCodeExpires",
    ttl: RESET_TTL,
};

impl CodeKind {
    /// The stored form of a code of this kind for this account.
    fn hash(&self, state: &AppState, user_id: &str, code: &str) -> String {
        codes::hash(&state.config.jwt_secret, self.purpose, user_id, code)
    }
}

/// Keeps `code` (as its hash, with its expiry) on the account; an earlier code of the kind stops working.
async fn store_code(
    state: &AppState,
    user_id: &str,
    kind: &CodeKind,
    code: &str,
) -> Result<(), ApiError> {
    let set = doc! {kind.hash_field: kind.hash(state, user_id, code), kind.expires_field: expires_in(kind.ttl)};
    state
        .store
        .users()
        .update_one(doc! {"userId": user_id}, doc! {"$set": set})
        .await?;
    Ok(())
}

/// A new sign-in: tokens of a new refresh family.
async fn session(state: &AppState, user: &User) -> Result<Session, ApiError> {
    session_in(state, user, None).await
}

/// Tokens for `user`, the refresh token recorded (unused) in `family`, or in a new family.
async fn session_in(
    state: &AppState,
    user: &User,
    family: Option<String>,
) -> Result<Session, ApiError> {
    let jti = new_id();
    let family = family.unwrap_or_else(new_id);
    state
        .store
        .refresh_tokens()
        .insert_one(crate::store::RefreshToken {
            jti: jti.clone(),
            family: family.clone(),
            user_id: user.user_id.clone(),
            used: false,
            revoked: false,
            created: DateTime::now(),
        })
        .await?;
    Ok(Session {
        user_id: user.user_id.clone(),
        display_name: user.display_name.clone(),
        verified: user.verified,
        access_token: state
            .tokens
            .issue(&user.user_id, user.token_version, Kind::Access)?,
        refresh_token: state.tokens.issue_refresh(
            &user.user_id,
            user.token_version,
            &jti,
            &family,
        )?,
        expires_in: state.tokens.access_ttl.as_secs(),
    })
}

fn send_verification(state: &AppState, user: &User, code: &str) -> Result<(), ApiError> {
    let mail = Mail {
        to: user.email.clone(),
        subject: "Your Homegames verification code".into(),
        body: format!(
            "Hi {}, your verification code is {code}. It expires in 24 hours.",
            user.display_name
        ),
    };
    state
        .mailer
        .send(&mail)
        .map_err(|e| ApiError::Unavailable(e.to_string()))
}

/// Creates an account (unverified) and mails a 6-digit verification code.
#[utoipa::path(post, path = "/auth/signup", tag = "accounts", request_body = SignupRequest,
    responses((status = 201, body = Session), (status = 409, description = "display name or email taken", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    Body(req): Body<SignupRequest>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    // Taken exactly as sent: the documented patterns allow no surrounding spaces.
    let SignupRequest {
        display_name,
        email,
        password,
    } = req;
    valid_display_name(&display_name)?;
    valid_email(&email)?;
    valid_password(&password)?;
    let user_id = new_id();
    let code = codes::verification_code();
    let user = User {
        user_id: user_id.clone(),
        display_name_lower: display_name.to_lowercase(),
        display_name,
        email_lower: email.to_lowercase(),
        email,
        password_hash: password::hash(password).await?,
        verified: false,
        verification_code_hash: Some(VERIFY_CODE.hash(&state, &user_id, &code)),
        verification_code_expires: Some(expires_in(VERIFY_CODE.ttl)),
        reset_code_hash: None,
        reset_code_expires: None,
        token_version: 0,
        created: DateTime::now(),
        is_admin: false,
    };
    if let Err(e) = state.store.users().insert_one(&user).await {
        if is_duplicate_key(&e) {
            let users = state.store.users();
            let taken = if users
                .find_one(doc! {"displayNameLower": &user.display_name_lower})
                .await?
                .is_some()
            {
                "that display name"
            } else {
                "that email"
            };
            return Err(ApiError::Conflict(format!("{taken} is already taken")));
        }
        return Err(e.into());
    }
    tracing::info!(user = %user.user_id, "signed up");
    send_verification(&state, &user, &code)?;
    Ok((StatusCode::CREATED, Json(session(&state, &user).await?)))
}

/// Signs in with a display name or an email address.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Body(req): Body<LoginRequest>,
) -> Result<Json<Session>, ApiError> {
    let login = req.login.trim().to_lowercase();
    state.limits.login.check(&login, addr)?;
    let result = check_login(&state, &login, req.password).await;
    match &result {
        Ok(_) => state.limits.login.succeeded(&login, addr),
        Err(ApiError::Unauthorized(_)) => state.limits.login.failed(&login, addr),
        Err(_) => {}
    }
    result
}

async fn check_login(
    state: &AppState,
    login: &str,
    given: String,
) -> Result<Json<Session>, ApiError> {
    let user = state
        .store
        .users()
        .find_one(doc! {"$or": [{"displayNameLower": &login}, {"emailLower": &login}]})
        .await?;
    let denied = || ApiError::Unauthorized("wrong display name, email or password".into());
    let Some(user) = user else {
        // Spend the same time as a real check, so timing does not tell who has an account.
        let _ = password::verify(given, DUMMY_HASH.to_string()).await;
        return Err(denied());
    };
    if !password::verify(given, user.password_hash.clone()).await {
        return Err(denied());
    }
    Ok(Json(session(state, &user).await?))
}

/// An argon2id hash of a random password, checked against when the account does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Vv1lo9hIKlt0JUa0V5q0aHc9b8n0o7Rm2v1GgGx1P0A";

/// New tokens for a valid refresh token.
#[utoipa::path(post, path = "/auth/refresh", tag = "accounts", request_body = RefreshRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    Body(req): Body<RefreshRequest>,
) -> Result<Json<Session>, ApiError> {
    let claims = state.tokens.check(&req.refresh_token, Kind::Refresh)?;
    let user = holder(&state, &claims).await?;
    let (Some(jti), Some(family)) = (&claims.jti, &claims.fam) else {
        return Err(ApiError::Unauthorized(
            "this refresh token is from before rotation; sign in again".into(),
        ));
    };
    // Used once: the first use marks it, atomically, so two concurrent uses cannot both pass.
    let taken = state
        .store
        .refresh_tokens()
        .find_one_and_update(
            doc! {"jti": jti, "userId": &user.user_id, "used": false, "revoked": false},
            doc! {"$set": {"used": true}},
        )
        .await?;
    if taken.is_none() {
        // Used before (or revoked): someone else holds a copy. Sign the whole family out.
        state
            .store
            .refresh_tokens()
            .update_many(doc! {"family": family}, doc! {"$set": {"revoked": true}})
            .await?;
        tracing::warn!(user = %user.user_id, family = %family, "a used refresh token came back; its family is revoked");
        return Err(ApiError::Unauthorized(
            "this refresh token was already used; every session it belongs to is signed out, sign in again".into(),
        ));
    }
    Ok(Json(session_in(&state, &user, Some(family.clone())).await?))
}

/// Verifies the signed-in account's email with the 6-digit code.
#[utoipa::path(post, path = "/auth/verify", tag = "accounts", request_body = VerifyRequest, security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 400, description = "wrong or expired code", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    Authed(user): Authed,
    Body(req): Body<VerifyRequest>,
) -> Result<Json<Done>, ApiError> {
    if user.verified {
        return Ok(done("already verified"));
    }
    Limits::check(&state.limits.verify, &user.user_id, "verification attempts")?;
    let expired = user
        .verification_code_expires
        .is_none_or(|t| t < DateTime::now());
    if expired {
        return Err(ApiError::BadRequest(
            "the code has expired; ask for a new one at POST /auth/resend-verification".into(),
        ));
    }
    if user.verification_code_hash.as_deref()
        != Some(VERIFY_CODE.hash(&state, &user.user_id, &req.code).as_str())
    {
        return Err(ApiError::BadRequest("that is not the code we sent".into()));
    }
    state
        .store
        .users()
        .update_one(doc! {"userId": &user.user_id}, doc! {"$set": {"verified": true}, "$unset": {"verificationCodeHash": "", "verificationCodeExpires": ""}})
        .await?;
    Ok(done("email verified"))
}

/// Mails a new verification code (the old one stops working).
#[utoipa::path(post, path = "/auth/resend-verification", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn resend_verification(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> Result<Json<Done>, ApiError> {
    if user.verified {
        return Ok(done("already verified"));
    }
    Limits::check(&state.limits.verify, &user.user_id, "verification attempts")?;
    let code = codes::verification_code();
    store_code(&state, &user.user_id, &VERIFY_CODE, &code).await?;
    send_verification(&state, &user, &code)?;
    Ok(done("a new code is on its way"))
}

const FORGOT_ANSWER: &str = "if an account has that email, a reset code is on its way";

/// Mails an 8-character reset code. The answer is the same whether or not the account exists.
#[utoipa::path(post, path = "/auth/forgot", tag = "accounts", request_body = ForgotRequest,
    responses((status = 200, body = Done), (status = 429, body = ErrorBody)))]
pub async fn forgot(
    State(state): State<AppState>,
    Body(req): Body<ForgotRequest>,
) -> Result<Json<Done>, ApiError> {
    let email = req.email.trim().to_lowercase();
    Limits::check(
        &state.limits.forgot,
        &email,
        "reset requests for this address",
    )?;
    if let Some(user) = state
        .store
        .users()
        .find_one(doc! {"emailLower": &email})
        .await?
    {
        let code = codes::reset_code();
        store_code(&state, &user.user_id, &RESET_CODE, &code).await?;
        let mail = Mail {
            to: user.email.clone(),
            subject: "Your Homegames password reset code".into(),
            body: format!(
                "Hi {}, your password reset code is {code}. It expires in 1 hour.",
                user.display_name
            ),
        };
        if let Err(e) = state.mailer.send(&mail) {
            // Answering differently would tell who has an account; log it instead.
            tracing::error!(error = %e, "reset mail not sent");
        }
    }
    Ok(done(FORGOT_ANSWER))
}

/// Sets a new password with the emailed reset code; every earlier token stops working.
#[utoipa::path(post, path = "/auth/reset", tag = "accounts", request_body = ResetRequest,
    responses((status = 200, body = Done), (status = 400, description = "wrong or expired code", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn reset(
    State(state): State<AppState>,
    Body(req): Body<ResetRequest>,
) -> Result<Json<Done>, ApiError> {
    let email = req.email.trim().to_lowercase();
    valid_password(&req.new_password)?;
    Limits::check(
        &state.limits.reset,
        &email,
        "reset attempts for this address",
    )?;
    let wrong = || ApiError::BadRequest("the code is wrong or has expired".into());
    let user = state
        .store
        .users()
        .find_one(doc! {"emailLower": &email})
        .await?
        .ok_or_else(wrong)?;
    let live = user
        .reset_code_expires
        .is_some_and(|t| t >= DateTime::now());
    let matches = user.reset_code_hash.as_deref()
        == Some(RESET_CODE.hash(&state, &user.user_id, &req.code).as_str());
    if !(live && matches) {
        return Err(wrong());
    }
    let hash = password::hash(req.new_password).await?;
    // Only the holder of this exact code gets to use it, once.
    let result = state
        .store
        .users()
        .update_one(
            doc! {"userId": &user.user_id, "resetCodeHash": user.reset_code_hash.as_deref()},
            doc! {"$set": {"passwordHash": hash}, "$inc": {"tokenVersion": 1}, "$unset": {"resetCodeHash": "", "resetCodeExpires": ""}},
        )
        .await?;
    if result.modified_count == 0 {
        return Err(wrong());
    }
    Ok(done("password changed; sign in with the new one"))
}

/// The signed-in account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, body = ErrorBody)))]
pub async fn me(Authed(user): Authed) -> Json<Profile> {
    Json(Profile::from(user))
}
