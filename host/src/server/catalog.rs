//! The games a server offers: every folder with an `index.js` under the game roots, with the
//! metadata the game itself declares (read once by loading it in a throw-away isolate).

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
}

/// Lists the games under `roots` (a root that is itself a game folder counts as that one game); a
/// folder whose game does not load is skipped with a warning.
pub fn discover(roots: &[PathBuf], assets: &super::assets::AssetSources) -> Vec<GameEntry> {
    let mut out: Vec<GameEntry> = Vec::new();
    for root in roots {
        if root.join("index.js").is_file() {
            match describe(root, assets) {
                Ok(g) => out.push(g),
                Err(e) => tracing::warn!(game = %root.display(), error = %e, "game skipped"),
            }
            continue;
        }
        let Ok(entries) = std::fs::read_dir(root) else {
            tracing::warn!(root = %root.display(), "cannot read game folder");
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join("index.js").is_file()).collect();
        dirs.sort();
        for dir in dirs {
            match describe(&dir, assets) {
                Ok(g) if out.iter().any(|o| o.slug == g.slug) => tracing::warn!(slug = %g.slug, "duplicate game name skipped"),
                Ok(g) => out.push(g),
                Err(e) => tracing::warn!(game = %dir.display(), error = %e, "game skipped"),
            }
        }
    }
    out
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
    describe(dir, assets).map_err(|e| tracing::warn!(game = %dir.display(), error = %e, "game skipped")).ok()
}

/// The entry for one game folder (loads the game once to read its metadata).
pub fn entry_for(dir: &Path) -> Result<GameEntry, String> {
    describe(dir, &Default::default())
}

fn describe(dir: &Path, assets: &super::assets::AssetSources) -> Result<GameEntry, String> {
    let d = dir.to_path_buf();
    // An isolate belongs to its thread; a short-lived thread per load keeps that simple.
    let meta = std::thread::spawn(move || GameSession::load(&d, &SessionConfig::default()).map(|s| s.metadata().clone()))
        .join()
        .map_err(|_| "the loader panicked".to_string())?
        .map_err(|e| e.to_string())?;
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let slug = dir.file_name().and_then(|n| n.to_str()).unwrap_or("game").to_string();
    let byte = |v: Option<&serde_json::Value>, d: u8| v.and_then(|v| v.as_u64()).and_then(|v| u8::try_from(v).ok()).filter(|&v| v > 0).unwrap_or(d);
    let aspect = (byte(meta.pointer("/aspectRatio/x"), 16), byte(meta.pointer("/aspectRatio/y"), 9));
    let version = squish_version_of(&meta);
    let bundle = super::assets::bundle(dir, assets, &meta).map(std::sync::Arc::new);
    Ok(GameEntry { name: if text("name").is_empty() { slug.clone() } else { text("name") }, description: text("description"), slug, dir: dir.to_path_buf(), squish_version: version, aspect, bundle })
}
