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

#[test]
fn two_browsers_play_tap_race() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "{chromium} is missing: install it with `apt-get install chromium` (or set CHROMIUM)");
    if !browser_dir().join("node_modules/playwright-core").is_dir() {
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts", "--loglevel=error"])
            .current_dir(browser_dir())
            .status()
            .expect("npm (install Node.js and npm)")
            .success();
        assert!(ok, "npm install of playwright-core failed in {}", browser_dir().display());
    }
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
    let d = std::env::temp_dir().join(format!("homegames-browser-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
