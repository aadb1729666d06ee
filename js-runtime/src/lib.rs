//! # js-runtime
//!
//! Will own running one game session's JavaScript: a `deno_core` isolate per session, the CommonJS
//! loader for a game's own files, our JavaScript implementation of each squishjs API family, the
//! game lifecycle, heap and CPU caps, and handing each scene to `squish` for bytes.
//!
//! Must not know about: sockets, HTTP, containers, players' connections. JavaScript never builds
//! frame bytes; this crate passes trees to `squish`.
//!
//! Status: placeholder until the js-runtime issue lands; it only re-exports the codec it builds on.

pub use squish;
