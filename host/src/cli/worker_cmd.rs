//! `homegames session-worker`: one session in this process, driven over stdin/stdout by a host
//! (this is what runs inside a session's container). Not meant to be typed by hand.
//!
//! The records go to the stream that was stdout when the worker started, through a private
//! descriptor; fd 1 itself is pointed at stderr first (`containment::take_stdout_for_wire`), so
//! nothing the game or the engine prints can reach the wire.

use std::fs::File;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use containment::take_stdout_for_wire;
use containment::worker_protocol::{wire, ToWorker};
use host::server::catalog;
use host::server::protocol::ClientMessage;
use host::server::session::{run, Command, Outgoing, SessionOptions};

use super::limit_args::LimitArgs;

#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// The game's folder, for a run by hand (the options then come from the flags below). Without
    /// it the worker waits (warm) for its first stdin line, a `load` carrying the game and every
    /// session option (`containment::worker_protocol`).
    #[arg(long)]
    game: Option<PathBuf>,
    /// With --game: percent of the view kept around the game.
    #[arg(long, default_value_t = 9)]
    bezel: u8,
    /// With --game: seconds without players before the session ends.
    #[arg(long, default_value_t = 60)]
    idle_timeout: u64,
    #[command(flatten)]
    limits: LimitArgs,
}

impl WorkerArgs {
    pub fn run(self) -> Result<()> {
        // First, before the game is loaded: after this only `out` writes to the wire.
        let wire = take_stdout_for_wire()?;
        let mut lines = std::io::BufReader::new(std::io::stdin()).lines();
        let (game, options) = match self.game {
            Some(g) => (
                g,
                SessionOptions {
                    bezel: (self.bezel as f64, self.bezel as f64),
                    idle_timeout: Duration::from_secs(self.idle_timeout),
                    limits: self.limits.limits(),
                },
            ),
            None => {
                // Warm: everything is loaded and waiting; the game and its options arrive first.
                let first = lines.next().transpose()?.unwrap_or_default();
                match ToWorker::parse(&first) {
                    Ok(ToWorker::Load { game, settings }) => {
                        (PathBuf::from(game), SessionOptions::from(&settings))
                    }
                    _ => anyhow::bail!("a warm worker expects a load message first, got {first:?}"),
                }
            }
        };
        let entry = catalog::entry_for(&game).map_err(anyhow::Error::msg)?;
        let out = Arc::new(Mutex::new(wire));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader_out = out.clone();
        std::thread::spawn(move || {
            for line in lines {
                let Ok(line) = line else { break };
                let Ok(message) = ToWorker::parse(&line) else {
                    continue;
                };
                let command = match message {
                    ToWorker::Spectate { player } => Command::Spectate {
                        player,
                        frames: forwarder(&reader_out, player),
                    },
                    ToWorker::Join {
                        player,
                        name,
                        client_info,
                    } => Command::Join {
                        player,
                        name,
                        client_info,
                        frames: forwarder(&reader_out, player),
                    },
                    ToWorker::Leave { player } => Command::Leave { player },
                    ToWorker::Reconnect { player } => Command::Reconnect {
                        player,
                        frames: forwarder(&reader_out, player),
                    },
                    ToWorker::Input { player, message } => match ClientMessage::parse(&message) {
                        Ok(message) => Command::Input { player, message },
                        Err(_) => continue,
                    },
                    ToWorker::End { reason } => Command::End { reason },
                    ToWorker::Load { .. } => continue,
                };
                if tx.send(command).is_err() {
                    break;
                }
            }
        });
        // What the game throws goes to the host as stderr lines, as it comes.
        let thrown: host::server::exceptions::Exceptions = Default::default();
        let watched = thrown.clone();
        std::thread::spawn(move || {
            use host::server::exceptions::{since, WORKER_LINE_PREFIX};
            let mut told = 0;
            loop {
                std::thread::sleep(std::time::Duration::from_millis(200));
                let (new, total) = since(&watched, told);
                told = total;
                for e in new {
                    eprintln!(
                        "{WORKER_LINE_PREFIX}{}",
                        serde_json::to_string(&e).expect("json")
                    );
                }
            }
        });
        let reason = run(&entry, &options, rx, &thrown).to_string();
        let mut out = out.lock().unwrap();
        let _ = out.write_all(&wire::record(wire::CLOSE, 0, reason.as_bytes()));
        let _ = out.flush();
        eprintln!("session ended: {reason}");
        Ok(())
    }
}

/// A channel whose messages for `player` are written to the wire as records.
fn forwarder(out: &Arc<Mutex<File>>, player: u8) -> tokio::sync::mpsc::UnboundedSender<Outgoing> {
    let (frames, mut frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let out = out.clone();
    std::thread::spawn(move || {
        while let Some(o) = frames_rx.blocking_recv() {
            let rec = match o {
                Outgoing::Frame(b) => wire::record(wire::FRAME, player, &b),
                Outgoing::Close(r) => wire::record(wire::CLOSE, player, r.as_bytes()),
            };
            let mut out = out.lock().unwrap();
            if out.write_all(&rec).and_then(|_| out.flush()).is_err() {
                break;
            }
        }
    });
    frames
}
