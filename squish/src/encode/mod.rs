//! Node → frame bytes, exactly as the real `squish(node, scale)` and `Buffer.from` produce them.
//!
//! Everything is written straight into the caller's buffer: no allocation per node. Lengths are
//! written as placeholders and patched once a sub-frame or frame is complete.

mod coords;
mod props;
mod text;

use crate::error::EncodeError;
use crate::jsnum::wire_byte;
use crate::model::{Node, Scale};
use crate::tags::{self, FRAME_MAGIC};
use crate::version::{Family, SquishVersion};

/// Why a property could not be encoded; turned into [`EncodeError::Property`] with the node index.
pub(crate) type PropResult = Result<(), (&'static str, &'static str)>;

/// Encode a whole tree without a scale object: one frame per node, depth-first pre-order, back to
/// back (what a state message carries).
pub fn encode(version: SquishVersion, tree: &Node) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(64 * tree.count());
    encode_tree_into(version, tree, None, &mut out)?;
    Ok(out)
}

/// Encode a whole tree with one scale for every node (as the Squisher does per layer), appending to
/// `out`. On error `out` is left as it was.
pub fn encode_tree_into(
    version: SquishVersion,
    tree: &Node,
    scale: Option<Scale>,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let family = version.family()?;
    let start = out.len();
    let mut index = 0;
    let mut result = Ok(());
    tree.walk(&mut |node| {
        if result.is_ok() {
            result = encode_frame_family(family, node, scale, out, index);
            index += 1;
        }
    });
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Encode one node (its children are not touched) as one frame, appended to `out`.
pub fn encode_frame_into(
    version: SquishVersion,
    node: &Node,
    scale: Option<Scale>,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    encode_frame_family(version.family()?, node, scale, out, 0)
}

fn encode_frame_family(
    family: Family,
    node: &Node,
    scale: Option<Scale>,
    out: &mut Vec<u8>,
    node_index: usize,
) -> Result<(), EncodeError> {
    let start = out.len();
    out.extend_from_slice(&[FRAME_MAGIC, 0, 0, 0, node.kind.class_code()]);
    if let Err((property, reason)) = write_properties(family, node, scale, out) {
        out.truncate(start);
        return Err(EncodeError::Property {
            node_index,
            property,
            reason,
        });
    }
    let total = out.len() - start;
    // Three clamped length bytes whose sum is the frame length (up to 765).
    out[start + 1] = total.saturating_sub(510).min(255) as u8;
    out[start + 2] = total.saturating_sub(255).min(255) as u8;
    out[start + 3] = total.min(255) as u8;
    Ok(())
}

/// Writes `tag, l1, l2`, runs `body`, then patches the two clamped length bytes (up to 510).
#[inline]
fn sub_frame(
    out: &mut Vec<u8>,
    tag: u8,
    body: impl FnOnce(&mut Vec<u8>) -> PropResult,
) -> PropResult {
    let start = out.len();
    out.extend_from_slice(&[tag, 0, 0]);
    body(out)?;
    let n = out.len() - start;
    out[start + 1] = n.saturating_sub(255).min(255) as u8;
    out[start + 2] = n.min(255) as u8;
    Ok(())
}

/// The fixed property order of every version (coordinates2d last: its decoder needs subType).
fn write_properties(
    family: Family,
    node: &Node,
    scale: Option<Scale>,
    out: &mut Vec<u8>,
) -> PropResult {
    if let Some(id) = node.id {
        sub_frame(out, tags::ID, |o| {
            props::id(family, id.0, o);
            Ok(())
        })?;
    }
    if let Some(c) = &node.color {
        sub_frame(out, tags::COLOR, |o| {
            props::rgba(c, o);
            Ok(())
        })?;
    }
    if let Some(p) = &node.player_ids {
        sub_frame(out, tags::PLAYER_IDS, |o| {
            o.extend(p.iter().map(|v| wire_byte(v.0)));
            Ok(())
        })?;
    }
    if let Some(p) = &node.pos {
        sub_frame(out, tags::POS, |o| {
            props::pos(p, o);
            Ok(())
        })?;
    }
    if let Some(c) = &node.fill {
        sub_frame(out, tags::FILL, |o| {
            props::rgba(c, o);
            Ok(())
        })?;
    }
    if let Some(s) = &node.size {
        sub_frame(out, tags::SIZE, |o| {
            props::size(s, o);
            Ok(())
        })?;
    }
    if let Some(t) = &node.text {
        sub_frame(out, tags::TEXT, |o| text::text(family, t, scale, o))?;
    }
    if let Some(a) = &node.asset {
        sub_frame(out, tags::ASSET, |o| props::asset(family, a, scale, o))?;
    }
    if let Some(e) = &node.effects {
        sub_frame(out, tags::EFFECTS, |o| props::effects(e, o))?;
    }
    if let Some(h) = node.handle_click {
        sub_frame(out, tags::HANDLE_CLICK, |o| {
            o.push(h as u8);
            Ok(())
        })?;
    }
    if let Some(b) = node.border {
        sub_frame(out, tags::BORDER, |o| {
            o.push(wire_byte(b.0));
            Ok(())
        })?;
    }
    if let Some(s) = node.sub_type {
        sub_frame(out, tags::SUB_TYPE, |o| {
            o.push(wire_byte(s.0));
            Ok(())
        })?;
    }
    if let Some(i) = &node.input {
        sub_frame(out, tags::INPUT, |o| {
            props::utf16_units(&i.kind, o);
            Ok(())
        })?;
    }
    if let Some(c) = &node.coordinates2d {
        sub_frame(out, tags::COORDINATES_2D, |o| {
            coords::coordinates2d(family, &c.values, node.sub_type.map(|s| s.0), scale, o);
            Ok(())
        })?;
    }
    Ok(())
}
