//! The JavaScript that ships inside the runtime, and reading a game's own files.

use std::path::{Path, PathBuf};

use crate::error::RuntimeError;

/// Our own modules, at virtual paths under `/.homegames/` (and `/common/` for the helpers real
/// games import from outside their folder).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("/.homegames/driver.js", include_str!("../js/driver.js")),
    ("/.homegames/buffer.js", include_str!("../js/buffer.js")),
    ("/.homegames/squishjs/index.js", include_str!("../js/squishjs/index.js")),
    ("/.homegames/squishjs/nodes.js", include_str!("../js/squishjs/nodes.js")),
    ("/.homegames/squishjs/utils.js", include_str!("../js/squishjs/utils.js")),
    ("/.homegames/squishjs/game.js", include_str!("../js/squishjs/game.js")),
    ("/.homegames/squishjs/squisher.js", include_str!("../js/squishjs/squisher.js")),
    ("/.homegames/squishjs/palette.json", include_str!("../js/squishjs/palette.json")),
    ("/common/index.js", include_str!("../js/common/index.js")),
    ("/common/Deck.js", include_str!("../js/common/Deck.js")),
    ("/common/player-settings.js", include_str!("../js/common/player-settings.js")),
    ("/common/util/index.js", include_str!("../js/common/util/index.js")),
    ("/common/util/dictionary.js", include_str!("../js/common/util/dictionary.js")),
    ("/common/util/words.json", include_str!("../js/common/util/words.json")),
    ("/common/util/cache.js", include_str!("../js/common/util/cache.js")),
    ("/common/util/animations.js", include_str!("../js/common/util/animations.js")),
    ("/common/util/name-generator.js", include_str!("../js/common/util/name-generator.js")),
    ("/common/util/charades-generator.js", include_str!("../js/common/util/charades-generator.js")),
    ("/common/util/report-bug.js", include_str!("../js/common/util/report-bug.js")),
];

/// Limits from the publishing rules: a game is at most 20 MB, one file at most 5 MB.
const MAX_TOTAL: u64 = 20 << 20;
const MAX_FILE: u64 = 5 << 20;
const MAX_FILES: usize = 5000;

pub struct GameFile {
    /// Path relative to the game folder, with `/` separators.
    pub relative: String,
    pub text: String,
}

/// Every `.js` and `.json` file under `dir`, in a stable order.
pub fn read_game(dir: &Path) -> Result<Vec<GameFile>, RuntimeError> {
    let bad = |m: String| RuntimeError::GameDir(dir.to_path_buf(), m);
    if !dir.join("index.js").is_file() {
        return Err(bad("no index.js (a game's entry point)".into()));
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d).map_err(|e| bad(e.to_string()))?.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let ft = e.file_type().map_err(|e| bad(e.to_string()))?;
            // Links could point outside the game: they are not followed.
            if ft.is_symlink() {
                continue;
            }
            if ft.is_dir() {
                if e.file_name() != "node_modules" && e.file_name() != ".git" {
                    stack.push(path);
                }
                continue;
            }
            let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
            if ext != "js" && ext != "json" {
                continue;
            }
            let len = e.metadata().map_err(|e| bad(e.to_string()))?.len();
            let rel = path.strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
            if len > MAX_FILE {
                return Err(bad(format!("{rel} is {len} bytes, more than the 5 MB a file may have")));
            }
            total += len;
            if total > MAX_TOTAL || files.len() >= MAX_FILES {
                return Err(bad("the game is larger than 20 MB or 5000 files".into()));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| bad(format!("{rel}: {e}")))?;
            files.push(GameFile { relative: rel, text });
        }
    }
    Ok(files)
}

/// The script that registers one module: Node's classic CommonJS wrapper, so line numbers in
/// stack traces stay those of the file.
pub fn define_script(path: &str, source: &str) -> String {
    let path_js = serde_json::to_string(path).expect("string");
    if path.ends_with(".json") {
        let text_js = serde_json::to_string(source).expect("string");
        return format!("__hg_loader.defineJson({path_js}, {text_js});");
    }
    let source = source.strip_prefix("#!").map_or(source.to_string(), |rest| format!("//{rest}"));
    format!("__hg_loader.define({path_js}, function (exports, require, module, __filename, __dirname) {{{source}\n}});")
}
