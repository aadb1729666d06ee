#![allow(dead_code)]
pub mod oracle;
pub mod scenes;

pub use oracle::numbers_as_f64;

use squish::{Node, Scale, SquishVersion};

/// Our per-node frames for a tree, in the oracle's order (pre-order), each bytes or an error.
pub fn rust_frames(
    version: SquishVersion,
    tree: &Node,
    scale: Option<Scale>,
) -> Vec<Result<Vec<u8>, String>> {
    let mut out = Vec::new();
    tree.walk(&mut |n| {
        let mut buf = Vec::new();
        out.push(
            squish::encode_frame_into(version, n, scale, &mut buf)
                .map(|_| buf)
                .map_err(|e| e.to_string()),
        );
    });
    out
}

/// Our decode of one frame as the JSON the oracle prints, or the error text.
pub fn rust_decoded(version: SquishVersion, bytes: &[u8]) -> Result<serde_json::Value, String> {
    squish::decode_frame(version, bytes)
        .map(|f| numbers_as_f64(serde_json::to_value(&f.node).unwrap()))
        .map_err(|e| e.to_string())
}
