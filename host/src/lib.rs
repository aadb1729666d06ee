//! # host
//!
//! Owns the game-session server: the lobby, sessions addressed by URL, the WebSocket protocol of
//! the existing client, players and their per-player frames on the socket, and our browser client
//! (`client/`), sessions whose game runs in a container of its own (`server::contained_session`,
//! on the `containment` crate), and the game-running side of the `homegames` binary's worker and
//! test-run commands (`validate`).
//!
//! Must not know about: the bytes of the squish format (that is `squish`) or how JavaScript runs
//! (that is `js-runtime`). It moves frames; it does not build them.

pub mod server;
/// For binaries that run games: call first in `main` (see js-runtime's `code_cache.rs`).
pub use js_runtime::keep_compiled_code_off_disk;
pub mod validate;
