//! The memory of describe runs ([`crate::Containers::metadata`]): each outcome by the game
//! folder's content hash, failures included, so an unchanged folder is described once; and each
//! folder's stat signature, so asking again for an unchanged folder reads no file.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Describe runs at the same time, over all folders (and what a host's discovery asks for at once).
pub const DESCRIBE_AT_ONCE: usize = 4;

/// Caps on what a content hash (`DescribeCache::hash`) reads of one game folder: entries and bytes. A bigger folder has
/// no hash, and so no metadata in container mode (it is not listed).
pub const MAX_HASHED_ENTRIES: usize = 20_000;
pub const MAX_HASHED_BYTES: u64 = 512 << 20;
/// Outcomes a `DescribeCache` keeps; past this it starts again empty.
pub const MAX_DESCRIBED: usize = 4096;

/// The outcomes of describe runs by game-folder content hash (`Containers::metadata`), failures
/// included, and each folder's last stat signature with its content hash, so that asking again for
/// an unchanged folder reads no file (one walk and a stat per entry).
#[derive(Default)]
pub struct DescribeCache {
    /// Keys of this process's hashes: random per process, so nobody can make two folders collide.
    keys: (std::hash::RandomState, std::hash::RandomState),
    outcomes: Mutex<HashMap<u128, Result<serde_json::Value, String>>>,
    /// Folder -> (stat signature, content hash).
    signatures: Mutex<HashMap<PathBuf, (u128, u128)>>,
    /// One gate per hash being described: requests for the same new folder wait for the one run.
    running: Mutex<HashMap<u128, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    /// Describe runs at the same time, over all folders.
    slots: DescribeSlots,
}

/// The semaphore bounding describe runs (`DESCRIBE_AT_ONCE`).
pub struct DescribeSlots(pub tokio::sync::Semaphore);

impl Default for DescribeSlots {
    fn default() -> Self {
        DescribeSlots(tokio::sync::Semaphore::new(DESCRIBE_AT_ONCE))
    }
}

impl DescribeCache {
    /// The content hash of `dir` (see `walk`), from the stat signature when that is unchanged.
    pub fn hash(&self, dir: &Path) -> Result<u128, String> {
        let signature = self.walk(dir, false)?;
        if let Some((sig, hash)) = self.signatures.lock().unwrap().get(dir) {
            if *sig == signature {
                return Ok(*hash);
            }
        }
        let hash = self.walk(dir, true)?;
        let mut signatures = self.signatures.lock().unwrap();
        if signatures.len() >= MAX_DESCRIBED {
            signatures.clear();
        }
        signatures.insert(dir.to_path_buf(), (signature, hash));
        Ok(hash)
    }

    /// The gate for describing `hash`: hold it while checking the cache and running, so one run
    /// answers every request for the same content that arrives meanwhile.
    pub fn gate(&self, hash: u128) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        self.running
            .lock()
            .unwrap()
            .entry(hash)
            .or_default()
            .clone()
    }

    /// Drops the gate of `hash` once its outcome is remembered (later requests find the outcome).
    pub fn ungate(&self, hash: u128) {
        self.running.lock().unwrap().remove(&hash);
    }

    /// A slot for one describe run; at most `DESCRIBE_AT_ONCE` are out.
    pub async fn slot(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.slots
            .0
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    pub fn get(&self, hash: u128) -> Option<Result<serde_json::Value, String>> {
        self.outcomes.lock().unwrap().get(&hash).cloned()
    }

    pub fn put(&self, hash: u128, outcome: Result<serde_json::Value, String>) {
        let mut outcomes = self.outcomes.lock().unwrap();
        if outcomes.len() >= MAX_DESCRIBED {
            outcomes.clear();
        }
        outcomes.insert(hash, outcome);
    }

    /// Outcomes remembered.
    pub fn len(&self) -> usize {
        self.outcomes.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hashes the tree under `dir`: every entry's relative path and kind, and for regular files
    /// their bytes (`content`) or their size, modification time and inode (not `content`: the stat
    /// signature). Links are hashed as their target's text and never followed; FIFOs, sockets and
    /// devices by kind only, never opened. Caps: `MAX_HASHED_ENTRIES`, `MAX_HASHED_BYTES`.
    fn walk(&self, dir: &Path, content: bool) -> Result<u128, String> {
        let mut hashers = (self.keys.0.build_hasher(), self.keys.1.build_hasher());
        let mut feed = |bytes: &[u8]| {
            hashers.0.write(bytes);
            hashers.1.write(bytes);
        };
        let (mut entries, mut bytes) = (0usize, 0u64);
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            let mut children: Vec<_> = std::fs::read_dir(dir.join(&rel))
                .map_err(|e| format!("{}: {e}", dir.join(&rel).display()))?
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .filter(|n| n != ".git")
                .collect();
            children.sort();
            for name in children {
                entries += 1;
                if entries > MAX_HASHED_ENTRIES {
                    return Err(format!(
                        "the game folder has more than {MAX_HASHED_ENTRIES} entries"
                    ));
                }
                let rel = rel.join(&name);
                let path = dir.join(&rel);
                let meta = std::fs::symlink_metadata(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let kind = meta.file_type();
                feed(rel.as_os_str().as_encoded_bytes());
                feed(&[0]);
                if kind.is_dir() {
                    feed(b"d");
                    stack.push(rel);
                } else if kind.is_symlink() {
                    feed(b"l");
                    feed(
                        std::fs::read_link(&path)
                            .map_err(|e| format!("{}: {e}", path.display()))?
                            .as_os_str()
                            .as_encoded_bytes(),
                    );
                } else if kind.is_file() {
                    bytes += meta.len();
                    if bytes > MAX_HASHED_BYTES {
                        return Err(format!(
                            "the game folder holds more than {} MiB",
                            MAX_HASHED_BYTES >> 20
                        ));
                    }
                    feed(b"f");
                    feed(&meta.len().to_le_bytes());
                    if content {
                        feed(&read_regular(&path, meta.len())?);
                    } else {
                        use std::os::unix::fs::MetadataExt;
                        feed(&meta.mtime().to_le_bytes());
                        feed(&meta.mtime_nsec().to_le_bytes());
                        feed(&meta.ino().to_le_bytes());
                    }
                } else {
                    feed(b"s");
                }
                feed(&[0]);
            }
        }
        Ok((hashers.0.finish() as u128) << 64 | hashers.1.finish() as u128)
    }
}

/// The bytes of the regular file at `path` whose size was `len`: opened without blocking (a file
/// swapped for a FIFO since it was listed does not hang the host), checked to be a regular file
/// still, and read no further than `len`.
fn read_regular(path: &Path, len: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000;
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .map_err(err)?;
    if !file.metadata().map_err(err)?.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    let mut out = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut out).map_err(err)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_sees_content_not_times_and_follows_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let game = dir.path();
        std::fs::write(game.join("index.js"), "module.exports = 1;").unwrap();
        std::fs::create_dir(game.join("assets")).unwrap();
        std::fs::write(game.join("assets/a.txt"), "aaaa").unwrap();
        let cache = DescribeCache::default();
        let h1 = cache.hash(game).unwrap();
        assert_eq!(
            cache.hash(game).unwrap(),
            h1,
            "an unchanged folder keeps its hash"
        );

        // Same size, and the modification time put back: the content differs, so does the hash.
        let before = std::fs::metadata(game.join("assets/a.txt"))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::write(game.join("assets/a.txt"), "bbbb").unwrap();
        std::fs::File::options()
            .write(true)
            .open(game.join("assets/a.txt"))
            .unwrap()
            .set_modified(before)
            .unwrap();
        let h2 = DescribeCache {
            keys: cache.keys.clone(),
            ..Default::default()
        }
        .hash(game)
        .unwrap();
        assert_ne!(h2, h1);

        // A link to a device and a FIFO: hashed by what they are, never opened (this returns).
        std::os::unix::fs::symlink("/dev/zero", game.join("assets/zero.png")).unwrap();
        let fifo = game.join("x.js");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let h3 = cache.hash(game).unwrap();
        assert_ne!(h3, h2);
        std::fs::remove_file(&fifo).unwrap();
        std::fs::remove_file(game.join("assets/zero.png")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", game.join("assets/zero.png")).unwrap();
        assert_ne!(
            cache.hash(game).unwrap(),
            h3,
            "a link's target is part of the hash"
        );
    }

    #[test]
    fn a_folder_past_the_caps_has_no_hash() {
        let dir = tempfile::tempdir().unwrap();
        let big = std::fs::File::create(dir.path().join("big.bin")).unwrap();
        big.set_len(MAX_HASHED_BYTES + 1).unwrap();
        let err = DescribeCache::default().hash(dir.path()).unwrap_err();
        assert!(err.contains("512 MiB"), "{err}");
    }

    #[test]
    fn outcomes_are_remembered_failures_included_and_bounded() {
        let cache = DescribeCache::default();
        cache.put(1, Err("it threw".into()));
        cache.put(2, Ok(serde_json::json!({"name": "x"})));
        assert_eq!(cache.get(1), Some(Err("it threw".into())));
        assert_eq!(cache.get(2).unwrap().unwrap()["name"], "x");
        for i in 0..(MAX_DESCRIBED as u128 + 10) {
            cache.put(100 + i, Err(String::new()));
        }
        assert!(cache.len() <= MAX_DESCRIBED);
    }
}
