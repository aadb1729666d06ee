//! Typed errors of the codec. Every message says what was wrong and where.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum VersionError {
    #[error("unknown squish version {0:?}: expected an alias such as \"135\" or \"1006\", or an npm version such as \"1.3.5\"")]
    Unknown(String),
    #[error("squishjs {0} is reserved: its wire format is not pinned by a published package yet")]
    Reserved(&'static str),
}

/// A node the real encoder would throw on. We refuse it instead of inventing bytes.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EncodeError {
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("node {node_index}: {property}: {reason}")]
    Property {
        /// Position of the offending node in depth-first pre-order (0 is the root).
        node_index: usize,
        property: &'static str,
        reason: &'static str,
    },
}

/// Bytes that do not decode. Offsets count from the start of the buffer given to `decode`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("offset {offset}: frame starts with byte {found}, expected 3")]
    BadMagic { offset: usize, found: u8 },
    #[error("offset {offset}: frame needs at least {needed} bytes, only {available} left")]
    Truncated {
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("offset {offset}: frame declares {declared} bytes but has {actual}")]
    BadLength {
        offset: usize,
        declared: usize,
        actual: usize,
    },
    #[error("offset {offset}: frame declares length 0")]
    ZeroLengthFrame { offset: usize },
    #[error("offset {offset}: {property} sub-frame header is cut off by the end of the frame")]
    TruncatedSubFrame {
        offset: usize,
        property: &'static str,
    },
    #[error("offset {offset}: {property} sub-frame declares length {length}, less than its 3-byte header")]
    SubFrameTooShort {
        offset: usize,
        property: &'static str,
        length: usize,
    },
    #[error("offset {offset}: {property}: {reason}")]
    Payload {
        offset: usize,
        property: &'static str,
        reason: String,
    },
}
