//! The games a server offers: every folder with an `index.js` under the game roots, with the
//! metadata the game itself declares, read once by loading it: in a throw-away isolate in this
//! process (`discover`, inline isolation), or in a throw-away container (`discover_contained`,
//! container isolation: no game code runs in the host, discovery included).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use js_runtime::{GameSession, SessionConfig};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct GameEntry {
    /// URL name: the folder name.
    pub slug: String,
    #[serde(skip)]
    pub dir: PathBuf,
    pub name: String,
    pub description: String,
    pub squish_version: String,
    /// `metadata().aspectRatio`, default 16:9.
    pub aspect: (u8, u8),
    /// The asset bundle players get on joining (message type 1), if the game declares assets.
    #[serde(skip)]
    pub bundle: Option<std::sync::Arc<Vec<u8>>>,
    /// What `metadata()` returned (the assets it declares rebuild the bundle when one is removed).
    #[serde(skip)]
    pub metadata: std::sync::Arc<serde_json::Value>,
}

/// Lists the games under `roots` (a root that is itself a game folder counts as that one game); a
/// folder whose game does not load is skipped with a warning. Loads each game in this process.
pub fn discover(roots: &[PathBuf], assets: &super::assets::AssetSources) -> Vec<GameEntry> {
    let mut out: Vec<GameEntry> = Vec::new();
    for dir in game_dirs(roots) {
        match describe(&dir, assets) {
            Ok(g) => add(&mut out, g),
            Err(e) => tracing::warn!(game = %dir.display(), error = %e, "game skipped"),
        }
    }
    out
}

/// `discover` for container isolation: each game's metadata comes from a describe run in a
/// container (`Containers::metadata`, cached by content hash), so no game code runs here.
/// Up to `DESCRIBE_AT_ONCE` runs at a time.
pub async fn discover_contained(
    roots: &[PathBuf],
    assets: &super::assets::AssetSources,
    containers: &super::container::Containers,
) -> Vec<GameEntry> {
    use futures_util::StreamExt;
    let described: Vec<(PathBuf, Result<serde_json::Value, String>)> =
        futures_util::stream::iter(game_dirs(roots))
            .map(|dir| async move {
                let meta = containers.metadata(&dir).await;
                (dir, meta)
            })
            .buffered(DESCRIBE_AT_ONCE)
            .collect()
            .await;
    let mut out: Vec<GameEntry> = Vec::new();
    for (dir, meta) in described {
        match meta {
            Ok(meta) => add(&mut out, entry_from_metadata(&dir, assets, &meta)),
            Err(e) => tracing::warn!(game = %dir.display(), error = %e, "game skipped"),
        }
    }
    out
}

/// `discover_one` for container isolation (see `discover_contained`). A folder whose game failed
/// to load before, unchanged since, is answered from the cache without a new run.
pub async fn discover_one_contained(
    dir: &Path,
    assets: &super::assets::AssetSources,
    containers: &super::container::Containers,
) -> Option<GameEntry> {
    match containers.metadata(dir).await {
        Ok(meta) => Some(entry_from_metadata(dir, assets, &meta)),
        Err(e) => {
            tracing::warn!(game = %dir.display(), error = %e, "game skipped");
            None
        }
    }
}

/// Discovery as the server does it: in this process with inline isolation (`containers` is
/// `None`), through describe runs with container isolation. When the container engine cannot be
/// used, games are listed by folder name only, from no code at all (no session starts then anyway).
pub async fn discover_for_server(
    roots: &[PathBuf],
    assets: &super::assets::AssetSources,
    containers: Option<&Result<super::container::Containers, String>>,
) -> Vec<GameEntry> {
    match containers {
        None => {
            let (roots, assets) = (roots.to_vec(), assets.clone());
            tokio::task::spawn_blocking(move || discover(&roots, &assets))
                .await
                .unwrap_or_default()
        }
        Some(Ok(c)) => discover_contained(roots, assets, c).await,
        Some(Err(_)) => {
            let mut out = Vec::new();
            for dir in game_dirs(roots) {
                add(
                    &mut out,
                    entry_from_metadata(&dir, assets, &serde_json::Value::Null),
                );
            }
            out
        }
    }
}

/// `discover_one` as the server does it (see `discover_for_server`).
pub async fn discover_one_for_server(
    dir: &Path,
    assets: &super::assets::AssetSources,
    containers: Option<&Result<super::container::Containers, String>>,
) -> Option<GameEntry> {
    match containers {
        None => {
            let (dir, assets) = (dir.to_path_buf(), assets.clone());
            tokio::task::spawn_blocking(move || discover_one(&dir, &assets))
                .await
                .ok()?
        }
        Some(Ok(c)) => discover_one_contained(dir, assets, c).await,
        Some(Err(_)) => Some(entry_from_metadata(dir, assets, &serde_json::Value::Null)),
    }
}

/// Describe runs `discover_contained` makes at the same time.
pub const DESCRIBE_AT_ONCE: usize = 4;

/// Every game folder under `roots`, in discovery order (a root that is itself a game first).
fn game_dirs(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        if root.join("index.js").is_file() {
            out.push(root.clone());
            continue;
        }
        let Ok(entries) = std::fs::read_dir(root) else {
            tracing::warn!(root = %root.display(), "cannot read game folder");
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("index.js").is_file())
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    out
}

fn add(out: &mut Vec<GameEntry>, g: GameEntry) {
    if out.iter().any(|o| o.slug == g.slug) {
        tracing::warn!(slug = %g.slug, "duplicate game name skipped");
    } else {
        out.push(g);
    }
}

/// `metadata().squishVersion` as text (a number is written out); empty when there is none.
pub fn squish_version_of(meta: &serde_json::Value) -> String {
    match meta.get("squishVersion") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

/// One game folder found after start (logged and skipped, like at start, when it does not load).
pub fn discover_one(dir: &Path, assets: &super::assets::AssetSources) -> Option<GameEntry> {
    describe(dir, assets)
        .map_err(|e| tracing::warn!(game = %dir.display(), error = %e, "game skipped"))
        .ok()
}

/// The entry for one game folder (loads the game once to read its metadata).
pub fn entry_for(dir: &Path) -> Result<GameEntry, String> {
    describe(dir, &Default::default())
}

fn describe(dir: &Path, assets: &super::assets::AssetSources) -> Result<GameEntry, String> {
    let d = dir.to_path_buf();
    // An isolate belongs to its thread; a short-lived thread per load keeps that simple.
    let meta = std::thread::spawn(move || {
        GameSession::load(&d, &SessionConfig::default()).map(|s| s.metadata().clone())
    })
    .join()
    .map_err(|_| "the loader panicked".to_string())?
    .map_err(|e| e.to_string())?;
    Ok(entry_from_metadata(dir, assets, &meta))
}

/// The entry for the game in `dir` whose `metadata()` returned `meta` (reads its asset files, runs
/// nothing).
pub fn entry_from_metadata(
    dir: &Path,
    assets: &super::assets::AssetSources,
    meta: &serde_json::Value,
) -> GameEntry {
    let text = |k: &str| {
        meta.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let slug = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("game")
        .to_string();
    let byte = |v: Option<&serde_json::Value>, d: u8| {
        v.and_then(|v| v.as_u64())
            .and_then(|v| u8::try_from(v).ok())
            .filter(|&v| v > 0)
            .unwrap_or(d)
    };
    let aspect = (
        byte(meta.pointer("/aspectRatio/x"), 16),
        byte(meta.pointer("/aspectRatio/y"), 9),
    );
    let version = squish_version_of(meta);
    let bundle = super::assets::bundle(dir, assets, meta).map(std::sync::Arc::new);
    GameEntry {
        name: if text("name").is_empty() {
            slug.clone()
        } else {
            text("name")
        },
        description: text("description"),
        slug,
        dir: dir.to_path_buf(),
        squish_version: version,
        aspect,
        bundle,
        metadata: std::sync::Arc::new(meta.clone()),
    }
}

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
