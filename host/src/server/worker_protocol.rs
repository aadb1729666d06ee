//! The protocol between a host and a session worker (`homegames session-worker`: one session in
//! its own process, in a container). This module owns both directions; nothing else builds or
//! parses them.
//!
//! Host → worker: one JSON line per [`ToWorker`]. The first line is always [`ToWorker::Load`],
//! which names the game and carries every session option ([`SessionSettings`]), so a warm
//! container started before anyone knew the options runs the session exactly as an inline one.
//! Worker → host: records of `kind (FRAME 1, CLOSE 2), player, u32 little-endian length, payload`
//! ([`wire::record`], read back by [`RecordReader`], which holds at most one record of at most
//! [`MAX_RECORD_BYTES`]). A CLOSE for player 0 is the session's end and its reason.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::session::SessionOptions;
use js_runtime::IsolateLimits;

/// One message from the host to its worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", deny_unknown_fields)]
pub enum ToWorker {
    /// The game's folder (as the worker sees it) and the session's options.
    #[serde(rename_all = "camelCase")]
    Load {
        game: String,
        settings: SessionSettings,
    },
    #[serde(rename_all = "camelCase")]
    Join {
        player: u8,
        name: String,
        client_info: Value,
    },
    Leave {
        player: u8,
    },
    Spectate {
        player: u8,
    },
    Reconnect {
        player: u8,
    },
    /// A client message, as the client's JSON text (the worker parses it as the host would).
    Input {
        player: u8,
        message: String,
    },
    /// The host ends the session with this reason.
    End {
        reason: String,
    },
}

impl ToWorker {
    /// The line the host writes (JSON and a newline).
    pub fn line(&self) -> String {
        let mut s = serde_json::to_string(self).expect("a message always serialises");
        s.push('\n');
        s
    }

    pub fn parse(line: &str) -> Result<ToWorker, serde_json::Error> {
        serde_json::from_str(line)
    }
}

/// Every option of a session, as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionSettings {
    /// Percent of the view kept around the game, horizontally and vertically.
    pub bezel: (f64, f64),
    pub idle_timeout_ms: u64,
    pub heap_limit_bytes: usize,
    pub cpu_budget_ms: u64,
    pub cpu_share_percent: u32,
}

impl From<&SessionOptions> for SessionSettings {
    fn from(o: &SessionOptions) -> SessionSettings {
        SessionSettings {
            bezel: o.bezel,
            idle_timeout_ms: o.idle_timeout.as_millis() as u64,
            heap_limit_bytes: o.limits.heap_limit,
            cpu_budget_ms: o.limits.cpu_budget.as_millis() as u64,
            cpu_share_percent: o.limits.cpu_share_percent,
        }
    }
}

impl From<&SessionSettings> for SessionOptions {
    fn from(s: &SessionSettings) -> SessionOptions {
        SessionOptions {
            bezel: s.bezel,
            idle_timeout: Duration::from_millis(s.idle_timeout_ms),
            limits: IsolateLimits {
                heap_limit: s.heap_limit_bytes,
                cpu_budget: Duration::from_millis(s.cpu_budget_ms),
                cpu_share_percent: s.cpu_share_percent,
            },
        }
    }
}

/// Worker → host records: `kind, player, u32 little-endian length, payload`.
pub mod wire {
    pub const FRAME: u8 = 1;
    pub const CLOSE: u8 = 2;

    pub fn record(kind: u8, player: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = Vec::with_capacity(6 + payload.len());
        r.push(kind);
        r.push(player);
        r.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        r.extend_from_slice(payload);
        r
    }

    /// Splits complete records off the front of `buf`.
    pub fn take_records(buf: &mut Vec<u8>) -> Vec<(u8, u8, Vec<u8>)> {
        let mut out = Vec::new();
        let mut at = 0;
        while buf.len() - at >= 6 {
            let len = u32::from_le_bytes(buf[at + 2..at + 6].try_into().expect("4 bytes")) as usize;
            if buf.len() - at - 6 < len {
                break;
            }
            out.push((buf[at], buf[at + 1], buf[at + 6..at + 6 + len].to_vec()));
            at += 6 + len;
        }
        buf.drain(..at);
        out
    }
}

/// The largest record the host accepts from a session's worker (a frame for one player, or a
/// close): a longer one ends the session before any of it is kept.
pub const MAX_RECORD_BYTES: usize = 8 << 20;

/// The host's side of the wire from one worker: splits the worker's stdout stream into records.
/// It holds at most one incomplete record, so at most `6 + MAX_RECORD_BYTES` bytes per container;
/// a header that declares more, or a kind that is not ours, ends the session (the stream can no
/// longer be trusted to be in step).
#[derive(Default)]
pub struct RecordReader {
    /// The incomplete record: its header (6 bytes) and as much of its payload as has arrived.
    pending: Vec<u8>,
}

impl RecordReader {
    /// Takes `bytes` from the stream and appends every record they complete to `out`
    /// (`(kind, player, payload)`). An `Err` is why the session must end; the records before the
    /// bad one are still in `out`.
    pub fn feed(
        &mut self,
        mut bytes: &[u8],
        out: &mut Vec<(u8, u8, Vec<u8>)>,
    ) -> Result<(), String> {
        while !bytes.is_empty() {
            let want = match self.declared() {
                None => 6 - self.pending.len(),
                Some(len) => 6 + len - self.pending.len(),
            };
            let take = want.min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == 6 {
                let (kind, len) = (self.pending[0], self.declared().expect("a whole header"));
                if kind != wire::FRAME && kind != wire::CLOSE {
                    return Err(format!("the session's worker sent a record of unknown kind {kind}: the wire is out of step"));
                }
                if len > MAX_RECORD_BYTES {
                    return Err(format!("the session sent a record of {len} bytes (at most {MAX_RECORD_BYTES} are accepted)"));
                }
            }
            if self
                .declared()
                .is_some_and(|len| self.pending.len() == 6 + len)
            {
                let mut record = std::mem::take(&mut self.pending);
                let (kind, player) = (record[0], record[1]);
                record.drain(..6);
                out.push((kind, player, record));
            }
        }
        Ok(())
    }

    /// The payload length the pending header declares, once the whole header is in.
    fn declared(&self) -> Option<usize> {
        let header: [u8; 4] = self.pending.get(2..6)?.try_into().ok()?;
        Some(u32::from_le_bytes(header) as usize)
    }

    /// Bytes held for the incomplete record.
    pub fn held(&self) -> usize {
        self.pending.len()
    }
}
