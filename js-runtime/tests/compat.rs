//! The real games, frame for frame. Each of the 28 games of homegames-core@1.4.3 runs under a
//! script in our runtime and in our Node reference harness (the real squishjs Squisher over the
//! game's own layers, same seed and virtual clock); every player's frames must be byte-identical.
//!
//! The script per game: two players join, clicks on clickable nodes found in the reference's own
//! frames plus one blind click at the centre, key presses, a text input where the game has one,
//! about 3.5 s of virtual time, one player leaves.
//!
//! Prints `compat: N/28 games identical` and fails below 28/28, showing the first differing frame
//! of each failing game as a decoded node diff. `COMPAT_GAME=name` runs one game;
//! `COMPAT_WORK=DIR` keeps the scripts and recordings.
//! Needs Node.js; the packages are installed at test time (scripts/install-oracle).

use crate::compat_support;

use std::path::PathBuf;
use std::process::Command;

use compat_support::{reference_dir, run_corpus, Corpus};

fn games_dir() -> PathBuf {
    reference_dir().join("node_modules/homegames-core/src/games")
}

fn ensure_installed() {
    if games_dir().is_dir() {
        return;
    }
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--ignore-scripts",
            "--loglevel=error",
        ])
        .current_dir(reference_dir())
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run npm ({e}); install Node.js and npm, or run scripts/install-oracle")
        });
    assert!(
        status.success(),
        "npm install of homegames-core@1.4.3 failed in {}",
        reference_dir().display()
    );
}

#[test]
fn real_games_frame_for_frame() {
    ensure_installed();
    run_corpus(&Corpus {
        name: "homegames-core@1.4.3",
        games: games_dir(),
        count: 28,
        harness: "harness.js",
        same_failures: false,
    });
}
