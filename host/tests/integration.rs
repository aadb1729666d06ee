//! Every integration test of `host` in one test binary (one link of the engine, not one per
//! file): each file below is a module.

mod architecture;
mod browser;
mod common;
mod contained_discovery;
mod containers;
mod containment;
mod new_game;
mod removal;
mod serve;
mod squish_cli;
mod worker_protocol;
mod worker_wire;
