//! Where frames go: at every state change the squisher's layers arrive here as plain data, are
//! squished in Rust, and one frame per connected player is queued for the host (or the recorder).

use std::collections::BTreeSet;

use serde::Serialize;
use squish::SquishVersion;

use crate::squisher::{squish_layers, Rules, SceneLayer};

/// Why a frame was emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// A state change; every connected player gets a frame.
    State,
    /// A player joined; that player gets a fresh frame.
    Join,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlayerFrame {
    pub player: u8,
    /// Virtual milliseconds since the session started.
    pub t: f64,
    pub cause: Cause,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Serialize)]
pub struct StateOutcome {
    /// Math.random draws the original Squisher makes during this squish (1.0.0 … 1.0.4).
    pub draws: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Most bytes of frames one host call may queue (a game that squishes a big scene in a loop): past
/// it the frames are dropped and the session ends ([`crate::EndReason::OutputFlood`]).
pub const OUTBOX_MAX_BYTES: usize = 64 << 20;
/// Most "no frame" records kept for a scripted run's log; the rest are counted.
pub const NO_FRAME_MAX: usize = 10_000;

pub struct FrameSink {
    pub version: SquishVersion,
    pub rules: Rules,
    /// Connected players, ascending (the order the original iterates its player object in),
    /// spectators included.
    pub connected: BTreeSet<u8>,
    /// Connected ids that are spectators: their frames leave out audio, as the original's do.
    pub spectators: BTreeSet<u8>,
    pub now: f64,
    pub outbox: Vec<PlayerFrame>,
    /// Players a squish gave no frame (the original logs and sends nothing).
    pub no_frame: Vec<(u8, f64)>,
    pub no_frame_dropped: u64,
    pub squishes: u64,
    /// Bytes in `outbox`.
    pub outbox_bytes: usize,
    /// Frames were dropped at [`OUTBOX_MAX_BYTES`] since the last take.
    pub overflowed: bool,
    /// The latest squish kept for later sends (1.4.x sessions: `keep`, then `send`).
    pub last: Option<Kept>,
}

/// A squish kept until the session sends it.
pub struct Kept {
    squished: crate::squisher::Squished,
    audio_keys: Vec<String>,
}

impl FrameSink {
    pub fn new(version: SquishVersion, rules: Rules) -> FrameSink {
        FrameSink {
            version,
            rules,
            connected: BTreeSet::new(),
            spectators: BTreeSet::new(),
            now: 0.0,
            outbox: Vec::new(),
            no_frame: Vec::new(),
            no_frame_dropped: 0,
            squishes: 0,
            outbox_bytes: 0,
            overflowed: false,
            last: None,
        }
    }

    pub fn on_state(&mut self, layers: &[SceneLayer], cause: &str, target: i32) -> StateOutcome {
        match cause {
            "keep" => return self.keep(layers),
            "send" => {
                self.send_kept(target);
                return StateOutcome {
                    draws: 0,
                    error: None,
                };
            }
            _ => {}
        }
        let registered: Vec<u8> = self.connected.iter().copied().collect();
        let squished = match squish_layers(self.version, self.rules, layers, &registered) {
            Ok(s) => s,
            Err(error) => {
                return StateOutcome {
                    draws: 0,
                    error: Some(error),
                }
            }
        };
        self.squishes += 1;
        let (cause, targets): (Cause, Vec<u8>) = match cause {
            "join" => (Cause::Join, u8::try_from(target).ok().into_iter().collect()),
            "silent" => (Cause::State, Vec::new()),
            _ => (Cause::State, registered),
        };
        for p in targets {
            let bytes = match squished.players.frame(p) {
                Some(bytes) if self.spectators.contains(&p) => {
                    without_audio(self.version, bytes, &layers_audio_keys(layers))
                }
                Some(bytes) => bytes.to_vec(),
                None => {
                    if self.no_frame.len() < NO_FRAME_MAX {
                        self.no_frame.push((p, self.now));
                    } else {
                        self.no_frame_dropped += 1;
                    }
                    continue;
                }
            };
            self.queue(p, cause, bytes);
        }
        StateOutcome {
            draws: squished.random_draws,
            error: None,
        }
    }

    /// Queues one frame for the host, unless the outbox is full ([`OUTBOX_MAX_BYTES`]).
    fn queue(&mut self, player: u8, cause: Cause, bytes: Vec<u8>) {
        if self.outbox_bytes + bytes.len() > OUTBOX_MAX_BYTES {
            self.overflowed = true;
            return;
        }
        self.outbox_bytes += bytes.len();
        self.outbox.push(PlayerFrame {
            player,
            t: self.now,
            cause,
            bytes,
        });
    }

    /// A 1.4.x squish: nobody is registered (the 2026 session has no bottom layer), the result is
    /// kept until the session sends it.
    fn keep(&mut self, layers: &[SceneLayer]) -> StateOutcome {
        match squish_layers(self.version, self.rules, layers, &[]) {
            Ok(squished) => {
                self.squishes += 1;
                let draws = squished.random_draws;
                self.last = Some(Kept {
                    squished,
                    audio_keys: layers_audio_keys(layers),
                });
                StateOutcome { draws, error: None }
            }
            Err(error) => StateOutcome {
                draws: 0,
                error: Some(error),
            },
        }
    }

    /// Sends the kept squish to `target` (or to every connected player: -1). A player no node
    /// names gets the shared nodes, the frame the Squisher builds for a player it knows; the
    /// original sends such a player the whole state, other players' private nodes included.
    fn send_kept(&mut self, target: i32) {
        let targets: Vec<u8> = if target < 0 {
            self.connected.iter().copied().collect()
        } else {
            u8::try_from(target)
                .ok()
                .filter(|p| self.connected.contains(p))
                .into_iter()
                .collect()
        };
        let Some(kept) = &self.last else { return };
        let mut queued = Vec::new();
        for p in targets {
            let bytes = kept
                .squished
                .players
                .frame(p)
                .unwrap_or(&kept.squished.shared);
            let bytes = if self.spectators.contains(&p) {
                without_audio(self.version, bytes, &kept.audio_keys)
            } else {
                bytes.to_vec()
            };
            queued.push((p, bytes));
        }
        let cause = if target < 0 {
            Cause::State
        } else {
            Cause::Join
        };
        for (p, bytes) in queued {
            self.queue(p, cause, bytes);
        }
    }
}

/// Asset keys of audio nodes anywhere in the layers.
fn layers_audio_keys(layers: &[SceneLayer]) -> Vec<String> {
    let mut keys = Vec::new();
    for layer in layers {
        let mut i = 0;
        layer.root.walk(&mut |n| {
            if layer.audio.get(i) == Some(&1) {
                if let Some(a) = &n.asset {
                    keys.push(a.key.clone());
                }
            }
            i += 1;
        });
    }
    keys
}

/// A spectator's frame: the player frame with audio asset frames taken out (the original decodes
/// each frame again to find them).
fn without_audio(version: SquishVersion, bytes: &[u8], audio_keys: &[String]) -> Vec<u8> {
    if audio_keys.is_empty() {
        return bytes.to_vec();
    }
    // Our own encoder wrote these bytes, so they always split; if they did not, the frame goes
    // as it is rather than cut at a guess.
    let Ok(spans) = squish::frame_spans(bytes) else {
        return bytes.to_vec();
    };
    let mut out = Vec::with_capacity(bytes.len());
    for span in spans {
        let frame = &bytes[span];
        let audio = squish::decode_frame(version, frame)
            .ok()
            .and_then(|f| f.node.asset)
            .is_some_and(|a| audio_keys.contains(&a.key));
        if !audio {
            out.extend_from_slice(frame);
        }
    }
    out
}
