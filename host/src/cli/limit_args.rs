//! The isolate limit flags shared by every subcommand that runs a game.

use std::time::Duration;

use clap::Args;
use js_runtime::IsolateLimits;

#[derive(Args, Debug, Clone, Copy)]
pub struct LimitArgs {
    /// Heap cap of each game's isolate, in MiB; a game that needs more is stopped.
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u32).range(4..=4096))]
    heap_mb: u32,
    /// Longest one handler, timer or tick of a game may run, in milliseconds of CPU time; a game
    /// that runs longer is stopped.
    #[arg(long, value_name = "MS", default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..=60_000))]
    cpu_ms: u32,
}

impl LimitArgs {
    pub fn limits(&self) -> IsolateLimits {
        IsolateLimits {
            heap_limit: (self.heap_mb as usize) << 20,
            cpu_budget: Duration::from_millis(self.cpu_ms.into()),
            ..IsolateLimits::default()
        }
    }
}
