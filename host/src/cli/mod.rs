//! Command-line surface of the `homegames` binary.
//!
//! The doc comments here are the `--help` text users read, where `<ID>` means a placeholder, not
//! an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

mod limit_args;
mod new_cmd;
mod play_cmd;
mod scan_cmd;
mod serve_cmd;
mod squish_cmd;
mod validate_cmd;
mod worker_cmd;

use clap::{Parser, Subcommand};

/// Homegames, re-implemented: run existing squishjs games, inspect their wire format.
#[derive(Parser, Debug)]
#[command(name = "homegames", version = version_text(), about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Encode node trees to squish bytes and decode bytes back to JSON, for any pinned version.
    Squish(squish_cmd::SquishArgs),
    /// Serve the games in ./games (and --games DIR) with a lobby, for browsers on this network.
    Serve(serve_cmd::ServeArgs),
    /// Check a game's JavaScript against the publishing rules (exit 1 on any finding).
    Scan(scan_cmd::ScanArgs),
    /// Run one session over stdin/stdout for a host (what a session's container runs).
    #[command(hide = true)]
    SessionWorker(worker_cmd::WorkerArgs),
    /// Run a game without a network: deterministically from a script, recording every frame.
    Play(play_cmd::PlayArgs),
    /// The publish pipeline's test run: load, join a simulated player, run, report as JSON.
    Validate(validate_cmd::ValidateArgs),
    /// Start a new game: a folder with a working game on today's squish version.
    New(new_cmd::NewArgs),
}

/// `homegames --version`: ours and the engine's, as `deno --version` prints them.
fn version_text() -> String {
    format!(
        "{}\nengine: {} {}",
        env!("CARGO_PKG_VERSION"),
        js_runtime::ENGINE,
        js_runtime::engine_version()
    )
}

impl Cli {
    pub fn run(self) -> anyhow::Result<std::process::ExitCode> {
        if let Command::Scan(args) = self.command {
            return args.run();
        }
        self.run_other().map(|_| std::process::ExitCode::SUCCESS)
    }

    fn run_other(self) -> anyhow::Result<()> {
        match self.command {
            Command::Squish(args) => args.run(),
            Command::Play(args) => args.run(),
            Command::Serve(args) => args.run(),
            Command::SessionWorker(args) => args.run(),
            Command::Validate(args) => args.run(),
            Command::New(args) => args.run(),
            Command::Scan(_) => unreachable!("handled in run"),
        }
    }
}
