//! `homegames validate GAME_DIR`: the publish pipeline's test run of a game, as JSON on stdout.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = "Prints one JSON report: {ok, error, squishVersion, name, assetIds, exceptions, frames}. \
    Exits 0 whenever a report was written; `ok` says whether the game passed.")]
pub struct ValidateArgs {
    /// The game's folder.
    game: PathBuf,
    /// Seconds of the game's own (virtual) clock to run with a simulated player.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
}

impl ValidateArgs {
    pub fn run(self) -> Result<()> {
        let report = host::validate::validate_inline(&self.game, self.seconds);
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}
