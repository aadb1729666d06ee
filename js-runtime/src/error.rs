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
    #[error("internal runtime error: {0}")]
    Internal(String),
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
