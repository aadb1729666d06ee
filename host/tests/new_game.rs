//! `homegames new NAME`: a game folder that plays, scans clean and validates at once, on today's
//! squish version; an existing folder or a name that is not a plain folder name is refused and
//! nothing is written.

use std::path::Path;
use std::process::{Command, Output};

fn homegames(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homegames"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_new_game_plays_scans_and_validates_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = homegames(&["new", "Dot Chase"], tmp.path());
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("homegames play"), "{}", text(&out));
    let game = tmp.path().join("Dot Chase");
    let index = std::fs::read_to_string(game.join("index.js")).unwrap();
    assert!(index.contains("require('squish-142')") && index.contains("squishVersion: '142'"));
    assert!(index.contains(r#"name: "Dot Chase""#), "{index}");
    let license = std::fs::read_to_string(game.join("LICENSE")).unwrap();
    assert!(game_files::template::is_gpl3(&license));

    let record = tmp.path().join("out");
    let played = homegames(
        &[
            "play",
            "Dot Chase",
            "--script",
            "Dot Chase/script.json",
            "--record",
            record.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(played.status.success(), "{}", text(&played));
    for p in ["p1.bin", "p2.bin"] {
        let frames = std::fs::read(record.join(p)).unwrap();
        assert!(frames.len() > 100, "{p}: {} bytes", frames.len());
    }
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record.join("log.json")).unwrap()).unwrap();
    assert_eq!(log["exceptions"], serde_json::json!([]), "{log}");

    let scanned = homegames(&["scan", "Dot Chase"], tmp.path());
    assert!(scanned.status.success(), "{}", text(&scanned));
    let validated = homegames(&["validate", "Dot Chase"], tmp.path());
    let report: serde_json::Value = serde_json::from_slice(&validated.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["squishVersion"], "142", "{report}");
}

#[test]
fn new_never_overwrites_and_refuses_paths() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("taken")).unwrap();
    std::fs::write(tmp.path().join("taken/index.js"), "mine").unwrap();
    let out = homegames(&["new", "taken"], tmp.path());
    assert!(!out.status.success());
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("taken/index.js")).unwrap(),
        "mine"
    );
    for bad in ["../escape", "a/b", "", ".."] {
        let out = homegames(&["new", bad], tmp.path());
        assert!(!out.status.success(), "{bad:?} was accepted");
        assert!(
            text(&out).contains("cannot be a folder name"),
            "{}",
            text(&out)
        );
    }
    assert!(!tmp.path().parent().unwrap().join("escape").exists());
}
