//! Our browser client (and the original one) against our server, in a real browser: Debian's
//! chromium driven by playwright-core (scripts in tests/browser/). Needs `apt-get install chromium`
//! and Node.js; the npm packages are installed at test time (scripts/install-oracle does it too).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use host::server::{serve, ServeConfig};

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn games() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../games")
}

fn chromium() -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: install it with `apt-get install chromium` (or set CHROMIUM)"
    );
    chromium
}

fn install_packages() {
    if !browser_dir().join("node_modules/playwright-core").is_dir()
        || !browser_dir().join("node_modules/homegames-web").is_dir()
    {
        let ok = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
                "--ignore-scripts",
                "--loglevel=error",
            ])
            .current_dir(browser_dir())
            .status()
            .expect("npm (install Node.js and npm)")
            .success();
        assert!(ok, "npm install failed in {}", browser_dir().display());
    }
}

/// Serves `config` on a fresh port, runs `tests/browser/<script> <base URL> <screenshot dir>`
/// (with `host` in the URL) and returns what it printed on success.
fn run_in_browser(script: &str, host: &str, config: ServeConfig) -> (String, PathBuf) {
    let chromium = chromium();
    install_packages();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(serve(listener, config));
    let shots = screenshot_dir();
    let out = Command::new("node")
        .arg(browser_dir().join(script))
        .arg(format!("http://{host}:{port}"))
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, shots)
}

fn screenshot_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("homegames-browser-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn two_browsers_play_tap_race() {
    let config = ServeConfig {
        game_roots: vec![games()],
        idle_timeout: Duration::from_secs(5),
        ..ServeConfig::default()
    };
    let (stdout, shots) = run_in_browser("play.js", "127.0.0.1", config);
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["p2"][1], "player1: 1", "{seen}");
    for shot in ["before.png", "after.png"] {
        let png = std::fs::read(shots.join(shot)).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 2000,
            "{shot} is not a real screenshot"
        );
    }
}

/// The original client against our server, beside our client: same session, input both ways,
/// the same picture. `homegames.test` is mapped to loopback inside the browser (see classic.js).
#[test]
fn the_original_client_plays_against_our_server() {
    let config = ServeConfig {
        game_roots: vec![games()],
        classic_client: Some(browser_dir().join("node_modules/homegames-web")),
        ..ServeConfig::default()
    };
    let (report, _) = run_in_browser("classic.js", "homegames.test", config);
    println!("{report}");
}

/// Each of our example games, played by two browsers: a real picture, and frames keep coming.
#[test]
fn every_example_game_plays_in_the_browser() {
    let (stdout, _) = run_in_browser(
        "tour.js",
        "127.0.0.1",
        ServeConfig {
            game_roots: vec![games()],
            ..ServeConfig::default()
        },
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    for game in [
        "tap-race",
        "star-chase",
        "high-card",
        "garden-walk",
        "balloon-pop",
        "sprite-sheet",
    ] {
        assert!(seen.get(game).is_some(), "{game} was not played: {seen}");
    }
}

/// squish 1.4's asset crop, drawn by our client: Sprite Sheet's Asset node shows one quadrant of a
/// 2x2 sheet (red, green | blue, yellow), first red, green after a click. Five points inside the
/// node's rectangle must all show that frame's colour: had the whole sheet been drawn, they would
/// fall in four different quadrants.
#[test]
fn a_spritesheet_draws_only_its_cropped_frame() {
    let (stdout, shots) = run_in_browser(
        "sprite.js",
        "127.0.0.1",
        ServeConfig {
            game_roots: vec![games()],
            ..ServeConfig::default()
        },
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    // A little room for smoothing; the points are well inside the flat frames.
    let near = |got: &serde_json::Value, want: [i64; 3]| {
        got.as_array().is_some_and(|c| {
            c.len() == 3
                && c.iter()
                    .zip(want)
                    .all(|(g, w)| g.as_i64().is_some_and(|g| (g - w).abs() <= 16))
        })
    };
    const RED: [i64; 3] = [255, 0, 0];
    const GREEN: [i64; 3] = [0, 255, 0];
    assert!(
        near(&seen["before"], RED),
        "the first frame is not red: {seen}"
    );
    assert!(
        near(&seen["after"], GREEN),
        "the click did not show the green frame: {seen}"
    );
    for (points, want) in [("beforePoints", RED), ("afterPoints", GREEN)] {
        let points = seen[points].as_object().expect("sampled points");
        assert_eq!(points.len(), 5, "{seen}");
        for (name, got) in points {
            assert!(
                near(got, want),
                "{name} shows {got}, not {want:?}: the crop was not applied: {seen}"
            );
        }
    }
    for shot in ["sprite-before.png", "sprite-after.png"] {
        let png = std::fs::read(shots.join(shot)).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{shot} is not a screenshot");
    }
}
