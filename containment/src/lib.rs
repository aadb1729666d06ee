//! # containment
//!
//! Owns running our own `homegames` binary in hardened Docker containers (through bollard): the
//! session image we build from that binary and the libraries it links (no registry), the
//! confinement every container gets (no network, read-only root, no capabilities, limits), warm
//! session workers and their stdin/stdout, the one-shot test runs of `homegames validate` (the
//! publish pipeline's, and the describe runs a container-mode host lists games by, remembered by
//! content), the development-only test run as a child process, and the protocol between a host
//! and its workers (`worker_protocol`), both directions.
//!
//! Must not know about: any JavaScript engine (no js-runtime, no deno_core: the api depends on
//! this crate, and no game code runs in the api's process), the squish format, players, sockets
//! to players, storage. It moves bytes between a host and a worker; it does not read them.

mod confinement;
mod containers;
mod describe_cache;
mod error;
mod image;
mod reports;
mod test_runs;
pub mod uncontained;
mod worker;
pub mod worker_protocol;

pub use confinement::Limits;
pub use containers::{Containers, LEFTOVER_AGE, SESSION_LABEL, VALIDATE_LABEL};
pub use describe_cache::{
    DescribeCache, DESCRIBE_AT_ONCE, MAX_DESCRIBED, MAX_HASHED_BYTES, MAX_HASHED_ENTRIES,
};
pub use error::ContainmentError;
pub use reports::{Description, Report};
pub use test_runs::{DescribeError, DESCRIBE_TIMEOUT, MAX_QUOTED_STDERR, MAX_REPORT_BYTES};
pub use worker::{FromWorker, Worker};
pub use worker_protocol::{
    take_stdout_for_wire, RecordReader, SessionSettings, ToWorker, WireError, MAX_RECORD_BYTES,
};
