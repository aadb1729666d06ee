//! Density and speed of game sessions, ours against the original stack (one Node process per
//! session running the game with its real squishjs). Prints a comparison table.
//!
//! `cargo bench -p js-runtime` (needs Node.js and the reference packages: scripts/install-oracle).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use js_runtime::{GameSession, SessionConfig};
use serde_json::{json, Value};

fn games_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/node_modules/homegames-core/src/games")
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn joined(game: &Path) -> GameSession {
    let mut s = GameSession::load(game, &SessionConfig::default()).expect("load game");
    s.join(1, "p1", json!({})).unwrap();
    s.join(2, "p2", json!({})).unwrap();
    s.take_frames();
    s
}

fn node(game: &Path, iterations: u32) -> Value {
    let out = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/bench.js"))
        .arg(game)
        .arg(iterations.to_string())
        .output()
        .expect("run node");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "node bench failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn main() {
    assert!(games_dir().is_dir(), "run scripts/install-oracle first");
    let sessions = 100;
    println!("Idle sessions: RSS growth per session in one process (ours) vs one Node process per session (original)");
    println!(
        "{:<14} {:>14} {:>16}",
        "game", "ours MiB/sess", "node MiB/process"
    );
    for game in ["shape-test", "squarer", "vegas-trail"] {
        let dir = games_dir().join(game);
        // Each session on its own thread, as the host runs them; all alive while RSS is read.
        let before = rss_bytes();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let mut stops = Vec::new();
        let mut threads = Vec::new();
        for _ in 0..sessions {
            let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
            let (dir, ready) = (dir.clone(), ready_tx.clone());
            threads.push(std::thread::spawn(move || {
                let s = std::panic::catch_unwind(|| joined(&dir));
                ready.send(s.is_ok()).unwrap();
                let _ = stop_rx.recv();
                drop(s);
            }));
            stops.push(stop_tx);
        }
        for _ in 0..sessions {
            assert!(ready_rx.recv().unwrap(), "a {game} session failed to start");
        }
        let per = (rss_bytes().saturating_sub(before)) as f64 / sessions as f64 / 1048576.0;
        drop(stops);
        for t in threads {
            t.join().unwrap();
        }
        let theirs = node(&dir, 1)["rss"].as_f64().unwrap() / 1048576.0;
        println!("{game:<14} {per:>14.2} {theirs:>16.1}");
    }
    println!();
    println!("One broadcast (squish the scene, one frame for each of 2 players)");
    println!(
        "{:<14} {:>7} {:>12} {:>12} {:>8}",
        "game", "nodes", "node µs", "ours µs", "ratio"
    );
    for game in [
        "shape-test",
        "layer-test",
        "squarer",
        "vegas-trail",
        "grid-test",
    ] {
        let dir = games_dir().join(game);
        let mut s = joined(&dir);
        let iterations = 300;
        s.resquish(20).unwrap();
        s.take_frames();
        let start = Instant::now();
        for _ in 0..iterations {
            s.resquish(1).unwrap();
        }
        let ours = start.elapsed().as_secs_f64() * 1e6 / iterations as f64;
        let frames = s.take_frames();
        let nodes =
            squish::decode(s.version(), &frames.last().unwrap().bytes).map_or(0, |n| n.len());
        let theirs = node(&dir, iterations)["nanosPerBroadcast"]
            .as_f64()
            .unwrap()
            / 1000.0;
        println!(
            "{game:<14} {nodes:>7} {theirs:>12.1} {ours:>12.1} {:>7.2}x",
            theirs / ours
        );
    }
}
