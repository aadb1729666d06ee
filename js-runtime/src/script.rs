//! Scripted, deterministic runs: a JSON script of timed player events drives a session on the
//! virtual clock, and every frame each player receives is recorded. The same script drives the
//! reference harness over the original squishjs, so the two recordings can be compared byte for
//! byte. The format is documented in docs/scripted-runs.md.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::RuntimeError;
use crate::frames::PlayerFrame;
use crate::session::{GameSession, IsolateLimits, SessionConfig};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Script {
    /// Seed of Math.random (mulberry32).
    pub seed: u32,
    /// Date.now() at virtual time 0.
    pub epoch_ms: f64,
    /// The run stops at this virtual time (timers up to it still run).
    pub end_ms: f64,
    #[serde(default)]
    pub save_data: Option<Value>,
    pub events: Vec<Event>,
}

// No deny_unknown_fields here: serde cannot combine it with the flattened, tagged action.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Event {
    /// Virtual milliseconds; events run after the timers due at the same time.
    pub t: f64,
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Action {
    Join {
        player: u8,
        #[serde(default)]
        name: Option<String>,
        #[serde(default, rename = "clientInfo")]
        client_info: Option<Value>,
    },
    Leave {
        player: u8,
    },
    Click {
        player: u8,
        x: f64,
        y: f64,
    },
    Mouseup {
        player: u8,
        x: f64,
        y: f64,
    },
    Keydown {
        player: u8,
        key: String,
    },
    Keyup {
        player: u8,
        key: String,
    },
    Input {
        player: u8,
        #[serde(rename = "nodeId")]
        node_id: f64,
        input: Value,
    },
    Onhover {
        player: u8,
        #[serde(rename = "nodeId")]
        node_id: f64,
    },
    Offhover {
        player: u8,
        #[serde(rename = "nodeId")]
        node_id: f64,
    },
    /// `input` is the client's gamepad payload `{buttons, sticks}`.
    Gamepad {
        player: u8,
        input: Value,
    },
}

impl Action {
    fn player(&self) -> u8 {
        match self {
            Action::Join { player, .. }
            | Action::Leave { player }
            | Action::Click { player, .. }
            | Action::Mouseup { player, .. }
            | Action::Keydown { player, .. }
            | Action::Keyup { player, .. }
            | Action::Input { player, .. }
            | Action::Onhover { player, .. }
            | Action::Offhover { player, .. }
            | Action::Gamepad { player, .. } => *player,
        }
    }
}

/// What a run produced.
pub struct Recording {
    /// The game's `metadata()`, as read when it loaded.
    pub metadata: Value,
    pub frames: Vec<PlayerFrame>,
    /// `{events, exceptions, console, noFrame, ended}`.
    pub log: Value,
}

/// Runs `script` against the game in `dir`. A session that ends early (CPU or heap) is recorded
/// as such; a game that cannot load is an error.
pub fn run_script(dir: &Path, script: &Script) -> Result<Recording, RuntimeError> {
    run_script_limited(dir, script, IsolateLimits::default())
}

/// `run_script` with other isolate limits than the defaults.
pub fn run_script_limited(
    dir: &Path,
    script: &Script,
    limits: IsolateLimits,
) -> Result<Recording, RuntimeError> {
    let config = SessionConfig {
        limits,
        seed: script.seed,
        epoch_ms: script.epoch_ms,
        save_data: script.save_data.clone(),
        ..SessionConfig::default()
    };
    let mut session = GameSession::load(dir, &config)?;
    let metadata = session.metadata().clone();
    let mut frames = session.take_frames();
    let mut events = Vec::new();
    let mut ended = Value::Null;
    let run = |session: &mut GameSession, e: &Event| -> Result<Value, RuntimeError> {
        session.advance_to(e.t)?;
        let mut record = serde_json::to_value(e).expect("event");
        let player = e.action.player();
        let joined = session.is_connected(player);
        match &e.action {
            Action::Join { .. } | Action::Leave { .. } => {}
            _ if !joined => {
                record["error"] = json!(format!("player {player} has not joined"));
                return Ok(record);
            }
            _ => {}
        }
        match &e.action {
            Action::Join {
                player,
                name,
                client_info,
            } => {
                if joined {
                    record["error"] = json!(format!("player {player} has already joined"));
                } else {
                    // The platform's session passes no name unless one is given.
                    let name = name.clone().unwrap_or_else(|| {
                        if session.on_platform_session() {
                            String::new()
                        } else {
                            format!("player{player}")
                        }
                    });
                    session.join(*player, &name, client_info.clone().unwrap_or(json!({})))?;
                }
            }
            Action::Leave { player } => {
                if joined {
                    session.leave(*player)?;
                } else {
                    record["error"] = json!(format!("player {player} is not connected"));
                }
            }
            Action::Click { player, x, y } => {
                record["hit"] = json!(session.click(*player, *x, *y)?)
            }
            Action::Mouseup { player, x, y } => session.mouse_up(*player, *x, *y)?,
            Action::Keydown { player, key } => session.key(*player, key, true)?,
            Action::Keyup { player, key } => session.key(*player, key, false)?,
            Action::Input {
                player,
                node_id,
                input,
            } => {
                let found = session.input(*player, *node_id, input.clone())?;
                record["inputNode"] = if found { json!(node_id) } else { Value::Null };
            }
            Action::Onhover { player, node_id } => session.hover(*player, *node_id, true)?,
            Action::Offhover { player, node_id } => session.hover(*player, *node_id, false)?,
            Action::Gamepad { player, input } => session.gamepad(
                *player,
                json!({"type": "input", "gamepad": true, "input": input}),
            )?,
        }
        Ok(record)
    };
    let mut outcome = Ok(());
    for e in &script.events {
        let before = frames.len();
        match run(&mut session, e) {
            Ok(mut record) => {
                frames.extend(session.take_frames());
                record["frames"] = json!(frames.len() - before);
                events.push(record);
            }
            Err(err) => {
                outcome = Err(err);
                break;
            }
        }
    }
    if outcome.is_ok() {
        outcome = session.advance_to(script.end_ms);
        frames.extend(session.take_frames());
    }
    if let Err(err) = outcome {
        match err {
            RuntimeError::Ended(reason) => ended = json!(reason.to_string()),
            other => return Err(other),
        }
    }
    let console = session.console();
    let console = console.borrow();
    let log = json!({
        "events": events,
        "exceptions": console.exceptions,
        "console": console.lines.iter().map(|(l, m)| json!({"level": l, "message": m})).collect::<Vec<_>>(),
        "ended": ended,
    });
    Ok(Recording {
        metadata,
        frames,
        log,
    })
}

/// Writes `p<id>.bin` (each frame as u32 little-endian length, then its bytes) and `log.json`.
pub fn write_recording(out: &Path, rec: &Recording) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut per_player: std::collections::BTreeMap<u8, Vec<u8>> = Default::default();
    for f in &rec.frames {
        let buf = per_player.entry(f.player).or_default();
        buf.extend_from_slice(&(f.bytes.len() as u32).to_le_bytes());
        buf.extend_from_slice(&f.bytes);
    }
    for (p, bytes) in per_player {
        std::fs::write(out.join(format!("p{p}.bin")), bytes)?;
    }
    std::fs::write(
        out.join("log.json"),
        serde_json::to_string_pretty(&rec.log).expect("json") + "\n",
    )
}

/// Splits a `p<id>.bin` recording back into frames.
pub fn read_frames(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let len = u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?) as usize;
        out.push(bytes.get(i + 4..i + 4 + len)?);
        i += 4 + len;
    }
    Some(out)
}
