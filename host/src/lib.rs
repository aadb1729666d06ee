//! # host
//!
//! Owns the game-session server: the lobby, sessions addressed by URL, the WebSocket protocol of
//! the existing client, players and their per-player frames on the socket, and our browser client
//! (`client/`), the containment of each session in its own Docker container (`server::container`),
//! and what a new game starts with (`template`, used by `homegames new` and the api).
//!
//! Must not know about: the bytes of the squish format (that is `squish`) or how JavaScript runs
//! (that is `js-runtime`). It moves frames; it does not build them.

pub mod server;
pub mod template;
/// For binaries that run games: call first in `main` (see js-runtime's `code_cache.rs`).
pub use js_runtime::keep_compiled_code_off_disk;
pub mod validate;
