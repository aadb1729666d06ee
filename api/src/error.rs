//! Every error the API answers with, as JSON `{error, code}`: `error` is a sentence for a person,
//! `code` a stable word for a program. Storage that cannot be reached is a 503, never a 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// The body is well-formed JSON of the wrong shape or with invalid values.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Too many requests; the client may try again after `retry_after_secs` (`Retry-After`).
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person.
    pub error: String,
    /// A stable identifier: bad_request, invalid, unauthorized, forbidden, not_found, conflict,
    /// payload_too_large, unsupported_media_type, method_not_allowed, rate_limited, unavailable,
    /// internal.
    pub code: String,
}

impl ApiError {
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    pub fn invalid(msg: impl Into<String>) -> ApiError {
        ApiError::Invalid(msg.into())
    }

    pub fn rate_limited(message: impl Into<String>, retry_after_secs: u64) -> ApiError {
        ApiError::RateLimited {
            message: message.into(),
            retry_after_secs: retry_after_secs.max(1),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(%status, error = %self, "request failed");
        }
        // What went wrong inside (a driver's message, a path on this machine) stays in the log;
        // the client gets the request's id to quote.
        let error = match &self {
            ApiError::Internal(_) => match crate::request_span::current_request_id() {
                Some(id) => format!(
                    "something went wrong on our side; quote request {id} when you report it"
                ),
                None => "something went wrong on our side".to_string(),
            },
            _ => self.to_string(),
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error,
                code: code.to_string(),
            }),
        )
            .into_response();
        if let ApiError::RateLimited {
            retry_after_secs, ..
        } = &self
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
        response
    }
}

impl From<mongodb::error::Error> for ApiError {
    fn from(e: mongodb::error::Error) -> ApiError {
        use mongodb::error::ErrorKind;
        let unreachable = e.contains_label("NetworkError")
            || matches!(
                *e.kind,
                ErrorKind::ServerSelection { .. }
                    | ErrorKind::ConnectionPoolCleared { .. }
                    | ErrorKind::Io(_)
            );
        if unreachable {
            tracing::warn!(error = %e, "database unavailable");
            ApiError::Unavailable("the database is unavailable; try again shortly".into())
        } else {
            ApiError::Internal(format!("database error: {e}"))
        }
    }
}

/// Whether a MongoDB error is a unique-index violation (E11000).
pub fn is_duplicate_key(e: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match &*e.kind {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == 11000,
        ErrorKind::Command(c) => c.code == 11000,
        ErrorKind::InsertMany(m) => m
            .write_errors
            .as_ref()
            .is_some_and(|w| w.iter().any(|w| w.code == 11000)),
        _ => e.to_string().contains("E11000"),
    }
}
