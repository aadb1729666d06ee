//! Base-100 code point triples (text, align, font) and the UTF-16 `codePointAt` walk (asset keys,
//! input types), shared by encoder and decoder.

/// The three bytes for one code point: its decimal digits left-padded to six and cut in pairs.
/// Code points of seven digits (≥ 1 000 000) keep only their first six, as the original does.
#[inline]
pub fn triple(cp: u32) -> [u8; 3] {
    let d = if cp >= 1_000_000 { cp / 10 } else { cp };
    [(d / 10_000) as u8, ((d / 100) % 100) as u8, (d % 100) as u8]
}

/// The inverse as the JS decoder computes it: each byte printed in decimal, padded to two digits,
/// the three strings joined and read as one number. Bytes above 99 print as three digits.
#[inline]
pub fn untriple(b: [u8; 3]) -> u64 {
    let shift = |x: u8| if x >= 100 { 1000u64 } else { 100 };
    (b[0] as u64 * shift(b[1]) + b[1] as u64) * shift(b[2]) + b[2] as u64
}

/// `s.codePointAt(i)` for every UTF-16 index `i` of `s`: a surrogate pair yields the whole code
/// point at its first index and the trailing surrogate at its second.
pub fn code_points_at_each_unit(s: &str, mut f: impl FnMut(u32)) {
    for c in s.chars() {
        let cp = c as u32;
        if cp >= 0x10000 {
            f(cp);
            let low = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            f(low);
        } else {
            f(cp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_match_the_spec_examples() {
        assert_eq!(triple('A' as u32), [0, 0, 65]);
        assert_eq!(triple('é' as u32), [0, 2, 33]);
        assert_eq!(triple('€' as u32), [0, 83, 64]);
        assert_eq!(triple('😀' as u32), [12, 85, 12]);
        assert_eq!(triple(0x10FFFF), [11, 14, 11]);
        for cp in [0, 9, 65, 233, 8364, 128512, 999_999] {
            assert_eq!(untriple(triple(cp)), cp as u64);
        }
        assert_eq!(untriple([1, 100, 5]), 110_005);
    }

    #[test]
    fn code_point_at_walk() {
        let mut v = vec![];
        code_points_at_each_unit("a😀", |c| v.push(c));
        assert_eq!(v, vec![97, 0x1F600, 0xDE00]);
    }
}
