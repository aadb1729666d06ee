//! The existing client protocol (homegames-web 1.4.2), server side: what the browser sends as JSON
//! and the binary messages it expects. See docs/protocol.md.

use serde::Deserialize;
use serde_json::Value;

/// Every JSON message a client sends. Unknown types are ignored with a logged reason.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// `secret` is the seat secret a client got at join (`seat` message), to take its seat back
    /// after a drop; `Some("")` when the client sent `"secret": null`, which asks for one without
    /// holding one. `None`: the client (the original one) knows nothing of secrets.
    Ready {
        id: Option<u8>,
        client_info: Value,
        spectating: bool,
        secret: Option<String>,
    },
    ClientInfo(Value),
    Click {
        x: f64,
        y: f64,
    },
    MouseUp {
        x: f64,
        y: f64,
    },
    KeyDown(String),
    KeyUp(String),
    Input {
        node_id: f64,
        input: Value,
    },
    Gamepad(Value),
    Hover {
        node_id: f64,
        on: bool,
    },
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BadMessage {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("message has no type")]
    NoType,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("{0} message is missing or has a bad field: {1}")]
    BadField(&'static str, &'static str),
}

#[derive(Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

impl ClientMessage {
    pub fn parse(text: &str) -> Result<ClientMessage, BadMessage> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| BadMessage::NotJson(e.to_string()))?;
        let Some(kind) = v.get("type").and_then(Value::as_str) else {
            // The clientInfo message has no type.
            if let Some(info) = v.get("clientInfo") {
                return Ok(ClientMessage::ClientInfo(info.clone()));
            }
            return Err(BadMessage::NoType);
        };
        let point = |name: &'static str| -> Result<(f64, f64), BadMessage> {
            let p: Point = serde_json::from_value(v.get("data").cloned().unwrap_or(Value::Null))
                .map_err(|_| BadMessage::BadField(name, "data {x, y}"))?;
            if !(p.x.is_finite() && p.y.is_finite()) {
                return Err(BadMessage::BadField(name, "data {x, y}"));
            }
            Ok((p.x, p.y))
        };
        let key = |name: &'static str| -> Result<String, BadMessage> {
            v.get("key")
                .and_then(Value::as_str)
                .map(String::from)
                .filter(|k| k.len() <= 32)
                .ok_or(BadMessage::BadField(name, "key"))
        };
        let node = |name: &'static str| {
            v.get("nodeId")
                .and_then(Value::as_f64)
                .ok_or(BadMessage::BadField(name, "nodeId"))
        };
        Ok(match kind {
            "ready" => ClientMessage::Ready {
                id: v
                    .get("id")
                    .and_then(Value::as_u64)
                    .and_then(|i| u8::try_from(i).ok())
                    .filter(|&i| i > 0),
                client_info: v.get("clientInfo").cloned().unwrap_or(Value::Null),
                spectating: v
                    .get("spectating")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                secret: match v.get("secret") {
                    None => None,
                    Some(Value::String(s)) if s.len() <= 64 => Some(s.clone()),
                    Some(_) => Some(String::new()),
                },
            },
            "click" => {
                let (x, y) = point("click")?;
                ClientMessage::Click { x, y }
            }
            "mouseup" => {
                let (x, y) = point("mouseup")?;
                ClientMessage::MouseUp { x, y }
            }
            "keydown" => ClientMessage::KeyDown(key("keydown")?),
            "keyup" => ClientMessage::KeyUp(key("keyup")?),
            "input" if v.get("gamepad").and_then(Value::as_bool) == Some(true) => {
                ClientMessage::Gamepad(v.clone())
            }
            "input" => ClientMessage::Input {
                node_id: node("input")?,
                input: v.get("input").cloned().unwrap_or(Value::Null),
            },
            "onhover" => ClientMessage::Hover {
                node_id: node("onhover")?,
                on: true,
            },
            "offhover" => ClientMessage::Hover {
                node_id: node("offhover")?,
                on: false,
            },
            other => return Err(BadMessage::UnknownType(other.chars().take(40).collect())),
        })
    }
}

impl ClientMessage {
    /// The JSON a client would have sent for this message (to pass it on to a session worker).
    pub fn to_json(&self) -> Value {
        use serde_json::json;
        match self {
            ClientMessage::Ready {
                id,
                client_info,
                spectating,
                secret,
            } => {
                json!({"type": "ready", "id": id, "clientInfo": client_info, "spectating": spectating, "secret": secret})
            }
            ClientMessage::ClientInfo(v) => json!({"clientInfo": v}),
            ClientMessage::Click { x, y } => json!({"type": "click", "data": {"x": x, "y": y}}),
            ClientMessage::MouseUp { x, y } => json!({"type": "mouseup", "data": {"x": x, "y": y}}),
            ClientMessage::KeyDown(k) => json!({"type": "keydown", "key": k}),
            ClientMessage::KeyUp(k) => json!({"type": "keyup", "key": k}),
            ClientMessage::Input { node_id, input } => {
                json!({"type": "input", "nodeId": node_id, "input": input})
            }
            ClientMessage::Gamepad(v) => v.clone(),
            ClientMessage::Hover { node_id, on } => {
                json!({"type": if *on { "onhover" } else { "offhover" }, "nodeId": node_id})
            }
        }
    }
}

/// The text message that gives a player its seat secret, right after `init` (and the bundle), sent
/// only to a client whose `ready` had a `secret` field (ours); the original client gets none.
pub fn seat_message(player: u8, secret: &str) -> String {
    serde_json::json!({"type": "seat", "player": player, "secret": secret}).to_string()
}

/// `[2, player, aspectX, aspectY, bezelX, bezelY, n, …version]`: each field a single byte.
pub fn init_message(player: u8, aspect: (u8, u8), bezel: (u8, u8), version: &str) -> Vec<u8> {
    let mut m = vec![
        2,
        player,
        aspect.0,
        aspect.1,
        bezel.0,
        bezel.1,
        version.len() as u8,
    ];
    m.extend(version.bytes());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_old_client_sends() {
        assert_eq!(
            ClientMessage::parse(r#"{"type":"click","data":{"x":50,"y":50}}"#).unwrap(),
            ClientMessage::Click { x: 50.0, y: 50.0 }
        );
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"ready","id":null,"clientInfo":{"clientInfo":{"deviceType":"desktop"}},"spectating":false}"#).unwrap(),
            ClientMessage::Ready { id: None, spectating: false, .. }
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"clientInfo":{"aspectRatio":1.7}}"#).unwrap(),
            ClientMessage::ClientInfo(_)
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"ready","id":3}"#).unwrap(),
            ClientMessage::Ready {
                id: Some(3),
                secret: None,
                ..
            }
        ));
        assert!(
            matches!(ClientMessage::parse(r#"{"type":"ready","id":null,"secret":null}"#).unwrap(), ClientMessage::Ready { secret: Some(s), .. } if s.is_empty())
        );
        assert!(
            matches!(ClientMessage::parse(r#"{"type":"ready","id":2,"secret":"ab12"}"#).unwrap(), ClientMessage::Ready { secret: Some(s), .. } if s == "ab12")
        );
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"input","gamepad":true,"input":{}}"#).unwrap(),
            ClientMessage::Gamepad(_)
        ));
        assert_eq!(ClientMessage::parse("{}"), Err(BadMessage::NoType));
        assert!(ClientMessage::parse("nope").is_err());
        assert!(ClientMessage::parse(r#"{"type":"click","data":{"x":"a"}}"#).is_err());
        assert!(ClientMessage::parse(r#"{"type":"warp"}"#).is_err());
    }

    #[test]
    fn init_matches_the_live_capture() {
        assert_eq!(
            init_message(1, (16, 9), (9, 9), "135"),
            vec![2, 1, 16, 9, 9, 9, 3, b'1', b'3', b'5']
        );
    }
}
