//! The JavaScript that ships inside the runtime, and reading a game's own files.

use std::path::Path;

use crate::error::RuntimeError;

/// Our own modules, at virtual paths under `/.homegames/` (and `/common/` for the helpers real
/// games import from outside their folder).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("/.homegames/driver.js", include_str!("../js/driver.js")),
    ("/.homegames/platform.js", include_str!("../js/platform.js")),
    ("/.homegames/buffer.js", include_str!("../js/buffer.js")),
    (
        "/.homegames/array_sort.js",
        include_str!("../js/array_sort.js"),
    ),
    (
        "/.homegames/squishjs/index.js",
        include_str!("../js/squishjs/index.js"),
    ),
    (
        "/.homegames/squishjs/nodes.js",
        include_str!("../js/squishjs/nodes.js"),
    ),
    (
        "/.homegames/squishjs/utils.js",
        include_str!("../js/squishjs/utils.js"),
    ),
    (
        "/.homegames/squishjs/game.js",
        include_str!("../js/squishjs/game.js"),
    ),
    (
        "/.homegames/squishjs/squisher.js",
        include_str!("../js/squishjs/squisher.js"),
    ),
    (
        "/.homegames/squishjs/palette.json",
        include_str!("../js/squishjs/palette.json"),
    ),
    ("/common/index.js", include_str!("../js/common/index.js")),
    ("/common/Deck.js", include_str!("../js/common/Deck.js")),
    (
        "/common/player-settings.js",
        include_str!("../js/common/player-settings.js"),
    ),
    (
        "/common/util/index.js",
        include_str!("../js/common/util/index.js"),
    ),
    (
        "/common/util/dictionary.js",
        include_str!("../js/common/util/dictionary.js"),
    ),
    (
        "/common/util/words.json",
        include_str!("../js/common/util/words.json"),
    ),
    (
        "/common/util/cache.js",
        include_str!("../js/common/util/cache.js"),
    ),
    (
        "/common/util/animations.js",
        include_str!("../js/common/util/animations.js"),
    ),
    (
        "/common/util/name-generator.js",
        include_str!("../js/common/util/name-generator.js"),
    ),
    (
        "/common/util/charades-generator.js",
        include_str!("../js/common/util/charades-generator.js"),
    ),
    (
        "/common/util/report-bug.js",
        include_str!("../js/common/util/report-bug.js"),
    ),
];

pub use game_files::read_regular_file;
use game_files::{MAX_FILES, MAX_FILE_BYTES as MAX_FILE, MAX_TOTAL_BYTES as MAX_TOTAL};

pub struct GameFile {
    /// Path relative to the game folder, with `/` separators.
    pub relative: String,
    pub text: String,
}

/// Every `.js` and `.json` file under `dir`, in a stable order. Only regular files are read; links
/// (to files or folders) are skipped, and a `.js`/`.json` entry that is a FIFO, socket or device is
/// a load error (it would block or never end).
pub fn read_game(dir: &Path) -> Result<Vec<GameFile>, RuntimeError> {
    let bad = |m: String| RuntimeError::GameDir(dir.to_path_buf(), m);
    if !std::fs::symlink_metadata(dir.join("index.js")).is_ok_and(|m| m.file_type().is_file()) {
        return Err(bad(
            "no index.js (a game's entry point; it must be a regular file, not a link)".into(),
        ));
    }
    let too_big = || {
        bad(format!(
            "the game is larger than {} MB or {MAX_FILES} files",
            MAX_TOTAL >> 20
        ))
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    // The one walk of a game folder (game-files): links are not followed, so none leads out.
    let entries = game_files::walk(dir).map_err(|e| bad(e.to_string()))?;
    for e in entries {
        let ext = e.path.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "js" && ext != "json" {
            continue;
        }
        let rel = e.relative;
        if files.len() >= MAX_FILES {
            return Err(too_big());
        }
        let bytes = read_regular_file(&e.path, MAX_FILE).map_err(|err| match err.kind() {
            std::io::ErrorKind::InvalidData => bad(format!(
                "{rel} is {err}: a file may have at most {} MB",
                MAX_FILE >> 20
            )),
            _ => bad(format!("{rel}: {err}")),
        })?;
        total += bytes.len() as u64;
        if total > MAX_TOTAL {
            return Err(too_big());
        }
        let text = String::from_utf8(bytes).map_err(|e| bad(format!("{rel}: {e}")))?;
        files.push(GameFile {
            relative: rel,
            text,
        });
    }
    Ok(files)
}
