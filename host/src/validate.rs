//! The validation run a publish pipeline makes before a game goes public: load the game, read its
//! metadata, let a simulated player join, run a few seconds of the game's own clock (ticks and
//! timers), leave, and report what happened. `validate_inline` runs it in this process (what
//! `homegames validate` does inside a container); `containment::Containers::validate` runs that
//! command in a container with no network, a read-only root and the game folder mounted read-only.
//! The reports' shapes belong to `containment`, which reads them back.

use std::path::Path;

use containment::{Description, Report};
use js_runtime::script::{run_script, Script};
use serde_json::{json, Value};

use crate::server::assets::declared;
use crate::server::catalog::squish_version_of;

/// Runs the validation in this process: `seconds` of the game's virtual clock with one player.
pub fn validate_inline(dir: &Path, seconds: f64) -> Report {
    let mut report = Report::default();
    if !dir.join("index.js").is_file() {
        report.error = Some("the game has no index.js at its top level".into());
        return report;
    }
    let end = (seconds * 1000.0).max(1000.0);
    let script: Script = serde_json::from_value(json!({
        "seed": 1, "epochMs": 1_700_000_000_000u64, "endMs": end,
        "events": [
            {"t": 100, "type": "join", "player": 1, "name": "validator", "clientInfo": {"deviceType": "desktop", "aspectRatio": 1.78}},
            {"t": end - 200.0, "type": "leave", "player": 1},
        ],
    }))
    .expect("the validation script is well-formed");
    // One load: the run reads the metadata as it starts the game.
    let rec = match run_script(dir, &script) {
        Ok(rec) => rec,
        Err(e) => {
            report.error = Some(format!("the game could not start: {e}"));
            return report;
        }
    };
    let version = squish_version_of(&rec.metadata);
    report.squish_version = (!version.is_empty()).then_some(version);
    report.name = rec
        .metadata
        .get("name")
        .and_then(Value::as_str)
        .map(String::from);
    report.asset_ids = declared(&rec.metadata).into_iter().map(|a| a.id).collect();
    report.frames = rec.frames.iter().filter(|f| f.player == 1).count();
    if let Some(list) = rec.log["exceptions"].as_array() {
        report.exceptions = list
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e["where"].as_str().unwrap_or("?"),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect();
    }
    match &rec.log["ended"] {
        Value::Null => report.ok = true,
        why => {
            report.error = Some(format!(
                "the game stopped during its test run: {}",
                why.as_str().map_or(why.to_string(), String::from)
            ))
        }
    }
    report
}

/// Loads the game in `dir` in this process and reports its metadata.
pub fn describe_inline(dir: &Path) -> Description {
    if !dir.join("index.js").is_file() {
        return Description {
            error: Some("the game has no index.js at its top level".into()),
            ..Default::default()
        };
    }
    match js_runtime::GameSession::load(dir, &js_runtime::SessionConfig::default()) {
        Ok(session) => Description {
            ok: true,
            error: None,
            metadata: Some(session.metadata().clone()),
        },
        Err(e) => Description {
            error: Some(format!("the game could not start: {e}")),
            ..Default::default()
        },
    }
}
