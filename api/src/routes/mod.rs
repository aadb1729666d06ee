//! The HTTP handlers, one file per area.

pub mod accounts;
pub mod games;
pub mod publish;
pub mod admin;
pub mod assets;
pub mod sessions;
