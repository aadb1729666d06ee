//! Errors of the runtime. Game exceptions are not errors here: they are logged and the session
//! goes on, as on the original server. These are the failures that end a session or stop a load.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error("game directory {0}: {1}")]
    GameDir(PathBuf, String),
    #[error("{file}: {message}")]
    Load { file: String, message: String },
    #[error("the game's metadata() is unusable: {0}")]
    Metadata(String),
    #[error("session ended: {0}")]
    Ended(EndReason),
    #[error("the JavaScript engine could not start: {0}")]
    EngineStart(#[from] EngineError),
    /// Our own JavaScript (the driver around the game) threw: a bug of ours, not the game's
    /// (handlers catch the game's exceptions themselves).
    #[error("internal runtime error in {during}: {message}")]
    Driver { during: String, message: String },
}

/// Why an engine would not start (before any game code ran).
#[derive(Debug, Error)]
pub enum EngineError {
    #[error("cannot create an isolate: {}", .0.print_with_cause())]
    Isolate(#[source] deno_core::error::CoreError),
    #[error("the bootstrap exceeded the CPU budget")]
    BootstrapCpu,
    #[error("bootstrap failed: {0}")]
    Bootstrap(#[source] Box<deno_core::error::JsError>),
    #[error("bootstrap returned no handle")]
    NoHandle,
}

/// Why an isolate was stopped for good. The process and every other session go on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EndReason {
    #[error("a handler or tick ran longer than the CPU budget of {budget_ms} ms ({during})")]
    CpuBudget { budget_ms: u64, during: String },
    #[error("a host call ran past the wall-clock ceiling of {ceiling_ms} ms ({during})")]
    WallClock { ceiling_ms: u64, during: String },
    #[error("the game used {used_ms} ms of CPU in {window_ms} ms, more than its share of a core")]
    CpuShare { used_ms: u64, window_ms: u64 },
    #[error("the game queued more than {limit_mib} MiB of frames in one call")]
    OutputFlood { limit_mib: usize },
    #[error("the game exhausted its heap limit of {limit_mib} MiB ({during})")]
    HeapExhausted { limit_mib: usize, during: String },
}
