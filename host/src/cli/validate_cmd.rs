//! `homegames validate GAME_DIR`: the publish pipeline's test run of a game, as JSON on stdout.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Prints one JSON report: {ok, error, squishVersion, name, assetIds, exceptions, frames} \
    ({ok, error, metadata} with --describe). Exits 0 when the game passed, 1 when it did not (the report says why), \
    2 on a usage error. \
    The report is the only thing on stdout: whatever the game prints goes to stderr."
)]
pub struct ValidateArgs {
    /// The game's folder.
    game: PathBuf,
    /// Seconds of the game's own (virtual) clock to run with a simulated player.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Only load the game and print `{ok, error, metadata}` (what a container-mode server asks
    /// before it lists a game).
    #[arg(long)]
    describe: bool,
}

impl ValidateArgs {
    pub fn run(self) -> Result<()> {
        // Before the game loads: the report goes to the real stdout through a private descriptor,
        // and fd 1 becomes stderr, so nothing the game prints can pass for (or follow) the report.
        let mut out = containment::take_stdout_for_wire()?;
        let (line, ok, error) = if self.describe {
            let d = host::validate::describe_inline(&self.game);
            (serde_json::to_string(&d)?, d.ok, d.error)
        } else {
            let r = host::validate::validate_inline(&self.game, self.seconds);
            (serde_json::to_string(&r)?, r.ok, r.error)
        };
        writeln!(out, "{line}")?;
        out.flush()?;
        // A failed check is a failed command, for scripts and CI; the report still says why.
        anyhow::ensure!(
            ok,
            "the game did not pass: {}",
            error.unwrap_or_else(|| "see the report".into())
        );
        Ok(())
    }
}
