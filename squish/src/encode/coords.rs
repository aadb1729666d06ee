//! coordinates2d: polygons and lines as N2 pairs, circles as center + radius.

use super::props::{centering_offset, n2_floor};
use crate::jsnum::{hundredths, js_round, wire_byte};
use crate::model::{JsNum, Scale};
use crate::tags::subtype;
use crate::version::Family;

/// Family D's `clampCoord`: `v < 0 ? 0 : v > 255 ? 255 : v`, which is what `f64::clamp` does
/// (NaN stays NaN, -0 stays -0).
#[inline]
fn clamp(v: f64) -> f64 {
    v.clamp(0.0, 255.0)
}

pub fn coordinates2d(
    family: Family,
    values: &[JsNum],
    sub_type: Option<f64>,
    scale: Option<Scale>,
    out: &mut Vec<u8>,
) {
    if family.clamps_coordinates() {
        clamped(values, sub_type, scale, out)
    } else {
        unclamped(values, sub_type, scale, out)
    }
}

/// Families A, B and C.
fn unclamped(values: &[JsNum], sub_type: Option<f64>, scale: Option<Scale>, out: &mut Vec<u8>) {
    let v = |i: usize| values.get(i).map_or(f64::NAN, |n| n.0);
    if sub_type == Some(subtype::CIRCLE) {
        let start = out.len();
        let (cx, cy, r) = (v(0), v(1), v(2));
        match scale {
            Some(s) => {
                // Scaled centers keep the raw float in the integer slot: truncation, not floor.
                let x = s.x * cx + centering_offset(s.x);
                let y = s.y * cy + centering_offset(s.y);
                out.extend_from_slice(&[
                    wire_byte(x),
                    wire_byte(hundredths(x)),
                    wire_byte(y),
                    wire_byte(hundredths(y)),
                ]);
                n2_floor(scaled_radius(s, r), out);
            }
            None => {
                n2_floor(cx, out);
                n2_floor(cy, out);
                unscaled_radius(r, out);
            }
        }
        // The array was sized 2 × the number of values; extra slots stay undefined (→ 0).
        let want = start + (2 * values.len()).max(6);
        out.resize(want, 0);
        return;
    }
    out.reserve(2 * values.len());
    match scale {
        Some(s) => {
            // The shift is the same for every x (and every y); JS recomputes it, with the same result.
            let (ox, oy) = (centering_offset(s.x), centering_offset(s.y));
            for (i, n) in values.iter().enumerate() {
                let (sv, offset) = if i % 2 == 0 { (s.x, ox) } else { (s.y, oy) };
                let shifted = sv * n.0 + offset;
                out.extend_from_slice(&[wire_byte(shifted), wire_byte(hundredths(shifted))]);
            }
        }
        None => {
            for n in values {
                n2_floor(n.0, out);
            }
        }
    }
}

/// Family D: every value (a circle's two centre values, not its radius) is clamped after scaling
/// and shifting, and the integer byte is `Math.floor` in every branch. On a clamped value (0…255 or
/// NaN) floor and truncation give the same wire byte, so only the clamp changes bytes, and
/// [`n2_clamped`] skips the floor.
fn clamped(values: &[JsNum], sub_type: Option<f64>, scale: Option<Scale>, out: &mut Vec<u8>) {
    let v = |i: usize| values.get(i).map_or(f64::NAN, |n| n.0);
    if sub_type == Some(subtype::CIRCLE) {
        let start = out.len();
        let (cx, cy, r) = (v(0), v(1), v(2));
        match scale {
            Some(s) => {
                n2_clamped(clamp(s.x * cx + centering_offset(s.x)), out);
                n2_clamped(clamp(s.y * cy + centering_offset(s.y)), out);
                n2_floor(scaled_radius(s, r), out);
            }
            None => {
                n2_clamped(clamp(cx), out);
                n2_clamped(clamp(cy), out);
                unscaled_radius(r, out);
            }
        }
        let want = start + (2 * values.len()).max(6);
        out.resize(want, 0);
        return;
    }
    out.reserve(2 * values.len());
    match scale {
        Some(s) => {
            let (ox, oy) = (centering_offset(s.x), centering_offset(s.y));
            for (i, n) in values.iter().enumerate() {
                let (sv, offset) = if i % 2 == 0 { (s.x, ox) } else { (s.y, oy) };
                n2_clamped(clamp(sv * n.0 + offset), out);
            }
        }
        None => {
            for n in values {
                n2_clamped(clamp(n.0), out);
            }
        }
    }
}

/// The N2 pair of a clamped value: `W(v)` equals `W(floor(v))` for 0 ≤ v ≤ 255 and for NaN.
#[inline]
fn n2_clamped(v: f64, out: &mut Vec<u8>) {
    debug_assert!(v.is_nan() || (0.0..=255.0).contains(&v));
    out.extend_from_slice(&[wire_byte(v), wire_byte(hundredths(v))]);
}

/// `scale.x * r` when the scale is uniform, otherwise the original's diagonal formula.
#[inline]
fn scaled_radius(s: Scale, r: f64) -> f64 {
    if s.x == s.y {
        s.x * r
    } else {
        ((100.0 * s.x).powi(2) + (100.0 * s.y).powi(2)).sqrt() * (r / 100.0)
    }
}

/// The original rounds the unscaled radius' integer part (10.6 → [11, 60]).
#[inline]
fn unscaled_radius(r: f64, out: &mut Vec<u8>) {
    out.push(wire_byte(js_round(r)));
    out.push(wire_byte(hundredths(r)));
}
