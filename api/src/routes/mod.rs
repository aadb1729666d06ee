//! The HTTP handlers, one file per area.

pub mod accounts;
pub mod games;
pub mod publish;
