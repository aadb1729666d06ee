//! Session start latency as a player sees it (from `/play/<game>` to the first state frame on the
//! WebSocket): inline, in a cold container, and in a warm (pre-started) container. Needs Docker.
//!
//! `cargo bench -p host --bench containers`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use containment::Limits;
use host::server::{Isolation, ServeConfig};

async fn first_frame_latency(addr: &str) -> Duration {
    let start = Instant::now();
    let session = session_of(addr, "tap-race").await;
    let mut ws = connect(addr, &session).await;
    ready(&mut ws).await;
    frame_where(&mut ws, |_| true).await;
    let took = start.elapsed();
    ws.close(None).await.ok();
    took
}

async fn median(isolation: Isolation, runs: usize) -> Duration {
    let config = ServeConfig {
        game_roots: vec![repo_games()],
        idle_timeout: Duration::from_secs(1),
        reconnect_grace: Duration::ZERO,
        isolation,
        ..ServeConfig::default()
    };
    let addr = start_with(config).await;
    let mut times = Vec::new();
    for _ in 0..runs {
        // Let the previous session end and any warm pool refill.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        times.push(first_frame_latency(&addr).await);
    }
    times.sort();
    times[runs / 2]
}

#[tokio::main]
async fn main() {
    let docker = std::process::Command::new("docker")
        .arg("info")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(docker, "needs a running Docker engine");
    // Benches run from target/release/deps; the release binary sits next to that folder.
    let binary = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("homegames"))
        .unwrap_or_default();
    assert!(
        binary.exists(),
        "build the release binary first: cargo build --release -p host ({} is missing)",
        binary.display()
    );
    let container = |warm| Isolation::Container {
        worker_binary: binary.clone(),
        limits: Limits::default(),
        docker_host: None,
        warm,
    };
    println!("Session start latency, /play to the first state frame (median of 5)");
    println!(
        "  inline            {:>8.1} ms",
        median(Isolation::Inline, 5).await.as_secs_f64() * 1000.0
    );
    println!(
        "  cold container    {:>8.1} ms",
        median(container(0), 5).await.as_secs_f64() * 1000.0
    );
    println!(
        "  warm container    {:>8.1} ms",
        median(container(2), 5).await.as_secs_f64() * 1000.0
    );
}
