//! The node tree as the wire sees it: the fields of a squishjs node's inner `node` object, with the
//! JavaScript names, plus `kind` (the wrapper's class) and `children`.
//!
//! Numbers are [`JsNum`] (an f64) because the real encoders do double arithmetic on whatever a
//! game stored, negative, fractional or huge. A JavaScript `undefined` in a numeric position behaves
//! exactly like NaN in every helper, so both are NaN here.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The node wrapper's class, which picks the frame's class code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    /// `GameNode.Asset`, class code 1.
    Asset,
    /// `GameNode.Shape`, class code 2.
    Shape,
    /// `GameNode.Text`, class code 3.
    Text,
    /// Anything else (a bare `{node: {…}}` object, a subclass with another name): class code 0.
    #[default]
    #[serde(rename = "plain")]
    Plain,
}

impl NodeKind {
    pub fn class_code(self) -> u8 {
        match self {
            NodeKind::Asset => 1,
            NodeKind::Shape => 2,
            NodeKind::Text => 3,
            NodeKind::Plain => 0,
        }
    }

    pub fn from_class_code(code: u8) -> NodeKind {
        match code {
            1 => NodeKind::Asset,
            2 => NodeKind::Shape,
            3 => NodeKind::Text,
            _ => NodeKind::Plain,
        }
    }
}

/// One node. A property is sent when it is `Some` (JS: present and neither null nor undefined).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Node {
    #[serde(default)]
    pub kind: NodeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<JsNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Vec<JsNum>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_ids: Option<Vec<JsNum>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<Vec2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Vec<JsNum>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Vec2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effects: Option<Effects>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_click: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border: Option<JsNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<JsNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates2d: Option<Coords>,
    /// Never on the wire: the encoder flattens the tree depth-first, pre-order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

impl Node {
    /// Depth-first pre-order walk, the order frames are written in.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        for c in &self.children {
            c.walk(f);
        }
    }

    /// Number of nodes in the tree, this one included.
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Node::count).sum::<usize>()
    }
}

/// `{x, y}` as used by pos, size and asset pos/size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vec2 {
    #[serde(default = "JsNum::undefined", skip_serializing_if = "JsNum::is_nan")]
    pub x: JsNum,
    #[serde(default = "JsNum::undefined", skip_serializing_if = "JsNum::is_nan")]
    pub y: JsNum,
}

/// A text node's `text` object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextInfo {
    pub text: String,
    #[serde(default = "JsNum::undefined", skip_serializing_if = "JsNum::is_nan")]
    pub x: JsNum,
    #[serde(default = "JsNum::undefined", skip_serializing_if = "JsNum::is_nan")]
    pub y: JsNum,
    /// `size || 1`: 0, NaN and missing all mean 1.
    #[serde(default = "JsNum::undefined", skip_serializing_if = "JsNum::is_nan")]
    pub size: JsNum,
    /// Required by every encoder (its fallback is undefined and throws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Vec<JsNum>>,
    /// `align || 'left'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<String>,
    /// `font || 'default'`; family A has no font and ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
}

/// A node's `asset` object. Only the first key (in JavaScript's property order) is ever sent, so the
/// model keeps just that one: `{ "<key>": {pos, size, startTime} }` in JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct AssetRef {
    pub key: String,
    pub info: AssetInfo,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetInfo {
    /// Required by the encoder (it reads `pos.x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<Vec2>,
    /// Required by the encoder (it reads `size.x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Vec2>,
    /// `startTime || 0`.
    #[serde(default = "JsNum::undefined", skip_serializing_if = "JsNum::is_nan")]
    pub start_time: JsNum,
    /// Crop insets (percent of the image removed at each edge), sent by family D (1.4.3, aliases
    /// 140, 142, 143) as `cropX || 0`, unscaled; every earlier family ignores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop_left: Option<JsNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop_top: Option<JsNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop_right: Option<JsNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop_bottom: Option<JsNum>,
}

/// `effects`: only `shadow` exists; an effects object without it makes the encoder throw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow: Option<Shadow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shadow {
    /// Required by the encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Vec<JsNum>>,
    /// Sent only when truthy (non-zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blur: Option<JsNum>,
}

/// `input`: only its `type` string is sent (`"text"` or `"file"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(rename = "type")]
    pub kind: String,
}

/// `coordinates2d`: either `[[x, y], …]` or a flat list (a circle is `[cx, cy, r]`). Encoders
/// flatten one level first, so only the flat values matter for bytes; `paired` only says how to
/// print them back (decoders pair them for polygons and lines only).
#[derive(Clone, Debug, PartialEq)]
pub struct Coords {
    pub values: Vec<JsNum>,
    pub paired: bool,
}

/// The scale object `squish(node, scale)` takes; see docs/squish.md.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    pub x: f64,
    pub y: f64,
}

impl Scale {
    /// What homegames uses for its own root layers.
    pub const UNIT: Scale = Scale { x: 1.0, y: 1.0 };

    /// A game layer's scale for a bezel in percent (9 by default).
    pub fn for_bezel(bezel_x: f64, bezel_y: f64) -> Scale {
        Scale {
            x: (100.0 - bezel_x) / 100.0,
            y: (100.0 - bezel_y) / 100.0,
        }
    }
}

/// A JavaScript number. JSON gives it as a number, or as `"NaN"`, `"Infinity"`, `"-Infinity"`
/// (which plain JSON cannot hold); `null` means undefined, which behaves as NaN.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct JsNum(pub f64);

impl JsNum {
    pub fn undefined() -> JsNum {
        JsNum(f64::NAN)
    }
    pub fn is_nan(&self) -> bool {
        self.0.is_nan()
    }
}

impl From<f64> for JsNum {
    fn from(v: f64) -> Self {
        JsNum(v)
    }
}

impl Serialize for JsNum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if v > 0.0 { "Infinity" } else { "-Infinity" })
        } else if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            // Print integers as JavaScript does (42, not 42.0).
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for JsNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsNum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, \"NaN\", \"Infinity\", \"-Infinity\" or null")
            }
            fn visit_f64<E>(self, v: f64) -> Result<JsNum, E> {
                Ok(JsNum(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<JsNum, E> {
                Ok(JsNum(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<JsNum, E> {
                Ok(JsNum(v as f64))
            }
            fn visit_unit<E>(self) -> Result<JsNum, E> {
                Ok(JsNum::undefined())
            }
            fn visit_none<E>(self) -> Result<JsNum, E> {
                Ok(JsNum::undefined())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsNum, E> {
                match v {
                    "NaN" => Ok(JsNum(f64::NAN)),
                    "Infinity" => Ok(JsNum(f64::INFINITY)),
                    "-Infinity" => Ok(JsNum(f64::NEG_INFINITY)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for AssetRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(&self.key, &self.info)?;
        m.end()
    }
}

/// JavaScript orders an object's integer-like keys ("0", "12") first, ascending, then the rest
/// in insertion order; `Object.keys(a)[0]` is therefore not always the first key in the text.
fn is_array_index(key: &str) -> Option<u32> {
    if key == "0" {
        return Some(0);
    }
    if key.is_empty() || key.starts_with('0') || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|&n| n != u32::MAX)
}

impl<'de> Deserialize<'de> for AssetRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AssetRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an object with at least one key: {\"<asset key>\": {pos, size, startTime}}",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AssetRef, A::Error> {
                let mut first: Option<AssetRef> = None;
                let mut first_index: Option<(u32, AssetRef)> = None;
                while let Some(key) = map.next_key::<String>()? {
                    let info: AssetInfo = map.next_value()?;
                    match is_array_index(&key) {
                        Some(n) => {
                            if first_index.as_ref().is_none_or(|(m, _)| n < *m) {
                                first_index = Some((n, AssetRef { key, info }));
                            }
                        }
                        None => {
                            if first.is_none() {
                                first = Some(AssetRef { key, info });
                            }
                        }
                    }
                }
                first_index.map(|(_, a)| a).or(first).ok_or_else(|| {
                    de::Error::custom("asset object has no key (the encoder reads its first key)")
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for Coords {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.paired {
            s.collect_seq(self.values.chunks(2))
        } else {
            s.collect_seq(&self.values)
        }
    }
}

impl<'de> Deserialize<'de> for Coords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Entry {
            Pair(Vec<JsNum>),
            One(JsNum),
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Coords;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of [x, y] points or a flat list of numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Coords, A::Error> {
                let mut values = Vec::new();
                let mut paired = false;
                // `Array.prototype.flat()`: one level of nesting is flattened away.
                while let Some(e) = seq.next_element::<Entry>()? {
                    match e {
                        Entry::Pair(p) => {
                            paired = true;
                            values.extend(p);
                        }
                        Entry::One(v) => values.push(v),
                    }
                }
                Ok(Coords { values, paired })
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_key_follows_javascript_property_order() {
        let a: AssetRef =
            serde_json::from_str(r#"{"b": {"pos":{"x":1,"y":2}}, "10": {}, "2": {}}"#).unwrap();
        assert_eq!(a.key, "2");
        let a: AssetRef = serde_json::from_str(r#"{"b": {}, "c": {}}"#).unwrap();
        assert_eq!(a.key, "b");
        assert!(serde_json::from_str::<AssetRef>("{}").is_err());
    }

    #[test]
    fn numbers_round_trip_through_json() {
        let v: Vec<JsNum> = serde_json::from_str(r#"[1, -2.5, "NaN", "Infinity", null]"#).unwrap();
        assert!(v[2].is_nan() && v[4].is_nan());
        assert_eq!(v[3].0, f64::INFINITY);
        assert_eq!(serde_json::to_string(&v[..2]).unwrap(), "[1,-2.5]");
    }

    #[test]
    fn coordinates_flatten_one_level() {
        let c: Coords = serde_json::from_str("[[1,2],[3,4]]").unwrap();
        assert_eq!(c.values.len(), 4);
        assert!(c.paired);
        assert_eq!(serde_json::to_string(&c).unwrap(), "[[1,2],[3,4]]");
        let c: Coords = serde_json::from_str("[1,2,3]").unwrap();
        assert!(!c.paired);
    }
}
