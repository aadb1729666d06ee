//! Every game in `games/` loads, takes two players, survives clicks and keys without a single
//! exception, and keeps sending frames.

use std::path::{Path, PathBuf};

use js_runtime::script::{run_script, Script};
use serde_json::json;

#[test]
fn every_example_game_plays_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../games");
    let mut games: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("index.js").is_file())
        .collect();
    games.sort();
    assert!(
        games.len() >= 4,
        "expected our example games in {}",
        root.display()
    );
    let mut events = vec![
        json!({"t": 100, "type": "join", "player": 1}),
        json!({"t": 200, "type": "join", "player": 2}),
    ];
    let mut t = 300;
    for (x, y) in [
        (15.0, 25.0),
        (50.0, 50.0),
        (35.0, 75.0),
        (48.0, 78.0),
        (20.0, 30.0),
    ] {
        for p in [1, 2] {
            events.push(json!({"t": t, "type": "click", "player": p, "x": x, "y": y}));
            t += 50;
        }
    }
    for key in ["ArrowRight", "d", "s", "ArrowUp"] {
        events.push(json!({"t": t, "type": "keydown", "player": 1, "key": key}));
        events.push(json!({"t": t + 300, "type": "keyup", "player": 1, "key": key}));
        t += 400;
    }
    events.push(json!({"t": t, "type": "leave", "player": 2}));
    let script: Script = serde_json::from_value(
        json!({"seed": 7, "epochMs": 1.7e12, "endMs": t + 500, "events": events}),
    )
    .unwrap();
    for game in games {
        let rec = run_script(&game, &script).unwrap_or_else(|e| panic!("{}: {e}", game.display()));
        let name = game.file_name().unwrap().to_string_lossy();
        assert_eq!(rec.log["exceptions"], json!([]), "{name} threw");
        assert!(
            rec.log["ended"].is_null(),
            "{name} ended: {}",
            rec.log["ended"]
        );
        for p in [1u8, 2] {
            let frames: Vec<_> = rec.frames.iter().filter(|f| f.player == p).collect();
            assert!(
                frames.len() >= 2,
                "{name}: player {p} got {} frames",
                frames.len()
            );
            // Each game's frames in its own version (the sprite sheet is on 142's asset layout).
            let version = rec.metadata["squishVersion"]
                .as_str()
                .and_then(|v| v.parse::<squish::SquishVersion>().ok())
                .unwrap_or_else(|| panic!("{name}: squishVersion"));
            for f in frames {
                squish::decode(version, &f.bytes)
                    .unwrap_or_else(|e| panic!("{name}: undecodable frame: {e}"));
            }
        }
    }
}

/// A spectator sees the balloons but not the pop sound (spectator frames leave audio out).
#[test]
fn spectators_get_no_audio() {
    use js_runtime::{GameSession, SessionConfig};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../games/balloon-pop");
    let mut s = GameSession::load(&dir, &SessionConfig::default()).unwrap();
    s.join(1, "p1", json!({})).unwrap();
    s.spectate(2).unwrap();
    s.advance_to(1000.0).unwrap();
    let version: squish::SquishVersion = "135".parse().unwrap();
    let last = s
        .take_frames()
        .into_iter()
        .rfind(|f| f.player == 1)
        .unwrap();
    let balloon = squish::decode(version, &last.bytes)
        .unwrap()
        .into_iter()
        .find(|n| n.asset.as_ref().is_some_and(|a| a.key == "balloon"))
        .expect("a balloon in the air");
    let c = &balloon.coordinates2d.unwrap().values;
    s.click(1, c[0].0 + 2.0, c[1].0 + 2.0).unwrap();
    let frames = s.take_frames();
    let has_pop = |p: u8| {
        frames.iter().filter(|f| f.player == p).any(|f| {
            squish::decode(version, &f.bytes)
                .unwrap()
                .iter()
                .any(|n| n.asset.as_ref().is_some_and(|a| a.key == "pop"))
        })
    };
    assert!(has_pop(1), "the player hears the pop");
    assert!(!has_pop(2), "the spectator does not");
    assert!(
        frames.iter().any(|f| f.player == 2),
        "the spectator still gets frames"
    );
}
