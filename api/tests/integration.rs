//! Every integration test of `api` in one test binary (one link of the engine, not one per
//! file): each file below is a module. `faults` and `schemathesis` stay binaries of their own: they restart shared services or load the machine for a minute.

mod accounts;
mod assets_admin;
mod common;
mod deletion;
mod games;
mod git;
mod moderation;
mod publish;
mod site;
mod storage;
