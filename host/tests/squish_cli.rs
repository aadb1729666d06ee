//! The `homegames` commands as a script would use them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn homegames(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_homegames"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

const RECT: &str = r#"{"kind":"Shape","id":42,"playerIds":[],"fill":[255,0,0,255],"subType":3,
    "coordinates2d":[[0,0],[100,0],[100,100],[0,100],[0,0]]}"#;

#[test]
fn encode_writes_the_real_bytes() {
    let out = homegames(
        &["squish", "encode", "--squish-version", "135", "-"],
        RECT.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The bytes squishjs 1.3.5 gives for this node (docs/squish.md).
    let want = "0300003a022b0010000000000000000000000004022c0003350007ff0000ff370004033400170000000064000000640064000000640000000000";
    assert_eq!(hex(&out.stdout), want);

    let out = homegames(
        &[
            "squish", "encode", "-v", "1006", "--bezel", "9", "--hex", "-",
        ],
        RECT.as_bytes(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.trim_end()
            .ends_with("043204325f3204325f325f3204325f3204320432"),
        "{text}"
    );
    assert!(
        text.starts_with("030000350"),
        "family B ids are 8 bytes: {text}"
    );
}

#[test]
fn decode_reads_back_what_encode_wrote() {
    let tree = format!(
        r#"[{RECT}, {{"kind":"Text","id":7,"text":{{"text":"héllo 😀","x":1,"y":2,"color":[0,0,0,255]}}}}]"#
    );
    let bytes = homegames(&["squish", "encode", "-v", "130", "-"], tree.as_bytes()).stdout;
    let out = homegames(&["squish", "decode", "-v", "130", "-"], &bytes);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nodes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(nodes[0]["kind"], "Shape");
    assert_eq!(nodes[0]["coordinates2d"][2], serde_json::json!([100, 100]));
    assert_eq!(nodes[1]["text"]["text"], "héllo 😀");
    assert_eq!(nodes[1]["text"]["font"], "default");
}

#[test]
fn the_old_clients_decoder_is_available() {
    // 0762: the server encodes with 1.0.4 (B), the old client reads with 0.7.62 (A) and fails on text.
    let text = r#"{"kind":"Text","id":7,"text":{"text":"hi","x":1,"y":2,"color":[0,0,0,255]}}"#;
    let bytes = homegames(&["squish", "encode", "-v", "0762", "-"], text.as_bytes()).stdout;
    assert!(homegames(&["squish", "decode", "-v", "0762", "-"], &bytes)
        .status
        .success());
    let client = homegames(&["squish", "decode", "-v", "0762", "--client", "-"], &bytes);
    let nodes: serde_json::Value = serde_json::from_slice(&client.stdout).unwrap_or_default();
    assert!(
        !client.status.success() || nodes[0]["text"]["text"] != "hi",
        "family A must misread family B text"
    );
}

#[test]
fn versions_lists_every_alias() {
    let out = homegames(&["squish", "versions"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    for alias in [
        "0756", "0762", "1008", "1010", "135", "136", "138", "139", "140", "142", "143",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(alias)),
            "{alias} missing from\n{text}"
        );
    }
}

#[test]
fn bad_input_gets_a_clear_error_and_a_failing_status() {
    let cases: &[(&[&str], &[u8], &str)] = &[
        (
            &["squish", "encode", "-v", "999", "-"],
            RECT.as_bytes(),
            "unknown squish version",
        ),
        (
            &["squish", "encode", "-v", "1.4.2", "-"],
            RECT.as_bytes(),
            "reserved",
        ),
        (
            &["squish", "encode", "-v", "135", "-"],
            b"{\"kind\": \"Shape\", \"fil\": 1}",
            "unknown field",
        ),
        (
            &["squish", "encode", "-v", "135", "-"],
            br#"{"kind":"Text","text":{"text":"x"}}"#,
            "text has no color",
        ),
        (
            &["squish", "decode", "-v", "135", "--hex", "-"],
            b"0400",
            "frame",
        ),
        (
            &["squish", "decode", "-v", "135", "--hex", "-"],
            b"03000006022b",
            "offset 5",
        ),
        (
            &["squish", "decode", "-v", "135", "--hex", "-"],
            b"zz",
            "not a hex byte",
        ),
        (
            &["squish", "decode", "-v", "135", "does-not-exist.bin"],
            b"",
            "does-not-exist.bin",
        ),
    ];
    for (args, stdin, needle) in cases {
        let out = homegames(args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            err.contains(needle),
            "{args:?}: expected {needle:?} in: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `homegames scan` as an author (or a script) uses it: exit 0 and "no findings" for a clean game,
/// exit 1 with located findings otherwise, and the same findings as JSON with `--json`.
#[test]
fn scan_reports_findings_and_exits_non_zero() {
    let clean = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../games/tap-race");
    let out = homegames(&["scan", clean.to_str().unwrap()], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no findings"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.js"),
        "const fs = require('fs');\nconst g = globalThis;\n",
    )
    .unwrap();
    let out = homegames(&["scan", dir.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("index.js:1:12") && text.contains("[banned-module]"),
        "{text}"
    );
    assert!(
        text.contains("index.js:2:11") && text.contains("[global-alias]"),
        "{text}"
    );

    let out = homegames(&["scan", "--json", dir.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["banned-module", "global-alias"]);
    assert_eq!(findings[0]["line"], 1);

    let out = homegames(&["scan", "/no/such/path"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/path"));
}

/// `homegames play --script --record` writes each player's frames and the log, as
/// docs/scripted-runs.md describes.
#[test]
fn play_records_a_scripted_run() {
    let game = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../games/tap-race");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("run.json");
    std::fs::write(
        &script,
        r#"{"seed": 7, "epochMs": 1700000000000, "endMs": 1500, "events": [
            {"t": 100, "type": "join", "player": 1},
            {"t": 400, "type": "click", "player": 1, "x": 19, "y": 29},
            {"t": 1200, "type": "leave", "player": 1}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = homegames(
        &[
            "play",
            game.to_str().unwrap(),
            "--script",
            script.to_str().unwrap(),
            "--record",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let frames = std::fs::read(out.join("p1.bin")).unwrap();
    // Length-prefixed frames; the last one player 1 saw shows the tap.
    let (mut at, mut last) = (0, Vec::new());
    while at + 4 <= frames.len() {
        let n = u32::from_le_bytes(frames[at..at + 4].try_into().unwrap()) as usize;
        last = frames[at + 4..at + 4 + n].to_vec();
        at += 4 + n;
    }
    assert_eq!(at, frames.len(), "frames are back to back");
    let nodes = squish::decode("135".parse().unwrap(), &last).unwrap();
    assert!(
        nodes
            .iter()
            .any(|n| n.text.as_ref().is_some_and(|t| t.text == "player1: 1")),
        "the tap counted"
    );
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("log.json")).unwrap()).unwrap();
    assert_eq!(log["events"].as_array().unwrap().len(), 3);
    assert!(log["ended"].is_null());
}

/// `homegames validate`: the publish pipeline's test run, as one JSON report; a game that fails is
/// a failed command (exit 1; before, it printed `"ok":false` and exited 0).
#[test]
fn validate_reports_a_good_and_a_broken_game() {
    let game = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../games/balloon-pop");
    let out = homegames(&["validate", game.to_str().unwrap(), "--seconds", "2"], b"");
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["ok"].as_bool(), report["squishVersion"].as_str()),
        (Some(true), Some("135")),
        "{report}"
    );
    assert_eq!(
        report["assetIds"],
        serde_json::json!(["balloon.png", "pop.wav"])
    );
    assert!(report["frames"].as_u64().unwrap() > 0);

    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("index.js"),
        "throw new Error('nope at load');\n",
    )
    .unwrap();
    for args in [&[][..], &["--describe"][..]] {
        let out = homegames(
            &[&["validate", broken.path().to_str().unwrap()][..], args].concat(),
            b"",
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("the game did not pass: "));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["ok"], false, "{args:?}");
    }
    let out = homegames(&["validate", broken.path().to_str().unwrap()], b"");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(
        report["error"].as_str().unwrap().contains("nope at load"),
        "{report}"
    );
}

/// `--cpu-ms` and `--heap-mb` set the isolate's limits: a game past them is stopped and the run
/// says which limit, with the value given; values out of range are refused before anything runs.
#[test]
fn play_takes_the_isolate_limits_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |handler: &str, flags: &[&str]| {
        let game = dir.path().join("game");
        std::fs::create_dir_all(&game).unwrap();
        std::fs::write(
            game.join("index.js"),
            format!(
                "const {{ Game, GameNode }} = require('squish-135');\n\
                 class T extends Game {{\n\
                   static metadata() {{ return {{ squishVersion: '135', name: 'T' }}; }}\n\
                   constructor() {{ super(); this.root = new GameNode.Shape({{ shapeType: 1, coordinates2d: [[0, 0], [1, 0], [1, 1], [0, 0]] }}); }}\n\
                   getLayers() {{ return [{{ root: this.root }}]; }}\n\
                   handleNewPlayer() {{ {handler} }}\n\
                 }}\n\
                 module.exports = T;\n"
            ),
        )
        .unwrap();
        let script = dir.path().join("run.json");
        std::fs::write(&script, r#"{"seed": 1, "epochMs": 0, "endMs": 500, "events": [{"t": 100, "type": "join", "player": 1}]}"#).unwrap();
        let mut args = vec![
            "play",
            game.to_str().unwrap(),
            "--script",
            script.to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        let out = homegames(&args, b"");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        log["ended"].as_str().unwrap_or_default().to_string()
    };
    let ended = run("for (;;) {}", &["--cpu-ms", "40"]);
    assert!(ended.contains("CPU budget of 40 ms"), "{ended}");
    let ended = run(
        "const keep = []; for (;;) keep.push(new Array(100000).fill(7));",
        &["--heap-mb", "8", "--cpu-ms", "60000"],
    );
    assert!(ended.contains("heap limit of 8 MiB"), "{ended}");
    assert_eq!(
        run("", &["--heap-mb", "8", "--cpu-ms", "40"]),
        "",
        "a game within its limits runs to the end"
    );

    let refused = homegames(&["play", "games/tap-race", "--heap-mb", "1"], b"");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--heap-mb"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// A game's compiled code is never written to disk: QuickJS's bytecode cache (on by default in
/// the engine, under $XDG_CACHE_HOME/v8x) stays off even when nothing in the environment turns
/// it off (js-runtime/src/code_cache.rs says why).
#[test]
fn compiled_game_code_stays_off_the_disk() {
    let cache = tempfile::tempdir().unwrap();
    let game = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../games/star-chase");
    let out = Command::new(env!("CARGO_BIN_EXE_homegames"))
        .args(["validate", game.to_str().unwrap(), "--seconds", "0.2"])
        .env_remove(js_runtime::NO_BYTECODE_CACHE_VAR)
        .env("XDG_CACHE_HOME", cache.path())
        .env("HOME", cache.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Vec<_> = walk(cache.path());
    assert!(
        written.is_empty(),
        "files written under the cache folder: {written:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for p in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        if p.is_dir() {
            found.extend(walk(&p));
        } else {
            found.push(p);
        }
    }
    found
}
