//! The protocol between a host and a session worker (`homegames session-worker`: one session in
//! its own process, in a container). This module owns both directions; nothing else builds or
//! parses them. [`take_stdout_for_wire`] is the worker's first step: it keeps the wire out of the
//! game's reach.
//!
//! Host → worker: one JSON line per [`ToWorker`]. The first line is always [`ToWorker::Load`],
//! which names the game and carries every session option ([`SessionSettings`]), so a warm
//! container started before anyone knew the options runs the session exactly as an inline one.
//! Worker → host: records of `kind (FRAME 1, CLOSE 2), player, u32 little-endian length, payload`
//! ([`wire::record`], read back by [`RecordReader`], which holds at most one record of at most
//! [`MAX_RECORD_BYTES`]). A CLOSE for player 0 is the session's end and its reason.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// Every option of a session, as it crosses the wire (the host converts its own session options
/// to and from this).
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

/// Why the stream from a worker can no longer be read: the session ends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the session's worker sent a record of unknown kind {0}: the wire is out of step")]
    UnknownKind(u8),
    #[error("the session sent a record of {0} bytes (at most {MAX_RECORD_BYTES} are accepted)")]
    TooLong(usize),
}

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
    ) -> Result<(), WireError> {
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
                    return Err(WireError::UnknownKind(kind));
                }
                if len > MAX_RECORD_BYTES {
                    return Err(WireError::TooLong(len));
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

/// For the worker (and `homegames validate`), before any game code exists: moves the wire off
/// fd 1. The stream that is fd 1 now (the container's stdout, which the host reads as the wire) is
/// duplicated to a private, close-on-exec descriptor that is returned, and fd 1 is pointed at fd 2
/// (stderr). From then on everything else that writes to stdout (the engine's print, a stray
/// `println!`) lands on stderr, which the host only logs: no game output can forge a record.
pub fn take_stdout_for_wire() -> std::io::Result<std::fs::File> {
    use std::io::Write;
    use std::os::fd::AsFd;
    std::io::stdout().flush()?;
    let wire = std::io::stdout().as_fd().try_clone_to_owned()?;
    unsafe extern "C" {
        fn dup2(old: i32, new: i32) -> i32;
    }
    // SAFETY: dup2 only replaces descriptor 1 with a copy of descriptor 2, both open for the
    // process's whole life; no Rust object owns descriptor 1 (Stdout writes to it by number).
    if unsafe { dup2(2, 1) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(std::fs::File::from(wire))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Records = Vec<(u8, u8, Vec<u8>)>;

    fn records(reader: &mut RecordReader, bytes: &[u8]) -> (Records, Result<(), WireError>) {
        let mut out = Vec::new();
        let r = reader.feed(bytes, &mut out);
        (out, r)
    }

    #[test]
    fn records_split_anywhere_come_out_whole() {
        let mut stream = wire::record(wire::FRAME, 1, b"first frame");
        stream.extend(wire::record(wire::FRAME, 2, b""));
        stream.extend(wire::record(wire::CLOSE, 0, b"bye"));
        let mut reader = RecordReader::default();
        let mut out = Vec::new();
        for b in &stream {
            reader.feed(std::slice::from_ref(b), &mut out).unwrap();
        }
        assert_eq!(
            out,
            vec![
                (wire::FRAME, 1, b"first frame".to_vec()),
                (wire::FRAME, 2, vec![]),
                (wire::CLOSE, 0, b"bye".to_vec())
            ]
        );
        assert_eq!(reader.held(), 0);
    }

    #[test]
    fn a_record_over_the_cap_ends_the_session_before_it_is_kept() {
        // A header declaring 4 GiB - 1, then payload bytes: refused at the header, nothing kept.
        let mut reader = RecordReader::default();
        let mut bytes = vec![wire::FRAME, 1];
        bytes.extend(u32::MAX.to_le_bytes());
        bytes.extend(vec![0u8; 1 << 16]);
        let (out, r) = records(&mut reader, &bytes);
        assert!(out.is_empty());
        let why = r.unwrap_err().to_string();
        assert!(
            why.contains("4294967295 bytes") && why.contains("8388608"),
            "{why}"
        );
        assert!(reader.held() <= 6, "held {} bytes", reader.held());

        // One byte over the cap is refused; exactly the cap is accepted.
        let mut over = vec![wire::FRAME, 1];
        over.extend(((MAX_RECORD_BYTES + 1) as u32).to_le_bytes());
        assert!(records(&mut RecordReader::default(), &over).1.is_err());
        let at_cap = wire::record(wire::FRAME, 1, &vec![7u8; MAX_RECORD_BYTES]);
        let mut reader = RecordReader::default();
        let mut out = Vec::new();
        // Fed in the chunk size Docker uses: the reader never holds more than one record.
        for chunk in at_cap.chunks(32 << 10) {
            reader.feed(chunk, &mut out).unwrap();
            assert!(reader.held() <= 6 + MAX_RECORD_BYTES);
        }
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].2.len(), MAX_RECORD_BYTES);
    }

    #[test]
    fn an_unknown_kind_ends_the_session_and_keeps_what_came_before() {
        let mut stream = wire::record(wire::FRAME, 1, b"ok");
        // Text on the wire (what game output on stdout used to be) is not a record.
        stream.extend_from_slice(b"hello from the game\n");
        let (out, r) = records(&mut RecordReader::default(), &stream);
        assert_eq!(out, vec![(wire::FRAME, 1, b"ok".to_vec())]);
        assert!(r.unwrap_err().to_string().contains("unknown kind"));
    }
}
