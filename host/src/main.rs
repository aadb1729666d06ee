//! `homegames`: one binary for authors, operators and scripts.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Before any thread exists: it sets an environment variable.
    host::keep_compiled_code_off_disk();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::Cli::parse().run() {
        Ok(code) => code,
        Err(e) => {
            // `{:#}` prints the whole context chain on one line, without a backtrace dump.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
