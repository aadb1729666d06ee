//! # api
//!
//! Will own the platform REST API: accounts, games and versions, the publish pipeline (scan +
//! sandboxed run, on MongoDB and RabbitMQ), assets and sessions.
//!
//! Must not know about: squish bytes or isolates; it talks to `host` over its public interface and
//! uses `ast-scan` to gate publishing.
//!
//! Status: placeholder until the api issue lands.
