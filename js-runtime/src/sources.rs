//! The JavaScript that ships inside the runtime, and reading a game's own files.

use std::path::{Path, PathBuf};

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

/// Limits from the publishing rules: a game is at most 20 MB, one file at most 5 MB.
const MAX_TOTAL: u64 = 20 << 20;
const MAX_FILE: u64 = 5 << 20;
const MAX_FILES: usize = 5000;

pub struct GameFile {
    /// Path relative to the game folder, with `/` separators.
    pub relative: String,
    pub text: String,
}

/// Reads the file at `path` only if it is a regular file of at most `max` bytes. The last path
/// component is opened with `O_NOFOLLOW` (a link is refused, not followed) and `O_NONBLOCK` (a FIFO
/// or device cannot block the open); the opened descriptor is then checked with `fstat`, so
/// directories, FIFOs, sockets and devices are refused; the size is checked before reading, and at
/// most `max + 1` bytes are ever read (a file growing while it is read is refused, not followed).
/// Callers keep intermediate components real folders themselves (plain names, checked with
/// `symlink_metadata`).
pub fn read_regular_file(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                Error::new(ErrorKind::InvalidInput, "a link, which is not followed")
            } else {
                e
            }
        })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    if meta.len() > max {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("{} bytes, more than the {max} allowed", meta.len()),
        ));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("grew past the {max} bytes allowed while read"),
        ));
    }
    Ok(out)
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
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .map_err(|e| bad(e.to_string()))?
            .filter_map(Result::ok)
            .collect();
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
            let rel = path
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            if files.len() >= MAX_FILES {
                return Err(bad("the game is larger than 20 MB or 5000 files".into()));
            }
            let bytes = read_regular_file(&path, MAX_FILE).map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => {
                    bad(format!("{rel} is {e}: a file may have at most 5 MB"))
                }
                _ => bad(format!("{rel}: {e}")),
            })?;
            total += bytes.len() as u64;
            if total > MAX_TOTAL {
                return Err(bad("the game is larger than 20 MB or 5000 files".into()));
            }
            let text = String::from_utf8(bytes).map_err(|e| bad(format!("{rel}: {e}")))?;
            files.push(GameFile {
                relative: rel,
                text,
            });
        }
    }
    Ok(files)
}
