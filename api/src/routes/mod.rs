//! The HTTP handlers, one file per area.

pub mod accounts;
pub mod admin;
pub mod ai_edits;
pub mod assets;
pub mod games;
pub mod preview;
pub mod publish;
pub mod removal;
pub mod sessions;
pub mod tokens;
