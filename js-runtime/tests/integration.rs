//! Every integration test of `js-runtime` in one test binary (one link of the engine, not one per
//! file): each file below is a module.

mod common;
mod compat;
mod compat_2026;
mod compat_support;
mod containment;
mod example_games;
mod guide_examples;
mod platform_session;
mod sandbox;
mod smoke;
