//! `homegames play GAME_DIR`: run a game without a network. With `--script` it runs
//! deterministically and, with `--record`, writes every frame each player received.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use js_runtime::script::{run_script, write_recording, Script};

#[derive(Args, Debug)]
#[command(after_help = "The script format is described in docs/scripted-runs.md. Example:\n  \
    homegames play games/tap-race --script run.json --record out/")]
pub struct PlayArgs {
    /// The game's folder (its index.js exports the game class).
    game: PathBuf,
    /// A JSON script of timed player events to run deterministically.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Write p<id>.bin (u32 little-endian length + frame, per frame) and log.json here.
    #[arg(long, requires = "script")]
    record: Option<PathBuf>,
}

impl PlayArgs {
    pub fn run(self) -> Result<()> {
        let Some(script_path) = self.script else {
            bail!("interactive play needs the session server, which is not built yet; run a script with --script FILE (see docs/scripted-runs.md)");
        };
        let text = std::fs::read_to_string(&script_path).with_context(|| format!("reading {}", script_path.display()))?;
        let script: Script = serde_json::from_str(&text).with_context(|| format!("{} is not a valid script", script_path.display()))?;
        let rec = run_script(&self.game, &script).with_context(|| format!("running {}", self.game.display()))?;
        let mut per_player = std::collections::BTreeMap::<u8, usize>::new();
        for f in &rec.frames {
            *per_player.entry(f.player).or_default() += 1;
        }
        for (p, n) in &per_player {
            eprintln!("player {p}: {n} frames");
        }
        let exceptions = rec.log["exceptions"].as_array().map_or(0, Vec::len);
        eprintln!("{exceptions} game exceptions");
        if !rec.log["ended"].is_null() {
            eprintln!("the session ended early: {}", rec.log["ended"]);
        }
        if let Some(out) = self.record {
            write_recording(&out, &rec).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("recorded to {}", out.display());
        } else {
            println!("{}", serde_json::to_string_pretty(&rec.log)?);
        }
        Ok(())
    }
}
