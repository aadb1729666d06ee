//! Our browser client against our server, in a real browser: Debian's chromium driven by
//! playwright-core (tests/browser/play.js). Needs `apt-get install chromium` and Node.js;
//! playwright-core is installed at test time (scripts/install-oracle does it too).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use host::server::{serve, ServeConfig};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn chromium() -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "{chromium} is missing: install it with `apt-get install chromium` (or set CHROMIUM)");
    chromium
}

/// The original client against our server, beside our client: same session, input both ways,
/// the same picture.
#[test]
fn the_original_client_plays_against_our_server() {
    let chromium = chromium();
    install_packages();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let games = Path::new(env!("CARGO_MANIFEST_DIR")).join("../games");
    let config = ServeConfig {
        game_roots: vec![games],
        classic_client: Some(browser_dir().join("node_modules/homegames-web")),
        ..ServeConfig::default()
    };
    rt.spawn(serve(listener, config));
    let shots = tempfile_dir();
    let out = Command::new("node")
        .arg(browser_dir().join("classic.js"))
        .arg(format!("http://homegames.test:{port}"))
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

fn install_packages() {
    if !browser_dir().join("node_modules/playwright-core").is_dir() || !browser_dir().join("node_modules/homegames-web").is_dir() {
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts", "--loglevel=error"])
            .current_dir(browser_dir())
            .status()
            .expect("npm (install Node.js and npm)")
            .success();
        assert!(ok, "npm install failed in {}", browser_dir().display());
    }
}

#[test]
fn two_browsers_play_tap_race() {
    let chromium = chromium();
    install_packages();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let games = Path::new(env!("CARGO_MANIFEST_DIR")).join("../games");
    rt.spawn(serve(listener, ServeConfig { game_roots: vec![games], idle_timeout: Duration::from_secs(5), ..ServeConfig::default() }));
    let shots = tempfile_dir();
    let out = Command::new("node")
        .arg(browser_dir().join("play.js"))
        .arg(format!("http://{addr}"))
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "browser test failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["p2"][1], "player1: 1", "{seen}");
    for shot in ["before.png", "after.png"] {
        let png = std::fs::read(shots.join(shot)).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 2000, "{shot} is not a real screenshot");
    }
}

fn tempfile_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("homegames-browser-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Each of our example games, played by two browsers: a real picture, and frames keep coming.
#[test]
fn every_example_game_plays_in_the_browser() {
    let chromium = chromium();
    install_packages();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let games = Path::new(env!("CARGO_MANIFEST_DIR")).join("../games");
    rt.spawn(serve(listener, ServeConfig { game_roots: vec![games], ..ServeConfig::default() }));
    let shots = tempfile_dir();
    let out = Command::new("node").arg(browser_dir().join("tour.js")).arg(format!("http://{addr}")).arg(&shots).env("CHROMIUM", &chromium).output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    for game in ["tap-race", "star-chase", "high-card", "garden-walk", "balloon-pop"] {
        assert!(seen.get(game).is_some(), "{game} was not played: {seen}");
    }
}
