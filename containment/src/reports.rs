//! What `homegames validate` prints: one JSON line, the only thing on its stdout. The worker binary
//! writes these (`validate_inline`, `describe_inline` in host); [`crate::Containers`] and
//! [`crate::uncontained`] read them back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a validation run found. `ok` is false when the game could not load or its run ended early
/// (an exhausted heap, a runaway handler); `error` then says why in words an author can act on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub ok: bool,
    pub error: Option<String>,
    /// `metadata().squishVersion`, as a string.
    pub squish_version: Option<String>,
    pub name: Option<String>,
    /// The ids of the assets `metadata().assets` declares.
    pub asset_ids: Vec<String>,
    /// Exceptions the game's handlers threw (logged, not fatal, as in a live session).
    pub exceptions: Vec<String>,
    /// Frames the simulated player received.
    pub frames: usize,
}

impl Report {
    /// A run that found nothing but `error`.
    pub fn failed(error: impl Into<String>) -> Report {
        Report {
            error: Some(error.into()),
            ..Default::default()
        }
    }
}

/// What a describe run found (`homegames validate --describe`): the game's `metadata()` once it
/// loaded (module top level, `metadata()` and the constructor ran), or why it did not. This is how
/// a container-mode host reads a game's metadata without running any of its code itself
/// ([`crate::Containers::metadata`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Description {
    pub ok: bool,
    pub error: Option<String>,
    pub metadata: Option<Value>,
}
