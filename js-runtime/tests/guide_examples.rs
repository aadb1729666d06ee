//! The authoring guide's complete games (`../shared/reference/squishjs-game-authoring.md`, §14),
//! extracted at test time, played in our runtime and in the Node reference, frame for frame: as
//! written (on `squish-138`, the older game-only session over the squishjs 1.3.6 oracle) and
//! moved to today's `squish-142` (the 2026 session over the 1.4.3 oracle).

use crate::compat_support;

use std::path::{Path, PathBuf};

use compat_support::{run_corpus, Corpus};

fn guide() -> PathBuf {
    let shared = match std::env::var_os("HG_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    shared.join("reference/squishjs-game-authoring.md")
}

/// Every fenced JavaScript block of the guide's "Complete, correct examples" section (§14) that
/// is a whole game: it declares its metadata and exports its class. (Earlier sections show
/// skeletons and fragments.)
fn complete_games(markdown: &str) -> Vec<String> {
    let mut games = Vec::new();
    let mut block: Option<String> = None;
    let mut in_examples = false;
    for line in markdown.lines() {
        if block.is_none() && line.starts_with("## ") {
            in_examples = line.starts_with("## 14.");
        }
        if !in_examples {
            continue;
        }
        match (&mut block, line.trim_start()) {
            (None, l) if l.starts_with("```js") => block = Some(String::new()),
            (Some(code), "```") => {
                if code.contains("static metadata()") && code.contains("module.exports") {
                    games.push(std::mem::take(code));
                }
                block = None;
            }
            (Some(code), _) => {
                code.push_str(line);
                code.push('\n');
            }
            (None, _) => {}
        }
    }
    games
}

/// Writes each game into its own folder under `dir`, on `alias` (the guide's own or another).
fn write_games(dir: &Path, games: &[String], from: &str, alias: &str) {
    for (i, code) in games.iter().enumerate() {
        let game = dir.join(format!("guide-{}", i + 1));
        std::fs::create_dir_all(&game).unwrap();
        let code = code
            .replace(&format!("'squish-{from}'"), &format!("'squish-{alias}'"))
            .replace(
                &format!("squishVersion: '{from}'"),
                &format!("squishVersion: '{alias}'"),
            );
        std::fs::write(game.join("index.js"), code).unwrap();
    }
}

fn examples() -> Vec<String> {
    let text = std::fs::read_to_string(guide())
        .unwrap_or_else(|e| panic!("the authoring guide at {}: {e}", guide().display()));
    let games = complete_games(&text);
    assert!(
        games.len() >= 2,
        "the guide's §14 has two complete games; found {}",
        games.len()
    );
    assert!(games.iter().all(|g| g.contains("require('squish-138')")));
    games
}

#[test]
fn the_guides_games_as_written() {
    let games = examples();
    let dir = tempfile::tempdir().unwrap();
    write_games(dir.path(), &games, "138", "138");
    run_corpus(&Corpus {
        name: "the authoring guide (squish-138)",
        games: dir.path().to_path_buf(),
        count: games.len(),
        harness: "harness.js",
        same_failures: true,
    });
}

#[test]
fn the_guides_games_on_todays_version() {
    let games = examples();
    let dir = tempfile::tempdir().unwrap();
    write_games(dir.path(), &games, "138", "142");
    run_corpus(&Corpus {
        name: "the authoring guide (squish-142)",
        games: dir.path().to_path_buf(),
        count: games.len(),
        harness: "harness-2026.js",
        same_failures: true,
    });
}
