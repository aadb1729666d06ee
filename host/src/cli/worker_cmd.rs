//! `homegames session-worker`: one session in this process, driven over stdin/stdout by a host
//! (this is what runs inside a session's container). Not meant to be typed by hand.
//!
//! The records go to the stream that was stdout when the worker started, through a private
//! descriptor; fd 1 itself is pointed at stderr first (`container::take_stdout_for_wire`), so
//! nothing the game or the engine prints can reach the wire.

use std::fs::File;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use host::server::catalog;
use host::server::container::take_stdout_for_wire;
use host::server::protocol::ClientMessage;
use host::server::session::{run, wire, Command, Outgoing, SessionOptions};

use super::limit_args::LimitArgs;

#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// The game's folder. Without it the worker waits (warm) for a first stdin line
    /// `{"op":"load","game":"<folder>"}`.
    #[arg(long)]
    game: Option<PathBuf>,
    #[arg(long, default_value_t = 9)]
    bezel: u8,
    /// Seconds without players before the session ends.
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
        let game = match self.game {
            Some(g) => g,
            None => {
                // Warm: everything is loaded and waiting; the game arrives first.
                let first = lines.next().transpose()?.unwrap_or_default();
                let v: serde_json::Value = serde_json::from_str(&first).unwrap_or_default();
                match v["game"].as_str() {
                    Some(g) if v["op"] == "load" => PathBuf::from(g),
                    _ => {
                        anyhow::bail!("a warm worker expects {{\"op\":\"load\",\"game\":…}} first")
                    }
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
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                let player = v["player"]
                    .as_u64()
                    .and_then(|p| u8::try_from(p).ok())
                    .unwrap_or(0);
                let command = match v["op"].as_str() {
                    Some("spectate") => Command::Spectate {
                        player,
                        frames: forwarder(&reader_out, player),
                    },
                    Some("join") => {
                        let frames = forwarder(&reader_out, player);
                        Command::Join {
                            player,
                            name: v["name"].as_str().unwrap_or("player").to_string(),
                            client_info: v["clientInfo"].clone(),
                            frames,
                        }
                    }
                    Some("leave") => Command::Leave { player },
                    Some("reconnect") => Command::Reconnect {
                        player,
                        frames: forwarder(&reader_out, player),
                    },
                    Some("input") => {
                        match ClientMessage::parse(v["message"].as_str().unwrap_or("")) {
                            Ok(message) => Command::Input { player, message },
                            Err(_) => continue,
                        }
                    }
                    _ => continue,
                };
                if tx.send(command).is_err() {
                    break;
                }
            }
        });
        let options = SessionOptions {
            bezel: (self.bezel as f64, self.bezel as f64),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            limits: self.limits.limits(),
        };
        let reason = run(&entry, &options, rx);
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
