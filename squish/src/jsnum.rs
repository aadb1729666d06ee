//! The few JavaScript number semantics the real encoders lean on.
//!
//! squishjs builds a plain JS array of doubles and the server hands it to `Buffer.from`, which
//! applies ToUint8 to every element. To be byte-identical we compute the same doubles with the same
//! operations (in the same order) and only then convert.

/// ToUint8: what `Buffer.from([v])` stores for `v` (NaN, ±Infinity and `undefined` give 0).
#[inline]
pub fn wire_byte(v: f64) -> u8 {
    // Fast path: the cast truncates toward zero and the low byte of the two's complement integer
    // is the value modulo 256. Covers every value a scene normally holds.
    if v.abs() < 2_147_483_648.0 {
        return v as i32 as u8;
    }
    if !v.is_finite() {
        return 0;
    }
    // `%` on f64 is an exact fmod with the dividend's sign, so this works for any magnitude,
    // unlike a cast through i64 which saturates above 2^63.
    let mut m = v.trunc() % 256.0;
    if m < 0.0 {
        m += 256.0;
    }
    m as u8
}

/// `Math.floor`, exact, without the libm call for the usual magnitudes. (The sign of a zero result
/// may differ from `f64::floor`; no byte depends on it, since W maps both zeros to 0.)
#[inline]
pub fn floor(v: f64) -> f64 {
    if v.abs() < 4_503_599_627_370_496.0 {
        // |v| < 2^52: the i64 cast is exact and truncates toward zero.
        let t = v as i64 as f64;
        if t > v {
            t - 1.0
        } else {
            t
        }
    } else {
        v.floor()
    }
}

/// `Math.round`: nearest integer, ties toward +∞ (Rust's `f64::round` sends ties away from zero).
#[inline]
pub fn js_round(x: f64) -> f64 {
    let r = floor(x);
    if x - r >= 0.5 {
        r + 1.0
    } else {
        r
    }
}

/// squishjs' `getFractional`: the hundredths of `v` as `Math.round(100 * (v - Math.floor(v)))`.
/// It can be 100 (for 10.999) and is NaN for non-finite input.
#[inline]
pub fn hundredths(v: f64) -> f64 {
    js_round(100.0 * (v - floor(v)))
}

/// JS truthiness of a number (`if (x)`): false for 0, -0 and NaN.
#[inline]
pub fn truthy(v: f64) -> bool {
    v != 0.0 && !v.is_nan()
}

/// `Number.prototype.toString()` into a stack buffer, no allocation.
pub struct JsNumberString {
    buf: ryu_js::Buffer,
    int: [u8; 20],
}

impl JsNumberString {
    pub fn new() -> Self {
        Self {
            buf: ryu_js::Buffer::new(),
            int: [0; 20],
        }
    }

    pub fn format(&mut self, v: f64) -> &str {
        // Integers below 2^53 print as their digits in JS; do that without the shortest-float search.
        if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            return self.format_integer(v as i64);
        }
        self.buf.format(v)
    }

    fn format_integer(&mut self, n: i64) -> &str {
        let mut i = self.int.len();
        let mut m = n.unsigned_abs();
        loop {
            i -= 1;
            self.int[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        if n < 0 {
            i -= 1;
            self.int[i] = b'-';
        }
        std::str::from_utf8(&self.int[i..]).expect("ascii digits")
    }
}

impl Default for JsNumberString {
    fn default() -> Self {
        Self::new()
    }
}

/// `Number(str)` for the strings the decoders build: decimal digits only (anything else is NaN).
/// The empty string is 0, as in JS.
pub fn parse_decimal(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    s.parse::<f64>().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_byte_matches_to_uint8() {
        assert_eq!(wire_byte(-6.0), 250);
        assert_eq!(wire_byte(-0.27), 0);
        assert_eq!(wire_byte(256.0), 0);
        assert_eq!(wire_byte(272.72), 16);
        assert_eq!(wire_byte(4.5), 4);
        assert_eq!(wire_byte(f64::NAN), 0);
        assert_eq!(wire_byte(f64::INFINITY), 0);
        assert_eq!(wire_byte(1e300), 0);
        assert_eq!(wire_byte(2f64.powi(63) + 2f64.powi(11) * 3.0), 0);
        assert_eq!(
            wire_byte(-1e15 - 1.0),
            wire_byte(-1e15 - 1.0 + 256.0 * 1000.0)
        );
    }

    #[test]
    fn js_round_ties_go_up() {
        assert_eq!(js_round(2.5), 3.0);
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(js_round(0.49999999999999994), 0.0);
        assert!(js_round(f64::NAN).is_nan());
    }

    #[test]
    fn to_string_is_javascripts() {
        let mut s = JsNumberString::new();
        assert_eq!(s.format(42.0), "42");
        assert_eq!(s.format(1e21), "1e+21");
        assert_eq!(s.format(1.5), "1.5");
        assert_eq!(s.format(-0.0), "0");
        assert_eq!(s.format(123456789012.0), "123456789012");
        assert_eq!(s.format(-12.0), "-12");
        assert_eq!(s.format(9007199254740991.0), "9007199254740991");
        assert_eq!(s.format(12345678901234567.0), "12345678901234568");
    }

    #[test]
    fn fast_paths_agree_with_std() {
        for v in [
            0.0,
            -0.5,
            0.5,
            1.0,
            -1.0,
            2.5,
            -2.5,
            1e15 + 0.5,
            -1e15 - 0.5,
            4503599627370495.5,
            1e300,
            -1e300,
            2147483647.9,
            -2147483648.5,
            f64::NAN,
        ] {
            let f = floor(v);
            assert!(f == v.floor() || (f.is_nan() && v.is_nan()), "floor {v}");
            let slow = if v.is_finite() {
                let m = v.trunc() % 256.0;
                (if m < 0.0 { m + 256.0 } else { m }) as u8
            } else {
                0
            };
            assert_eq!(wire_byte(v), slow, "W {v}");
        }
    }
}
