//! The text sub-frame, read as the JS decoder reads it.

use super::props::{n2, PayloadResult};
use crate::codepoint::untriple;
use crate::model::{JsNum, TextInfo};
use crate::version::Family;

pub fn text(family: Family, p: &[u8]) -> PayloadResult<TextInfo> {
    // B/C: [x, y, size (N2 each), rgba, alignLen, fontLen, align…, font…, text…]; A has no fontLen.
    let header = if family.has_font() { 12 } else { 11 };
    if p.len() < header {
        return Err(format!(
            "text needs at least {header} bytes, the payload has {}",
            p.len()
        ));
    }
    let align_len = p[10] as usize;
    let font_len = if family.has_font() { p[11] as usize } else { 0 };
    // Slices past the end are cut short, as `Array.prototype.slice` does.
    let cut = |from: usize, to: usize| &p[from.min(p.len())..to.min(p.len())];
    let align = cut(header, header + align_len);
    let font = cut(header + align_len, header + align_len + font_len);
    let body = cut(header + align_len + font_len, p.len());
    Ok(TextInfo {
        x: JsNum(n2(p[0], p[1])),
        y: JsNum(n2(p[2], p[3])),
        size: JsNum(n2(p[4], p[5])),
        color: Some(p[6..10].iter().map(|&b| JsNum(b as f64)).collect()),
        align: Some(from_triples(align, "align")?),
        font: if family.has_font() {
            Some(from_triples(font, "font")?)
        } else {
            None
        },
        text: from_triples(body, "text")?,
    })
}

fn from_triples(b: &[u8], what: &str) -> PayloadResult<String> {
    if !b.len().is_multiple_of(3) {
        return Err(format!(
            "{what} has {} bytes, not a whole number of 3-byte code points",
            b.len()
        ));
    }
    let mut s = String::with_capacity(b.len() / 3);
    for t in b.chunks_exact(3) {
        let cp = untriple([t[0], t[1], t[2]]);
        if cp > 0x10FFFF {
            return Err(format!("{what} holds code point {cp}, above U+10FFFF"));
        }
        // A lone surrogate (which JS strings can hold) has no Rust `char`: it becomes U+FFFD.
        s.push(char::from_u32(cp as u32).unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    Ok(s)
}
