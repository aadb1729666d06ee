//! `homegames play GAME_DIR`: run a game without a network. With `--script` it runs
//! deterministically and, with `--record`, writes every frame each player received.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use js_runtime::script::{run_script_limited, write_recording, Script};

use super::limit_args::LimitArgs;

#[derive(Args, Debug)]
#[command(
    after_help = "The script format is described in docs/scripted-runs.md. Example:\n  \
    homegames play games/tap-race --script run.json --record out/"
)]
pub struct PlayArgs {
    /// The game's folder (its index.js exports the game class).
    game: PathBuf,
    /// A JSON script of timed player events to run deterministically.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Write p<id>.bin (u32 little-endian length + frame, per frame) and log.json here.
    #[arg(long, requires = "script")]
    record: Option<PathBuf>,
    /// Without --script: the port to serve the game on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    #[command(flatten)]
    limits: LimitArgs,
}

impl PlayArgs {
    /// Interactive: serve just this game (inline) and tell the author where to open it.
    fn serve_one(self) -> Result<()> {
        if !self.game.join("index.js").is_file() {
            bail!(
                "{} has no index.js: point play at a game's folder",
                self.game.display()
            );
        }
        let slug = self
            .game
            .canonicalize()?
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("game")
            .to_string();
        let config = host::server::ServeConfig {
            game_roots: vec![self.game.clone()],
            limits: self.limits.limits(),
            ..Default::default()
        };
        let addr = format!("127.0.0.1:{}", self.port);
        let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("listening on {addr}"))?;
            eprintln!("homegames: open http://{addr}/play/{slug} (and again in a second window for player 2)");
            host::server::serve(listener, config).await.context("serving")
        })
    }

    pub fn run(self) -> Result<()> {
        let Some(script_path) = self.script else {
            return self.serve_one();
        };
        let text = std::fs::read_to_string(&script_path)
            .with_context(|| format!("reading {}", script_path.display()))?;
        let script: Script = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid script", script_path.display()))?;
        let rec = run_script_limited(&self.game, &script, self.limits.limits())
            .with_context(|| format!("running {}", self.game.display()))?;
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
