#![allow(dead_code)]
pub mod oracle;
pub mod scenes;

use squish::{Node, Scale, SquishVersion};

/// Our per-node frames for a tree, in the oracle's order (pre-order), each bytes or an error.
pub fn rust_frames(version: SquishVersion, tree: &Node, scale: Option<Scale>) -> Vec<Result<Vec<u8>, String>> {
    let mut out = Vec::new();
    tree.walk(&mut |n| {
        let mut buf = Vec::new();
        out.push(squish::encode_frame_into(version, n, scale, &mut buf).map(|_| buf).map_err(|e| e.to_string()));
    });
    out
}

/// Our decode of one frame as the JSON the oracle prints, or the error text.
pub fn rust_decoded(version: SquishVersion, bytes: &[u8]) -> Result<serde_json::Value, String> {
    squish::decode_frame(version, bytes)
        .map(|f| numbers_as_f64(serde_json::to_value(&f.node).unwrap()))
        .map_err(|e| e.to_string())
}

/// JSON numbers compared as the doubles they are: `42`, `42.0` and JS's `499999999999999900`
/// (which is the double 4.999999999999999e17) must compare equal.
pub fn numbers_as_f64(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => serde_json::Number::from_f64(n.as_f64().unwrap()).map_or(Value::Null, Value::Number),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_f64).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect()),
        other => other,
    }
}
