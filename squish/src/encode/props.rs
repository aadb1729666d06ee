//! The small property payloads: id, colors, pos, size, asset, effects, input.

use super::PropResult;
use crate::codepoint::code_points_at_each_unit;
use crate::jsnum::{floor, hundredths, truthy, wire_byte, JsNumberString};
use crate::model::{AssetRef, Effects, JsNum, Scale, Vec2};
use crate::version::Family;

/// The id sub-frame. Both encodings work on the id's JavaScript string form.
pub fn id(family: Family, id: f64, out: &mut Vec<u8>) {
    let mut buf = JsNumberString::new();
    let s = buf.format(id).as_bytes();
    if family.decimal_digit_ids() {
        // "Decimal digits": zeros up to 13 bytes, then one byte per character (non-digits are NaN → 0).
        out.extend(std::iter::repeat_n(0u8, 13usize.saturating_sub(s.len())));
        out.extend(
            s.iter()
                .map(|&c| if c.is_ascii_digit() { c - b'0' } else { 0 }),
        );
    } else {
        // "Decimal pairs": two-character chunks from the left, a trailing single character on its
        // own, left-padded with "00" chunks to at least eight; each chunk read as a Number.
        let chunks = if s.len() <= 2 { 1 } else { s.len().div_ceil(2) };
        out.extend(std::iter::repeat_n(0u8, 8usize.saturating_sub(chunks)));
        if s.len() <= 2 {
            out.push(wire_byte(chunk_number(s)));
        } else {
            for c in s.chunks(2) {
                out.push(wire_byte(chunk_number(c)));
            }
        }
    }
}

/// `Number(chunk)` for a one- or two-character piece of a number's string form.
fn chunk_number(c: &[u8]) -> f64 {
    // Rust's parser accepts "1.", ".5", "+2", "-1" like JS does; the letters of "1e+21", "NaN" and
    // "Infinity" never form an accepted two-character chunk (Rust would take "inf", not "in").
    std::str::from_utf8(c)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// color and fill: exactly four bytes; missing elements are undefined → 0.
pub fn rgba(c: &[JsNum], out: &mut Vec<u8>) {
    for i in 0..4 {
        out.push(c.get(i).map_or(0, |v| wire_byte(v.0)));
    }
}

pub fn pos(p: &Vec2, out: &mut Vec<u8>) {
    let (x, y) = (p.x.0, p.y.0);
    out.extend_from_slice(&[
        wire_byte(floor(x)),
        wire_byte(hundredths(x)),
        wire_byte(floor(y)),
        wire_byte(hundredths(y)),
    ]);
}

/// size: the hundredths helper returns nothing, so those bytes are always 0.
pub fn size(s: &Vec2, out: &mut Vec<u8>) {
    out.extend_from_slice(&[wire_byte(floor(s.x.0)), 0, wire_byte(floor(s.y.0)), 0]);
}

/// Integer byte (floor) and hundredths byte of `v`.
#[inline]
pub fn n2_floor(v: f64, out: &mut Vec<u8>) {
    out.push(wire_byte(floor(v)));
    out.push(wire_byte(hundredths(v)));
}

/// The shift every scaled position gets: `round(100 * (1 - s)) / 2`.
#[inline]
pub fn centering_offset(s: f64) -> f64 {
    crate::jsnum::js_round(100.0 * (1.0 - s)) / 2.0
}

pub fn asset(family: Family, a: &AssetRef, scale: Option<Scale>, out: &mut Vec<u8>) -> PropResult {
    let pos = a
        .info
        .pos
        .ok_or(("asset", "asset info has no pos (the encoder reads pos.x)"))?;
    let size = a
        .info
        .size
        .ok_or(("asset", "asset info has no size (the encoder reads size.x)"))?;
    let (px, py, sx, sy) = match scale {
        Some(s) => (
            s.x * pos.x.0 + centering_offset(s.x),
            s.y * pos.y.0 + centering_offset(s.y),
            s.x * size.x.0,
            s.y * size.y.0,
        ),
        None => (pos.x.0, pos.y.0, size.x.0, size.y.0),
    };
    let start = a.info.start_time.0;
    let start = if truthy(start) { start } else { 0.0 };
    for v in [px, py, sx, sy, start] {
        n2_floor(v, out);
    }
    if family.asset_crop() {
        // `asset.cropX || 0`, never scaled: the insets sample the image, pos/size place it.
        let i = &a.info;
        for c in [i.crop_left, i.crop_top, i.crop_right, i.crop_bottom] {
            n2_floor(c.map_or(0.0, |c| if truthy(c.0) { c.0 } else { 0.0 }), out);
        }
    }
    utf16_units(&a.key, out);
    Ok(())
}

/// `s.codePointAt(i)` for each UTF-16 index, each converted to a byte (asset keys, input types).
pub fn utf16_units(s: &str, out: &mut Vec<u8>) {
    code_points_at_each_unit(s, |cp| out.push(cp as u8));
}

pub fn effects(e: &Effects, out: &mut Vec<u8>) -> PropResult {
    let shadow = e.shadow.as_ref().ok_or((
        "effects",
        "effects without shadow (the only effect) makes the encoder throw",
    ))?;
    let color = shadow.color.as_ref().ok_or((
        "effects",
        "shadow has no color (the encoder reads color[0])",
    ))?;
    out.extend_from_slice(b"shadow");
    rgba(color, out);
    if let Some(blur) = shadow.blur.filter(|b| truthy(b.0)) {
        out.push(wire_byte(floor(blur.0 / 10.0)));
        out.push(wire_byte(blur.0 % 10.0));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_bytes(family: Family, v: f64) -> Vec<u8> {
        let mut o = vec![];
        id(family, v, &mut o);
        o
    }

    #[test]
    fn ids_match_the_spec_table() {
        assert_eq!(id_bytes(Family::B, 42.0), [0, 0, 0, 0, 0, 0, 0, 0x2a]);
        assert_eq!(
            id_bytes(Family::B, 12345.0),
            [0, 0, 0, 0, 0, 0x0c, 0x22, 0x05]
        );
        assert_eq!(
            id_bytes(Family::B, 123456789012.0),
            [0, 0, 0x0c, 0x22, 0x38, 0x4e, 0x5a, 0x0c]
        );
        assert_eq!(
            id_bytes(Family::C, 42.0),
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2]
        );
        assert_eq!(
            id_bytes(Family::C, 123456789012.0),
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2]
        );
        assert_eq!(id_bytes(Family::B, 7.0), [0, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(id_bytes(Family::B, -12.0), [0, 0, 0, 0, 0, 0, 255, 2]);
    }
}
