//! # game-files
//!
//! Owns what a game's folder may be, for every reader of one (the runtime that loads it, the scan
//! that gates publishing, the api that stores its versions): the publishing limits (one file, the
//! whole game, the number of files), the one walk of a folder (links are never followed, so a
//! link cycle cannot loop it and a link cannot lead outside the game; `node_modules` and `.git`
//! are not part of a game; a stable order), and reading a file without following a link or
//! blocking on a FIFO or device. And what a new game starts with (`template`: the starter files
//! and the GPLv3 LICENSE every published game carries).
//!
//! Must not know about: JavaScript, squish, HTTP, storage. It depends on nothing of ours.

pub mod template;

use std::path::{Path, PathBuf};

/// Largest file of a game, in bytes.
pub const MAX_FILE_BYTES: u64 = 5 << 20;
/// Largest game, all its files together, in bytes.
pub const MAX_TOTAL_BYTES: u64 = 20 << 20;
/// Most files a game holds.
pub const MAX_FILES: usize = 500;
/// Folders below a game that are not part of it.
pub const SKIPPED_FOLDERS: [&str; 2] = ["node_modules", ".git"];

/// One entry the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    /// Relative to the walked folder, with `/` separators.
    pub relative: String,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A FIFO, socket or device: reading it could block or never end.
    Special,
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct WalkError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Every file below `dir` (not folders), sorted by relative path. Links, to files or folders,
/// are skipped and never followed; [`SKIPPED_FOLDERS`] are not entered.
pub fn walk(dir: &Path) -> Result<Vec<Entry>, WalkError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WalkError { path, source }
    };
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).map_err(err(&folder))? {
            let entry = entry.map_err(err(&folder))?;
            let path = entry.path();
            // The entry's own type: a link is a link here, never what it points at.
            let kind = entry.file_type().map_err(err(&path))?;
            if kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                let name = entry.file_name();
                if !SKIPPED_FOLDERS.iter().any(|s| name == *s) {
                    stack.push(path);
                }
                continue;
            }
            let relative = path
                .strip_prefix(dir)
                .expect("below the walked folder")
                .to_string_lossy()
                .replace('\\', "/");
            out.push(Entry {
                kind: if kind.is_file() {
                    EntryKind::File
                } else {
                    EntryKind::Special
                },
                path,
                relative,
            });
        }
    }
    out.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(out)
}

/// Reads the file at `path` only if it is a regular file of at most `max` bytes. The last path
/// component is opened with `O_NOFOLLOW` (a link is refused, not followed) and `O_NONBLOCK` (a FIFO
/// or device cannot block the open); the opened descriptor is then checked with `fstat`, so
/// folders, FIFOs, sockets and devices are refused; the size is checked before reading, and at
/// most `max + 1` bytes are ever read (a file growing while it is read is refused, not followed).
/// Callers keep intermediate components real folders themselves ([`walk`] does).
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A folder an attacker laid out: a link cycle, links out of the game, a FIFO, the folders
    /// that are not part of a game. The walk ends, follows no link and reports the FIFO.
    #[test]
    fn the_walk_follows_no_link_and_ends_on_a_cycle() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("lib/deep")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "index.js",
            "lib/a.js",
            "lib/deep/b.json",
            "node_modules/x/i.js",
            ".git/HEAD",
        ] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        symlink(root, root.join("lib/loop")).unwrap();
        symlink("/etc", root.join("etc")).unwrap();
        symlink("/etc/passwd", root.join("passwd.js")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.js"))
            .status()
            .unwrap();
        assert!(fifo.success());
        let found: Vec<(String, EntryKind)> = walk(root)
            .unwrap()
            .into_iter()
            .map(|e| (e.relative, e.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("index.js".to_string(), EntryKind::File),
                ("lib/a.js".to_string(), EntryKind::File),
                ("lib/deep/b.json".to_string(), EntryKind::File),
                ("pipe.js".to_string(), EntryKind::Special),
            ]
        );
    }

    #[test]
    fn reading_refuses_links_specials_and_oversize_files() {
        let d = tempfile::tempdir().unwrap();
        let ok = d.path().join("ok.js");
        std::fs::write(&ok, "12345").unwrap();
        assert_eq!(read_regular_file(&ok, 5).unwrap(), b"12345");
        assert!(read_regular_file(&ok, 4).is_err());
        symlink(&ok, d.path().join("link.js")).unwrap();
        assert!(read_regular_file(&d.path().join("link.js"), 100).is_err());
        assert!(read_regular_file(d.path(), 100).is_err());
        assert!(read_regular_file(Path::new("/dev/zero"), 100).is_err());
    }
}
