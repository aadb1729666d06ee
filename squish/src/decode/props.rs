//! Per-tag payload decoders. Each sets one field of the node being built.

use crate::jsnum::parse_decimal;
use crate::model::{AssetInfo, AssetRef, Coords, Effects, Input, JsNum, Node, Shadow, Vec2};
use crate::tags::{self, subtype};
use crate::version::Family;

pub type PayloadResult<T> = Result<T, String>;

pub fn apply(family: Family, tag: u8, p: &[u8], node: &mut Node) -> PayloadResult<()> {
    match tag {
        tags::ID => node.id = Some(JsNum(id(family, p))),
        tags::COLOR => node.color = Some(rgba(p)?),
        tags::PLAYER_IDS => node.player_ids = Some(p.iter().map(|&b| JsNum(b as f64)).collect()),
        tags::POS => node.pos = Some(vec2(p)?),
        tags::FILL => node.fill = Some(rgba(p)?),
        tags::SIZE => node.size = Some(vec2(p)?),
        tags::TEXT => node.text = Some(super::text::text(family, p)?),
        tags::ASSET => node.asset = Some(asset(family, p)?),
        tags::EFFECTS => node.effects = Some(effects(p)?),
        tags::HANDLE_CLICK => node.handle_click = Some(p.first() == Some(&1)),
        tags::BORDER => node.border = Some(single(p)?),
        tags::SUB_TYPE => node.sub_type = Some(single(p)?),
        tags::INPUT => node.input = Some(Input { kind: latin1(p) }),
        tags::COORDINATES_2D => node.coordinates2d = Some(coordinates2d(p, node.sub_type)?),
        _ => unreachable!("apply is only called for known tags"),
    }
    Ok(())
}

/// `I + F / 100`, computed in that order as JS does.
#[inline]
pub fn n2(i: u8, f: u8) -> f64 {
    i as f64 + f as f64 / 100.0
}

fn need(p: &[u8], n: usize, what: &str) -> PayloadResult<()> {
    if p.len() < n {
        return Err(format!(
            "{what} needs {n} bytes, the payload has {}",
            p.len()
        ));
    }
    Ok(())
}

fn id(family: Family, p: &[u8]) -> f64 {
    if family.decimal_digit_ids() {
        // Σ b[i]·10^(n-1-i), accumulated left to right in doubles.
        let n = p.len();
        p.iter().enumerate().fold(0.0, |total, (i, &b)| {
            total + b as f64 * pow10((n - 1 - i) as i32)
        })
    } else {
        // Each byte printed as decimal (a leading "0" for 0-9), all joined, read as one number.
        let mut s = String::with_capacity(p.len() * 3);
        for &b in p {
            if b <= 9 {
                s.push('0');
            }
            s.push_str(itoa_u8(b, &mut [0; 3]));
        }
        parse_decimal(&s)
    }
}

fn pow10(k: i32) -> f64 {
    // Exact for k ≤ 22; beyond that the correctly rounded value (the id is lossy there anyway).
    if k <= 22 {
        10f64.powi(k)
    } else {
        format!("1e{k}").parse().unwrap_or(f64::INFINITY)
    }
}

fn itoa_u8(b: u8, buf: &mut [u8; 3]) -> &str {
    let mut n = b;
    let mut i = 3;
    loop {
        i -= 1;
        buf[i] = b'0' + n % 10;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).expect("ascii digits")
}

fn rgba(p: &[u8]) -> PayloadResult<Vec<JsNum>> {
    need(p, 4, "a color")?;
    Ok(p[..4].iter().map(|&b| JsNum(b as f64)).collect())
}

fn vec2(p: &[u8]) -> PayloadResult<Vec2> {
    need(p, 4, "an {x, y} pair")?;
    Ok(Vec2 {
        x: JsNum(n2(p[0], p[1])),
        y: JsNum(n2(p[2], p[3])),
    })
}

fn single(p: &[u8]) -> PayloadResult<JsNum> {
    need(p, 1, "a one-byte value")?;
    Ok(JsNum(p[0] as f64))
}

/// `String.fromCodePoint(...bytes)`: each byte is one Latin-1 character.
pub fn latin1(p: &[u8]) -> String {
    p.iter().map(|&b| b as char).collect()
}

fn asset(family: Family, p: &[u8]) -> PayloadResult<AssetRef> {
    let crop = family.asset_crop();
    let fixed = if crop { 18 } else { 10 };
    if crop {
        need(
            p,
            fixed,
            "an asset (pos, size, startTime, four crop insets)",
        )?;
    } else {
        need(p, fixed, "an asset (pos, size, startTime)")?;
    }
    let at = |i: usize| crop.then(|| JsNum(n2(p[i], p[i + 1])));
    let info = AssetInfo {
        pos: Some(Vec2 {
            x: JsNum(n2(p[0], p[1])),
            y: JsNum(n2(p[2], p[3])),
        }),
        size: Some(Vec2 {
            x: JsNum(n2(p[4], p[5])),
            y: JsNum(n2(p[6], p[7])),
        }),
        start_time: JsNum(n2(p[8], p[9])),
        crop_left: at(10),
        crop_top: at(12),
        crop_right: at(14),
        crop_bottom: at(16),
    };
    Ok(AssetRef {
        key: latin1(&p[fixed..]),
        info,
    })
}

fn effects(p: &[u8]) -> PayloadResult<Effects> {
    need(p, 10, "a shadow effect (\"shadow\" and a color)")?;
    if &p[..6] != b"shadow" {
        return Err(format!(
            "unknown effect {:?}; only \"shadow\" exists",
            latin1(&p[..6])
        ));
    }
    let color = p[6..10].iter().map(|&b| JsNum(b as f64)).collect();
    // A blur of 0 is not sent, and a single trailing byte reads as NaN: both mean no blur.
    let blur = match p.get(10..12) {
        Some(&[tens, ones]) if tens as u32 * 10 + ones as u32 != 0 => {
            Some(JsNum(tens as f64 * 10.0 + ones as f64))
        }
        _ => None,
    };
    Ok(Effects {
        shadow: Some(Shadow {
            color: Some(color),
            blur,
        }),
    })
}

fn coordinates2d(p: &[u8], sub_type: Option<JsNum>) -> PayloadResult<Coords> {
    if !p.len().is_multiple_of(2) {
        return Err(format!(
            "odd payload length {} (values are byte pairs)",
            p.len()
        ));
    }
    let values: Vec<JsNum> = p.chunks_exact(2).map(|c| JsNum(n2(c[0], c[1]))).collect();
    let paired = matches!(sub_type, Some(JsNum(s)) if s == subtype::POLYGON || s == subtype::LINE);
    if paired && !values.len().is_multiple_of(2) {
        return Err(format!(
            "{} values cannot form [x, y] points of a polygon or line",
            values.len()
        ));
    }
    Ok(Coords { values, paired })
}
