//! A game's files as a version: checks on what may be saved, the content hash, and the blobs.

use std::path::Path;

use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{doc, Binary, Bson};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::store::{FileEntry, Store};

// The publishing limits are the runtime's: one definition, in game-files.
pub const MAX_FILE_BYTES: usize = game_files::MAX_FILE_BYTES as usize;
pub const MAX_TOTAL_BYTES: usize = game_files::MAX_TOTAL_BYTES as usize;
pub const MAX_FILES: usize = game_files::MAX_FILES;

/// A relative path of plain segments: no leading `/`, no `.` or `..`, no backslashes or control
/// characters, at most 200 bytes.
pub fn check_path(path: &str) -> Result<(), ApiError> {
    let bad = |why: &str| Err(ApiError::invalid(format!("file path {path:?} {why}")));
    if path.is_empty() || path.len() > 200 {
        return bad("must be 1-200 bytes");
    }
    if path.starts_with('/') || path.contains('\\') || path.chars().any(char::is_control) {
        return bad("must be relative, with / between folders");
    }
    if path
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return bad("must not contain empty, . or .. segments");
    }
    Ok(())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks a whole set of files and describes it: entries sorted by path, total size, and the
/// content hash (sha256 over each path and its file's sha256, in path order).
pub fn describe(files: &[(String, Vec<u8>)]) -> Result<(Vec<FileEntry>, i64, String), ApiError> {
    if files.is_empty() {
        return Err(ApiError::invalid(
            "a version needs at least one file (index.js)",
        ));
    }
    if files.len() > MAX_FILES {
        return Err(ApiError::invalid(format!(
            "a version may hold at most {MAX_FILES} files"
        )));
    }
    let mut entries = Vec::with_capacity(files.len());
    let mut total = 0usize;
    for (path, bytes) in files {
        check_path(path)?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(ApiError::TooLarge(format!(
                "{path} is {} bytes; a file may be at most 5 MB",
                bytes.len()
            )));
        }
        total += bytes.len();
        entries.push(FileEntry {
            path: path.clone(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as i64,
        });
    }
    if total > MAX_TOTAL_BYTES {
        return Err(ApiError::TooLarge(format!(
            "the files add up to {total} bytes; a version may be at most 20 MB"
        )));
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(w) = entries.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(ApiError::invalid(format!("{} appears twice", w[0].path)));
    }
    // A file cannot also be a folder: `data` and `data/inner.txt` cannot both be laid out.
    let paths: std::collections::HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    for e in &entries {
        let mut at = 0;
        while let Some(slash) = e.path[at..].find('/') {
            let folder = &e.path[..at + slash];
            if paths.contains(folder) {
                return Err(ApiError::invalid(format!(
                    "{folder} is a file, so {} cannot be inside it: rename one of them",
                    e.path
                )));
            }
            at += slash + 1;
        }
    }
    let mut h = Sha256::new();
    for e in &entries {
        h.update(e.path.as_bytes());
        h.update([0]);
        h.update(e.sha256.as_bytes());
        h.update([b'\n']);
    }
    Ok((entries, total as i64, hex::encode(h.finalize())))
}

/// Stores each file's bytes once, under its sha256 (an existing blob is left as it is).
pub async fn store_blobs(store: &Store, files: &[(String, Vec<u8>)]) -> Result<(), ApiError> {
    for (_, bytes) in files {
        let id = sha256_hex(bytes);
        let data = Bson::Binary(Binary {
            subtype: BinarySubtype::Generic,
            bytes: bytes.clone(),
        });
        store
            .blobs()
            .update_one(
                doc! {"_id": &id},
                doc! {"$setOnInsert": {"data": data, "size": bytes.len() as i64}},
            )
            .upsert(true)
            .await?;
    }
    Ok(())
}

/// The files of a version, with their bytes, in the version's (path) order.
pub async fn read_files(
    store: &Store,
    entries: &[FileEntry],
) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let mut files = Vec::with_capacity(entries.len());
    for f in entries {
        files.push((f.path.clone(), read_blob(store, &f.sha256).await?));
    }
    Ok(files)
}

/// Writes files under `dir` (made if missing). The paths were checked when the version was saved;
/// they are checked again here because they become paths on this machine.
/// Writes `files` as the game folder `root/<name>` once: through a temporary folder and a
/// rename, so the game server never sees half a game. A folder already there is kept (its name
/// says its content).
pub async fn write_game_folder(
    root: &Path,
    name: &str,
    files: &[(String, Vec<u8>)],
) -> Result<std::path::PathBuf, ApiError> {
    let target = root.join(name);
    if target.join("index.js").is_file() {
        return Ok(target);
    }
    let tmp = root.join(format!(".incoming-{}", crate::store::new_id()));
    write_files(&tmp, files).await?;
    match tokio::fs::rename(&tmp, &target).await {
        Ok(()) => Ok(target),
        // Another request wrote it first: theirs is the same content.
        Err(_) if target.join("index.js").is_file() => {
            let _ = tokio::fs::remove_dir_all(&tmp).await;
            Ok(target)
        }
        Err(e) => {
            let _ = tokio::fs::remove_dir_all(&tmp).await;
            Err(ApiError::Internal(format!("writing the game's files: {e}")))
        }
    }
}

pub async fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), ApiError> {
    let io = |e: std::io::Error| ApiError::Internal(format!("writing the game's files: {e}"));
    for (path, bytes) in files {
        check_path(path)?;
        let target = dir.join(path);
        tokio::fs::create_dir_all(target.parent().expect("a joined path has a parent"))
            .await
            .map_err(io)?;
        tokio::fs::write(&target, bytes).await.map_err(io)?;
    }
    Ok(())
}

/// The bytes of one blob.
pub async fn read_blob(store: &Store, sha256: &str) -> Result<Vec<u8>, ApiError> {
    let doc = store
        .blobs()
        .find_one(doc! {"_id": sha256})
        .await?
        .ok_or_else(|| ApiError::Internal(format!("blob {sha256} is missing")))?;
    match doc.get("data") {
        Some(Bson::Binary(b)) => Ok(b.bytes.clone()),
        _ => Err(ApiError::Internal(format!("blob {sha256} has no data"))),
    }
}
