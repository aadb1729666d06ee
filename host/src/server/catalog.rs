//! The games a server offers: every folder with an `index.js` under the game roots, with the
//! metadata the game itself declares, read once by loading it: in a throw-away isolate in this
//! process (`discover`, inline isolation), or in a throw-away container (`discover_contained`,
//! container isolation: no game code runs in the host, discovery included).

use std::path::{Path, PathBuf};

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
    containers: &containment::Containers,
) -> Vec<GameEntry> {
    use futures_util::StreamExt;
    let described: Vec<(
        PathBuf,
        Result<serde_json::Value, containment::DescribeError>,
    )> = futures_util::stream::iter(game_dirs(roots))
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
    containers: &containment::Containers,
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
    containers: Option<&Result<containment::Containers, String>>,
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
    containers: Option<&Result<containment::Containers, String>>,
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

pub use containment::DESCRIBE_AT_ONCE;

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
