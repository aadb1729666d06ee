//! Today's games, frame for frame: the 52 games the platform serves (homegames-core's 2026-07
//! snapshot in `../shared/corpus`, all on `squish-142`) run under a script in our runtime and in
//! our Node reference, which runs the real 2026 session (`GameSession` of npm's
//! homegames-common@1.6.0) over the squishjs 1.4.3 oracle folder; every player's frames must be
//! byte-identical, and a game that fails or throws on the original must fail or throw here.
//!
//! The reference applies our one deliberate difference (a player no node names gets the shared
//! nodes, not the whole state) and counts the frames where the original would have leaked.
//! Prints `compat: N/52 games identical` and fails below 52/52. `COMPAT_GAME=name` runs one game;
//! `COMPAT_WORK=DIR` keeps the scripts and recordings. Needs Node.js and `scripts/install-oracle`.

use crate::compat_support;

use std::path::PathBuf;

use compat_support::{reference_dir, run_corpus, Corpus};

fn shared_dir() -> PathBuf {
    match std::env::var_os("HG_SHARED") {
        Some(p) => PathBuf::from(p),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

#[test]
fn todays_games_frame_for_frame() {
    let games = shared_dir().join("corpus/homegames-core-2026-07/src/games");
    assert!(
        games.is_dir(),
        "the 2026 corpus is not at {} (set HG_SHARED to the shared folder)",
        games.display()
    );
    let session = reference_dir().join("node_modules/.homegames-common-1.6.0/game-session.js");
    assert!(
        session.is_file(),
        "homegames-common@1.6.0 is not installed at {}: run scripts/install-oracle",
        session.display()
    );
    run_corpus(&Corpus {
        name: "homegames-core 2026-07",
        games,
        count: 52,
        harness: "harness-2026.js",
        same_failures: true,
    });
}
