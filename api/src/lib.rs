//! # api
//!
//! Owns the platform REST API: accounts (signup, verification, login, tokens, password reset),
//! games and their immutable, content-addressed versions, the catalog, publishing (requests on a
//! RabbitMQ queue, the worker that scans and test-runs a version in a container), assets,
//! sessions of published games, admin; the web site people open (`site`: catalog, Studio,
//! console, static pages that call this API); and the OpenAPI document that describes it. Stores
//! everything in MongoDB (`store`), sends mail through the `Mailer` interface.
//!
//! Must not know about: squish bytes, JavaScript engines, isolates or WebSockets to players; it
//! never runs game code in its own process and does not link an engine (a test reads `cargo
//! metadata` to check). It uses `ast-scan` to gate publishing, `containment` for test runs (in a
//! container, or as a child process in development), and reaches the game server only over HTTP
//! (`host_link`, the `/new/<game>` route).

pub mod app;
pub mod auth;
pub mod config;
pub mod dead_letters;
pub mod error;
pub mod extract;
pub mod git;
pub mod host_link;
pub mod llm;
pub mod mail;
pub mod moderation;
pub mod openapi;
pub mod queue;
pub mod request_span;
pub mod routes;
pub mod site;
pub mod store;
pub mod template;
pub mod text;
pub mod versions;
pub mod worker;

pub use app::{build_app, AppState};
pub use config::ApiConfig;
pub use error::ApiError;
