//! # js-runtime
//!
//! Owns running one game session's JavaScript: a `deno_core` isolate per session (QuickJS or V8,
//! chosen by Cargo feature), the CommonJS loader for a game's own files, our JavaScript
//! implementation of the squishjs API per version (`js/squishjs/`), the game lifecycle as the
//! original server drives it, the Squisher's per-player visibility (in Rust), the deterministic
//! clock and Math.random, and the heap and CPU caps.
//!
//! Must not know about: sockets, HTTP, containers or how players connect. JavaScript never builds
//! frame bytes: the layers go to Rust as plain data and `squish` encodes them.

#[cfg(all(feature = "v8", feature = "quickjs"))]
compile_error!("js-runtime: choose one engine: the `v8` feature (default) or `--no-default-features --features quickjs`");
#[cfg(not(any(feature = "v8", feature = "quickjs")))]
compile_error!("js-runtime: no engine: enable the `v8` feature (default) or `quickjs`");

mod array_buffers;
mod code_cache;
mod engine;
pub mod error;
mod frames;
mod profile;
mod reactor;
pub mod script;
mod session;
mod sources;
mod squisher;
mod watchdog;

pub use code_cache::{keep_compiled_code_off_disk, NO_BYTECODE_CACHE_VAR};
pub use engine::Console;
pub use error::{EndReason, EngineError, RuntimeError};
pub use frames::{Cause, PlayerFrame};
pub use session::{ClickHit, GameSession, IsolateLimits, SessionConfig};
pub use sources::read_regular_file;
pub use squish;

/// The engine this build runs games on.
#[cfg(feature = "v8")]
pub const ENGINE: &str = "v8";
#[cfg(not(feature = "v8"))]
pub const ENGINE: &str = "quickjs";

/// The engine's own version, as it reports it.
#[cfg(feature = "v8")]
pub fn engine_version() -> String {
    deno_core::v8::V8::get_version().to_string()
}

/// The engine's own version: QuickJS-ng behind deno_core's `v8x` layer, which answers V8's
/// version query with the V8 API level it implements.
#[cfg(not(feature = "v8"))]
pub fn engine_version() -> String {
    format!(
        "(QuickJS-ng through v8x, V8 API {})",
        deno_core::v8::V8::get_version()
    )
}
