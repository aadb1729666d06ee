//! Compiled game code stays in memory.
//!
//! The QuickJS backend (the `v8x` crate under deno_core) writes the bytecode of every script it
//! compiles to `~/.cache/v8x/quickjs-bytecode/`, named by a 64-bit non-cryptographic hash of the
//! source and file name, and later runs a file found there as bytecode without compiling or
//! checking anything. For game code that is wrong three ways: games are untrusted, so a file in
//! that folder (written by anyone, or reached by a crafted hash collision) would run in place of
//! a game's code; QuickJS's bytecode reader is not built to resist hostile input; and every
//! version of every game would add files that nothing ever removes. Compiling costs a few
//! milliseconds per session start, so we turn the cache off.

/// The variable v8x reads (once, at its first compile) to leave its bytecode cache off.
pub const NO_BYTECODE_CACHE_VAR: &str = "V82JSC_NO_BC_CACHE";

/// Turns the on-disk bytecode cache off for this process. Call it first thing in `main`, before
/// any thread is started: it sets an environment variable, which is only sound while nothing else
/// can be reading the environment. (Tests get the variable from `.cargo/config.toml`.)
pub fn keep_compiled_code_off_disk() {
    std::env::set_var(NO_BYTECODE_CACHE_VAR, "1");
}
