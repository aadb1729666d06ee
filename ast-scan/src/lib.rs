//! # ast-scan
//!
//! Will own the static security scan of a game's JavaScript before it is published (swc parser,
//! located findings with rule ids) and `squishVersion` extraction.
//!
//! Must not know about: running code, the host, storage. It reads source text and reports.
//!
//! Status: placeholder until the ast-scan issue lands.
