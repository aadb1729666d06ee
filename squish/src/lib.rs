//! # squish
//!
//! Owns the squish wire format: the node model as the wire sees it, a byte-exact encoder and a
//! checked decoder for every squishjs version games pin, and the alias → package → family tables.
//!
//! Must not know about: JavaScript engines, games, sockets, sessions or players. It turns one node
//! (or a tree, flattened) into bytes and back; who sees which frame is decided elsewhere.
//!
//! ```
//! use squish::{encode, decode, Node, NodeKind, JsNum, SquishVersion};
//! let node = Node { kind: NodeKind::Shape, id: Some(JsNum(42.0)), ..Node::default() };
//! let v: SquishVersion = "135".parse().unwrap();
//! let bytes = encode(v, &node).unwrap();
//! assert_eq!(decode(v, &bytes).unwrap()[0].id, Some(JsNum(42.0)));
//! ```

mod codepoint;
mod decode;
mod encode;
pub mod error;
pub mod jsnum;
pub mod model;
pub mod tags;
pub mod version;

pub use decode::{decode, decode_frame, decode_frames, frame_spans, Frame, MAX_FRAME_LEN};
pub use encode::{encode, encode_frame_into, encode_tree_into};
pub use error::{DecodeError, EncodeError, VersionError};
pub use model::{
    AssetInfo, AssetRef, Coords, Effects, Input, JsNum, Node, NodeKind, Scale, Shadow, TextInfo,
    Vec2,
};
pub use version::{Alias, Family, Package, SquishVersion, ALIASES, CLIENT_INITIAL_DECODER};
