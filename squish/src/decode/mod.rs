//! Frame bytes → nodes, as the real `unsquish` reads them, with typed errors instead of throws.
//!
//! Where the JavaScript decoder accepts something odd (an unknown tag stops parsing; a sub-frame
//! running past the frame end is cut short; later duplicates overwrite earlier ones) we do the same,
//! so a frame the old client could read gives the same node here. Where it throws, reads
//! `undefined`, or would loop forever, we return a [`DecodeError`] that says what and where.
//! Nothing is allocated from a length field: every length is checked against the bytes at hand.

mod props;
mod text;

use crate::error::DecodeError;
use crate::model::{Node, NodeKind};
use crate::tags::{self, FRAME_MAGIC};
use crate::version::{Family, SquishVersion};

/// The largest frame the three clamped length bytes can declare.
pub const MAX_FRAME_LEN: usize = 765;

/// One decoded frame and where, if anywhere, parsing stopped early.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub node: Node,
    /// An unknown tag ends parsing (the JS decoder logs a warning and breaks out); the rest of the
    /// frame is ignored. Holds `(offset, tag)`.
    pub stopped_at_unknown_tag: Option<(usize, u8)>,
}

/// Decode a state message: frames back to back, split as the browser client splits them.
/// The tree structure is not on the wire, so the nodes come back flat, in traversal order.
pub fn decode(version: SquishVersion, bytes: &[u8]) -> Result<Vec<Node>, DecodeError> {
    Ok(decode_frames(version, bytes)?
        .into_iter()
        .map(|f| f.node)
        .collect())
}

/// Like [`decode`], keeping per-frame parse details.
pub fn decode_frames(version: SquishVersion, bytes: &[u8]) -> Result<Vec<Frame>, DecodeError> {
    let family = version.family()?;
    frame_spans(bytes)?
        .into_iter()
        .map(|span| decode_frame_at(family, &bytes[span.clone()], span.start))
        .collect()
}

/// Where each frame of a state message lies, split as the browser client splits them: a frame's
/// length is the sum of its three length bytes. The one place outside the codec that needs frame
/// boundaries (a spectator's frame without its audio) uses this rather than knowing the layout.
pub fn frame_spans(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, DecodeError> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i < 4 {
            return Err(DecodeError::Truncated {
                offset: i,
                needed: 4,
                available: bytes.len() - i,
            });
        }
        let len = bytes[i + 1] as usize + bytes[i + 2] as usize + bytes[i + 3] as usize;
        if len == 0 {
            return Err(DecodeError::ZeroLengthFrame { offset: i });
        }
        let end = i + len;
        if end > bytes.len() {
            return Err(DecodeError::Truncated {
                offset: i,
                needed: len,
                available: bytes.len() - i,
            });
        }
        spans.push(i..end);
        i = end;
    }
    Ok(spans)
}

/// Decode exactly one frame (the whole slice).
pub fn decode_frame(version: SquishVersion, bytes: &[u8]) -> Result<Frame, DecodeError> {
    decode_frame_at(version.family()?, bytes, 0)
}

fn decode_frame_at(family: Family, b: &[u8], base: usize) -> Result<Frame, DecodeError> {
    let Some(&magic) = b.first() else {
        return Err(DecodeError::Truncated {
            offset: base,
            needed: 4,
            available: 0,
        });
    };
    if magic != FRAME_MAGIC {
        return Err(DecodeError::BadMagic {
            offset: base,
            found: magic,
        });
    }
    if b.len() < 4 {
        return Err(DecodeError::Truncated {
            offset: base,
            needed: 4,
            available: b.len(),
        });
    }
    let declared = b[1] as usize + b[2] as usize + b[3] as usize;
    if declared != b.len() {
        return Err(DecodeError::BadLength {
            offset: base,
            declared,
            actual: b.len(),
        });
    }
    let mut node = Node {
        kind: b
            .get(4)
            .map_or(NodeKind::Plain, |&c| NodeKind::from_class_code(c)),
        ..Node::default()
    };
    let mut stopped = None;
    let mut i = 5;
    while i < b.len() {
        let tag = b[i];
        let Some(property) = tags::property_name(tag) else {
            stopped = Some((base + i, tag));
            break;
        };
        if i + 3 > b.len() {
            return Err(DecodeError::TruncatedSubFrame {
                offset: base + i,
                property,
            });
        }
        let n = b[i + 1] as usize + b[i + 2] as usize;
        if n < 3 {
            return Err(DecodeError::SubFrameTooShort {
                offset: base + i,
                property,
                length: n,
            });
        }
        // A sub-frame that claims more than the frame holds is read up to the frame's end.
        let payload = &b[i + 3..(i + n).min(b.len())];
        props::apply(family, tag, payload, &mut node).map_err(|reason| DecodeError::Payload {
            offset: base + i,
            property,
            reason,
        })?;
        i += n;
    }
    Ok(Frame {
        node,
        stopped_at_unknown_tag: stopped,
    })
}
