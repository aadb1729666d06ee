//! What a session's game threw, kept for the platform to read (the Studio marks each at its line
//! and column in the author's preview). Each is located by the first frame of its stack that is
//! in the game's own files (`/games/<name>/<path>:<line>:<column>`, as the runtime names them).
//! Bounded: the newest [`KEPT`] of a session.

use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Exceptions kept per session (the oldest go first).
pub const KEPT: usize = 100;

#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct GameException {
    /// What the game was doing (`timer`, `tick`, `handleNewPlayer`…).
    #[serde(rename = "where")]
    pub during: String,
    pub message: String,
    /// The game file, line and column (1-based) the stack points at, if any.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// The newest exceptions, and how many there have been in all.
#[derive(Default, Debug)]
pub struct Thrown {
    pub list: Vec<GameException>,
    pub total: u64,
}

pub type Exceptions = Arc<Mutex<Thrown>>;

/// How a session worker (in its container) hands each exception to the host: one stderr line.
pub const WORKER_LINE_PREFIX: &str = "hg-exception ";

/// `report` is what the runtime records: `{where, message, stack}`.
pub fn located(report: &serde_json::Value) -> GameException {
    let text = |k: &str| report[k].as_str().unwrap_or_default().to_string();
    let stack = text("stack");
    let place = stack.lines().find_map(game_place);
    GameException {
        during: text("where"),
        message: text("message"),
        file: place.as_ref().map(|p| p.0.clone()),
        line: place.as_ref().map(|p| p.1),
        column: place.as_ref().and_then(|p| p.2),
    }
}

/// `("index.js", 86, Some(34))` from a stack line holding `/games/<name>/index.js:86:34` (V8's
/// form; QuickJS may name no column: `/games/<name>/index.js:86`).
fn game_place(line: &str) -> Option<(String, u32, Option<u32>)> {
    let at = line.find("/games/")?;
    let rest = &line[at + "/games/".len()..];
    let rest = &rest[rest.find('/')? + 1..];
    let end = rest
        .find(|c: char| c == ')' || c.is_whitespace())
        .unwrap_or(rest.len());
    let place = &rest[..end];
    let parts: Vec<&str> = place.rsplitn(3, ':').collect();
    match parts.as_slice() {
        [column, line_no, file] if column.parse::<u32>().is_ok() => {
            Some((file.to_string(), line_no.parse().ok()?, column.parse().ok()))
        }
        [line_no, _, ..] => {
            let file = place[..place.len() - line_no.len() - 1].to_string();
            Some((file, line_no.parse().ok()?, None))
        }
        _ => None,
    }
}

/// Keeps `e`, dropping the oldest past [`KEPT`].
pub fn keep(into: &Exceptions, e: GameException) {
    let mut thrown = into.lock().unwrap();
    if thrown.list.len() >= KEPT {
        thrown.list.remove(0);
    }
    thrown.list.push(e);
    thrown.total += 1;
}

/// The exceptions kept since `after` of them had been (for a worker passing them on).
pub fn since(from: &Exceptions, after: u64) -> (Vec<GameException>, u64) {
    let thrown = from.lock().unwrap();
    let new = (thrown.total - after).min(thrown.list.len() as u64) as usize;
    (
        thrown.list[thrown.list.len() - new..].to_vec(),
        thrown.total,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exception_is_located_in_the_games_own_file() {
        let e = located(&serde_json::json!({
            "where": "timer",
            "message": "TypeError: Cannot read properties of null (reading 'boom')",
            "stack": "TypeError: Cannot read properties of null\n    at [homegames bootstrap]:10:3\n    at Game.tick (/games/thrower/lib/util.js:86:34)\n    at /games/thrower/index.js:3:1",
        }));
        assert_eq!(
            (e.file.as_deref(), e.line, e.column, e.during.as_str()),
            (Some("lib/util.js"), Some(86), Some(34), "timer")
        );
        assert_eq!(
            located(&serde_json::json!({"where": "x", "message": "m", "stack": ""})).line,
            None
        );
    }
}
