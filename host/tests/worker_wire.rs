//! The host<->worker wire is a channel game output cannot write to: the worker moves the wire off
//! fd 1 before any game code exists (`container::take_stdout_for_wire`), so whatever writes to
//! stdout afterwards (the engine's print, a stray `println!`) lands on stderr and cannot forge a
//! record. No Docker needed: the worker's process is a child of the test.

use std::io::Write;
use std::process::{Command, Stdio};

use containment::take_stdout_for_wire;
use containment::worker_protocol::{wire, RecordReader};

const MARK: &[u8] = b"\n--- the wire starts here ---\n";
const CHILD: &str = "HG_WORKER_WIRE_CHILD";

/// Runs in a child process (this test binary again): switches the wire, then writes a forged
/// CLOSE record for player 1 to fd 1 in every way a process can, and two real records to the wire.
fn child() {
    // The test harness printed its own lines to stdout before this; the parent skips them.
    let mut stdout = std::io::stdout();
    stdout.write_all(MARK).unwrap();
    let mut wire_out = take_stdout_for_wire().unwrap();
    let forged = wire::record(wire::CLOSE, 1, b"FORGED by the game");
    stdout.write_all(&forged).unwrap();
    stdout.flush().unwrap();
    println!("FORGED text on stdout");
    // A raw write(2) to descriptor 1, as the engine's print does.
    {
        use std::os::fd::FromRawFd;
        let mut fd1 = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
        fd1.write_all(&forged).unwrap();
    }
    wire_out
        .write_all(&wire::record(wire::FRAME, 1, b"a real frame"))
        .unwrap();
    wire_out
        .write_all(&wire::record(wire::CLOSE, 0, b"session over"))
        .unwrap();
}

#[test]
fn forged_records_on_stdout_never_reach_the_wire() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .args([
            "--exact",
            // This test's name in its test binary: its module path without the crate, if any.
            &format!(
                "{}forged_records_on_stdout_never_reach_the_wire",
                module_path!()
                    .split_once("::")
                    .map_or(String::new(), |(_, m)| format!("{m}::"))
            ),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at = out
        .stdout
        .windows(MARK.len())
        .position(|w| w == MARK)
        .expect("the child wrote its mark")
        + MARK.len();
    let mut records = Vec::new();
    RecordReader::default()
        .feed(&out.stdout[at..], &mut records)
        .expect("the wire holds only records");
    assert_eq!(
        records,
        vec![
            (wire::FRAME, 1, b"a real frame".to_vec()),
            (wire::CLOSE, 0, b"session over".to_vec())
        ]
    );
    // What the "game" wrote went to stderr, twice as a record and once as text.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("FORGED by the game").count(), 2, "{err}");
    assert!(err.contains("FORGED text on stdout"), "{err}");
}

/// The real worker: a game that prints through every engine route it can find while it runs
/// (loaded, constructed, joined). Its stdout must hold only records, among them the session's
/// CLOSE, and no forged CLOSE for the player. (Whether any route still reaches fd 1 depends on
/// the runtime, which hides the engine's print; the test above forges on fd 1 for certain.)
#[test]
fn the_session_worker_keeps_game_output_off_the_wire() {
    let dir = printing_game();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_homegames"))
        .args(["session-worker", "--game"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = worker.stdin.take().unwrap();
    writeln!(
        stdin,
        r#"{{"op":"join","player":1,"name":"p","clientInfo":{{}}}}"#
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(stdin);
    let out = worker.wait_with_output().unwrap();
    let mut records = Vec::new();
    RecordReader::default()
        .feed(&out.stdout, &mut records)
        .unwrap_or_else(|e| panic!("{e}; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        records.iter().any(|r| r.0 == wire::FRAME && r.1 == 1),
        "the player got no frame: {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !records.iter().any(|r| r.2 == b"FORGED"),
        "a forged record reached the wire"
    );
    // The session's own CLOSE is there (a player's forwarder may still write its close after it).
    assert!(
        records.iter().any(|r| (r.0, r.1) == (wire::CLOSE, 0)),
        "{records:?}"
    );
}

/// A game that prints a forged CLOSE record for player 1 through every engine route it can find
/// at its top level, in `metadata()`, its constructor and when a player joins.
fn printing_game() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let forged: String = wire::record(wire::CLOSE, 1, b"FORGED")
        .iter()
        .map(|b| format!("\\x{b:02x}"))
        .collect();
    let print = format!(
        "const forged = '{forged}';\n\
         function leak() {{ for (const p of [() => globalThis.__bootstrap.core.print(forged), () => Deno.core.print(forged), () => console.log(forged)]) {{ try {{ p(); }} catch (e) {{}} }} }}\n\
         leak();\n"
    );
    std::fs::write(
        dir.path().join("index.js"),
        format!(
            "{print}const {{ Game, GameNode, Colors, Shapes, ShapeUtils }} = require('squish-135');\n\
             class T extends Game {{\n\
               static metadata() {{ leak(); return {{ squishVersion: '135', name: 'printer' }}; }}\n\
               constructor() {{ super(); leak(); this.root = new GameNode.Shape({{ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.WHITE }}); }}\n\
               handleNewPlayer() {{ leak(); }}\n\
               getLayers() {{ return [{{ root: this.root }}]; }}\n\
             }}\n\
             module.exports = T;\n"
        ),
    )
    .unwrap();
    dir
}

/// `homegames validate` (what runs in a publish test run or a describe run) writes its report
/// and nothing else to stdout, whatever the game prints.
#[test]
fn validate_writes_only_its_report_to_stdout() {
    let dir = printing_game();
    for args in [&["--describe"][..], &["--seconds", "1"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_homegames"))
            .arg("validate")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).expect("stdout is the report, text");
        assert_eq!(text.lines().count(), 1, "{text:?}");
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(report["ok"], true, "{report}");
        if args[0] == "--describe" {
            assert_eq!(report["metadata"]["name"], "printer");
        }
    }
}
