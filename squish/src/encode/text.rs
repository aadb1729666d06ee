//! The text sub-frame: position, size, color, then align/font/text as base-100 code point triples.

use super::props::{centering_offset, n2_floor, rgba};
use super::PropResult;
use crate::codepoint::triple;
use crate::jsnum::{truthy, wire_byte};
use crate::model::{Scale, TextInfo};
use crate::version::Family;

pub fn text(family: Family, t: &TextInfo, scale: Option<Scale>, out: &mut Vec<u8>) -> PropResult {
    let (x, y) = match scale {
        Some(s) => (
            t.x.0 * s.x + centering_offset(s.x),
            t.y.0 * s.y + centering_offset(s.y),
        ),
        None => (t.x.0, t.y.0),
    };
    let size = if truthy(t.size.0) { t.size.0 } else { 1.0 };
    // Every scale object multiplies the size by the diagonal, even {1, 1} (×√2).
    let size = match scale {
        Some(s) => size * (s.x * s.x + s.y * s.y).sqrt(),
        None => size,
    };
    let color = t.color.as_ref().ok_or((
        "text",
        "text has no color (the encoder's fallback is undefined and throws)",
    ))?;
    let align = t
        .align
        .as_deref()
        .filter(|a| !a.is_empty())
        .unwrap_or("left");
    let font = t
        .font
        .as_deref()
        .filter(|f| !f.is_empty())
        .unwrap_or("default");

    n2_floor(x, out);
    n2_floor(y, out);
    n2_floor(size, out);
    rgba(color, out);
    out.push(wire_byte(3.0 * align.chars().count() as f64));
    if family.has_font() {
        out.push(wire_byte(3.0 * font.chars().count() as f64));
    }
    write_triples(align, out);
    if family.has_font() {
        write_triples(font, out);
    }
    write_triples(&t.text, out);
    Ok(())
}

fn write_triples(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        out.extend_from_slice(&triple(c as u32));
    }
}
