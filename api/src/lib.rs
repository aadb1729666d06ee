//! # api
//!
//! Owns the platform REST API: accounts (signup, verification, login, tokens, password reset),
//! games and their immutable, content-addressed versions, and the catalog; the OpenAPI document
//! that describes all of it. Stores everything in MongoDB (`store`), sends mail through the
//! `Mailer` interface.
//!
//! Must not know about: squish bytes, isolates or WebSockets. It uses `ast-scan` to gate publishing
//! and reaches `host` only through its public interface.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod mail;
pub mod openapi;
pub mod queue;
pub mod routes;
pub mod store;
pub mod template;
pub mod versions;
pub mod worker;

pub use app::{build_app, AppState};
pub use config::ApiConfig;
pub use error::ApiError;
