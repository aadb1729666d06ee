//! Server numbers: session start latency (inline), frames and bytes per second per player for two
//! of our games, and how many concurrent inline sessions with 2 simulated players one process
//! holds at 60 Hz before frame deadlines slip. Prints a table.
//!
//! `cargo bench -p host --bench serve`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use js_runtime::{GameSession, SessionConfig};
use serde_json::json;

fn game(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../games")
        .join(name)
}

fn live_config() -> SessionConfig {
    SessionConfig {
        bezel: (9.0, 9.0),
        ..SessionConfig::default()
    }
}

/// A session with two players; player 1 holds a key so movement games keep moving.
fn busy(name: &str) -> GameSession {
    let mut s = GameSession::load(&game(name), &live_config()).unwrap();
    s.join(1, "p1", json!({})).unwrap();
    s.join(2, "p2", json!({})).unwrap();
    s.key(1, "ArrowRight", true).unwrap();
    s.take_frames();
    s
}

fn main() {
    println!("Session start (inline: load, construct, first squish), median of 20");
    for name in ["tap-race", "star-chase", "garden-walk"] {
        let mut times: Vec<Duration> = (0..20)
            .map(|_| {
                let g = game(name);
                std::thread::spawn(move || {
                    let t = Instant::now();
                    let s = GameSession::load(&g, &live_config()).unwrap();
                    let took = t.elapsed();
                    drop(s);
                    took
                })
                .join()
                .unwrap()
            })
            .collect();
        times.sort();
        println!("  {name:<12} {:>8.2} ms", times[10].as_secs_f64() * 1000.0);
    }

    println!();
    println!(
        "Frames and bytes per second per player (2 players, 10 s of game time, player 1 moving)"
    );
    for name in ["star-chase", "tap-race"] {
        let mut s = busy(name);
        let mut frames = 0usize;
        let mut bytes = 0usize;
        let start = Instant::now();
        for step in 1..=1000 {
            s.advance_to(step as f64 * 10.0).unwrap();
            if step % 100 == 0 {
                s.click(1, 21.0, 31.0).unwrap();
            }
            for f in s.take_frames().into_iter().filter(|f| f.player == 1) {
                frames += 1;
                bytes += f.bytes.len();
            }
        }
        let cpu = start.elapsed().as_secs_f64();
        println!(
            "  {name:<12} {:>6.1} frames/s {:>9.0} bytes/s   ({:.0} ms of CPU for 10 s of play)",
            frames as f64 / 10.0,
            bytes as f64 / 10.0,
            cpu * 1000.0
        );
    }

    println!();
    println!("Concurrent star-chase sessions at 60 Hz, 2 players each, one thread per session");
    for n in [10usize, 25, 50, 100, 150, 200] {
        let slipped = run_concurrent(n, Duration::from_secs(3));
        println!(
            "  {n:>4} sessions: {:.1}% of ticks late by more than one tick",
            slipped * 100.0
        );
        if slipped > 0.05 {
            break;
        }
    }
}

/// Runs `n` sessions, each stepping its clock every 1/60 s for `length`; returns the share of steps
/// that started more than one period late.
fn run_concurrent(n: usize, length: Duration) -> f64 {
    let period = Duration::from_micros(16_667);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut s = busy("star-chase");
                barrier.wait();
                let start = Instant::now();
                let (mut late, mut steps) = (0u32, 0u32);
                let mut next = start;
                while start.elapsed() < length {
                    let now = Instant::now();
                    if now > next + period {
                        late += 1;
                    }
                    s.advance_to(start.elapsed().as_secs_f64() * 1000.0)
                        .unwrap();
                    s.take_frames();
                    steps += 1;
                    next += period;
                    if let Some(wait) = next.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                }
                (late, steps)
            })
        })
        .collect();
    let (late, steps) = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    late as f64 / steps.max(1) as f64
}
