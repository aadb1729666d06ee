//! coordinates2d: polygons and lines as N2 pairs, circles as center + radius.

use super::props::{centering_offset, n2_floor};
use crate::jsnum::{hundredths, js_round, wire_byte};
use crate::model::{JsNum, Scale};
use crate::tags::subtype;

pub fn coordinates2d(values: &[JsNum], sub_type: Option<f64>, scale: Option<Scale>, out: &mut Vec<u8>) {
    let v = |i: usize| values.get(i).map_or(f64::NAN, |n| n.0);
    if sub_type == Some(subtype::CIRCLE) {
        let start = out.len();
        let (cx, cy, r) = (v(0), v(1), v(2));
        match scale {
            Some(s) => {
                // Scaled centers keep the raw float in the integer slot: truncation, not floor.
                let x = s.x * cx + centering_offset(s.x);
                let y = s.y * cy + centering_offset(s.y);
                let d = if s.x == s.y {
                    s.x * r
                } else {
                    ((100.0 * s.x).powi(2) + (100.0 * s.y).powi(2)).sqrt() * (r / 100.0)
                };
                out.extend_from_slice(&[wire_byte(x), wire_byte(hundredths(x)), wire_byte(y), wire_byte(hundredths(y))]);
                n2_floor(d, out);
            }
            None => {
                n2_floor(cx, out);
                n2_floor(cy, out);
                // The original rounds the radius' integer part (10.6 → [11, 60]).
                out.push(wire_byte(js_round(r)));
                out.push(wire_byte(hundredths(r)));
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
