//! The asset bundle (message type 1): every asset a game declares in `metadata().assets`, with its
//! bytes from the game's own `assets/` folder, else from the configured sources (a folder of files
//! named by id, or an HTTP asset service such as the api's `/assets/{id}`, cached on disk), or
//! empty when there is none (with no network an asset loads as empty and the game still runs).
//! Record layout, per asset:
//! `1, type (image 1, audio 2, font 3, other 0), 10 bytes: base-36 of (length + 32), 32 bytes: the
//! key's UTF-16 units as bytes, NUL-padded, then the data`. The length field is left-aligned and
//! NUL-padded up to squishjs 1.3.x (`"z\0\0…"`), right-aligned and `'0'`-padded from 1.4.x
//! (`"000000000z"`), as each version's Squisher writes it.
//!
//! Containment: an asset is read only from a regular file (no link followed, in the last component
//! or in `assets/` itself; no FIFO, socket or device), at most [`MAX_ASSET_BYTES`] of it, checked
//! before reading; a bundle holds at most [`MAX_ASSETS`] assets and [`MAX_BUNDLE_BYTES`] in all.
//! Anything refused loads as empty, with a warning.

use std::path::{Path, PathBuf};

use js_runtime::read_regular_file;
use serde_json::Value;

/// Largest asset, in bytes (the api's upload limit: 5 MB).
pub const MAX_ASSET_BYTES: u64 = 5 << 20;
/// Most assets a bundle holds; declared assets past it are left out, with a warning.
pub const MAX_ASSETS: usize = 256;
/// Largest bundle, in bytes: once it is reached, the remaining assets are sent empty.
pub const MAX_BUNDLE_BYTES: usize = 32 << 20;

/// One declared asset.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub key: String,
    pub id: String,
    pub kind: String,
}

/// The assets `metadata` declares (`{key: Asset}` serialises as `{key: {info: {id, type}}}`).
pub fn declared(metadata: &Value) -> Vec<Declared> {
    let Some(assets) = metadata.get("assets").and_then(Value::as_object) else {
        return Vec::new();
    };
    assets
        .iter()
        .map(|(key, a)| Declared {
            key: key.clone(),
            id: a
                .pointer("/info/id")
                .and_then(Value::as_str)
                .unwrap_or(key)
                .to_string(),
            kind: a
                .pointer("/info/type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
        .collect()
}

/// Where assets a game declares but does not ship come from.
#[derive(Debug, Clone, Default)]
pub struct AssetSources {
    /// A folder of files named by asset id.
    pub folder: Option<PathBuf>,
    /// An HTTP asset service: `GET <url>/<id>` answers the bytes (the api's `/assets`).
    pub url: Option<String>,
    /// Where fetched assets are kept, so each is fetched once (also across restarts).
    pub cache: Option<PathBuf>,
}

/// The bytes of an asset: `<game>/assets/<id>`, else `<folder>/<id>`, else the HTTP service
/// (through the cache), else empty (an asset that cannot be had loads as empty, as with no network).
pub fn load_from(game_dir: &Path, sources: &AssetSources, id: &str) -> Vec<u8> {
    let own = load(game_dir, id);
    if !own.is_empty() || !is_plain_name(id) {
        return own;
    }
    if let Some(bytes) = sources
        .folder
        .as_ref()
        .and_then(|dir| read_asset(&dir.join(id), id))
    {
        return bytes;
    }
    match &sources.url {
        Some(url) => fetch_cached(url, sources.cache.as_deref(), id).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// `GET <url>/<id>`, from the cache when it is there; a failure is logged and is `None`.
fn fetch_cached(url: &str, cache: Option<&Path>, id: &str) -> Option<Vec<u8>> {
    let cached = cache.map(|c| c.join(id));
    if let Some(bytes) = cached.as_ref().and_then(|p| read_asset(p, id)) {
        return Some(bytes);
    }
    // One agent for every fetch, so connections to the service are reused across assets.
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    let agent = AGENT.get_or_init(|| {
        ureq::AgentBuilder::new()
            .timeout(std::time::Duration::from_secs(5))
            .build()
    });
    let bytes = match agent
        .get(&format!("{}/{id}", url.trim_end_matches('/')))
        .call()
    {
        Ok(resp) => {
            let mut out = Vec::new();
            // An answer larger than an asset may be is not an asset of ours: read one byte past the
            // cap at most, and refuse it.
            std::io::Read::read_to_end(
                &mut std::io::Read::take(resp.into_reader(), MAX_ASSET_BYTES + 1),
                &mut out,
            )
            .ok()?;
            if out.len() as u64 > MAX_ASSET_BYTES {
                tracing::warn!(
                    id,
                    "asset service answered more than {MAX_ASSET_BYTES} bytes; sent empty"
                );
                return None;
            }
            out
        }
        Err(e) => {
            tracing::warn!(id, error = %e, "asset not fetched; sent empty");
            return None;
        }
    };
    if let Some(path) = cached {
        // Written beside it and renamed over it: a link planted at the cache path is replaced,
        // never written through.
        let dir = path.parent().expect("cache file has a folder");
        let _ = std::fs::create_dir_all(dir);
        let temp = dir.join(format!(".{id}.{}.part", std::process::id()));
        if let Err(e) = std::fs::write(&temp, &bytes).and_then(|_| std::fs::rename(&temp, &path)) {
            let _ = std::fs::remove_file(&temp);
            tracing::warn!(path = %path.display(), error = %e, "asset cache not written");
        }
    }
    Some(bytes)
}

/// A name with no path in it: what an asset id must be to name a file.
pub fn is_plain_name(id: &str) -> bool {
    !id.is_empty() && !id.contains('/') && !id.contains('\\') && id != "." && id != ".."
}

/// A regular file of at most [`MAX_ASSET_BYTES`]; `None` when there is none (quietly) or when it is
/// refused (a link, FIFO, device or folder, or too large: with a warning).
fn read_asset(path: &Path, id: &str) -> Option<Vec<u8>> {
    match read_regular_file(path, MAX_ASSET_BYTES) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(id, path = %path.display(), error = %e, "asset refused; sent empty");
            None
        }
    }
}

/// The bytes of an asset in the game's own folder: `<game>/assets/<id>`, if `id` is a plain name,
/// `assets/` is a real folder (not a link) and the file is a regular file within the size cap.
pub fn load(game_dir: &Path, id: &str) -> Vec<u8> {
    if !is_plain_name(id) {
        tracing::warn!(id, "asset id is not a plain file name; sent empty");
        return Vec::new();
    }
    let folder = game_dir.join("assets");
    match std::fs::symlink_metadata(&folder) {
        Ok(m) if m.file_type().is_dir() => {}
        Ok(_) => {
            tracing::warn!(id, path = %folder.display(), "assets/ is not a folder (a link is not followed); sent empty");
            return Vec::new();
        }
        Err(_) => return Vec::new(),
    }
    read_asset(&folder.join(id), id).unwrap_or_default()
}

fn to_base36(mut n: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// How a version writes the bundle's length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthField {
    /// Up to 1.3.x: the digits, then NULs.
    LeftAligned,
    /// 1.4.x: `'0'`s, then the digits.
    RightAligned,
}

impl LengthField {
    /// The layout the game's `metadata().squishVersion` asks for (the old one when unknown).
    pub fn for_metadata(metadata: &Value) -> LengthField {
        match squish::Alias::lookup(&super::catalog::squish_version_of(metadata)) {
            Some(a) if a.server >= squish::Package::V1_4_3 => LengthField::RightAligned,
            _ => LengthField::LeftAligned,
        }
    }
}

pub fn record(key: &str, kind: &str, data: &[u8]) -> Vec<u8> {
    record_with(key, kind, data, LengthField::LeftAligned)
}

pub fn record_with(key: &str, kind: &str, data: &[u8], field: LengthField) -> Vec<u8> {
    let type_byte = match kind {
        "image" => 1,
        "audio" => 2,
        "font" => 3,
        _ => 0,
    };
    let mut r = vec![1, type_byte];
    let digits = to_base36(data.len() + 32).into_bytes();
    let digits = &digits[digits.len().saturating_sub(10)..];
    match field {
        LengthField::LeftAligned => {
            r.extend_from_slice(digits);
            r.resize(2 + 10, 0);
        }
        LengthField::RightAligned => {
            r.resize(2 + 10 - digits.len(), b'0');
            r.extend_from_slice(digits);
        }
    }
    let mut k: Vec<u8> = key.encode_utf16().take(32).map(|u| u as u8).collect();
    k.resize(32, 0);
    r.extend_from_slice(&k);
    r.extend_from_slice(data);
    r
}

/// The whole bundle for a game, or `None` when it declares no assets. Asset types the old client
/// cannot skip (anything but image, audio, font) are left out. Built once per game and shared by
/// every join; at most [`MAX_ASSETS`] records and [`MAX_BUNDLE_BYTES`] bytes, however many keys
/// name the same file (an asset that would pass the byte cap is sent empty).
pub fn bundle(game_dir: &Path, sources: &AssetSources, metadata: &Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut count = 0;
    let field = LengthField::for_metadata(metadata);
    for a in declared(metadata) {
        if !matches!(a.kind.as_str(), "image" | "audio" | "font") {
            continue;
        }
        if count == MAX_ASSETS {
            tracing::warn!(game = %game_dir.display(), "more than {MAX_ASSETS} assets declared; the rest are left out");
            break;
        }
        count += 1;
        let mut data = load_from(game_dir, sources, &a.id);
        if out.len() + 44 + data.len() > MAX_BUNDLE_BYTES {
            tracing::warn!(game = %game_dir.display(), key = %a.key, "the asset bundle would pass {MAX_BUNDLE_BYTES} bytes; asset sent empty");
            data = Vec::new();
        }
        out.extend(record_with(&a.key, &a.kind, &data, field));
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_matches_the_documented_example() {
        // key `img`, 4 bytes de ad be ef: length field "10" (36 in base 36) then NULs.
        let r = record("img", "image", &[0xde, 0xad, 0xbe, 0xef]);
        let mut want = vec![1, 1, b'1', b'0', 0, 0, 0, 0, 0, 0, 0, 0, b'i', b'm', b'g'];
        want.extend(std::iter::repeat_n(0, 29));
        want.extend([0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(r, want);
    }

    #[test]
    fn from_1_4_the_length_field_is_right_aligned() {
        // The spec's example: image `img`, 3 bytes: 1.3.5 `"z"` then NULs, 1.4.x `"000000000z"`.
        let old = record("img", "image", &[7, 8, 9]);
        assert_eq!(&old[2..12], b"z\0\0\0\0\0\0\0\0\0");
        let new = record_with("img", "image", &[7, 8, 9], LengthField::RightAligned);
        assert_eq!(&new[..12], b"\x01\x01000000000z");
        assert_eq!(&new[12..], &old[12..]);
        for (version, field) in [
            ("135", LengthField::LeftAligned),
            ("138", LengthField::LeftAligned),
            ("142", LengthField::RightAligned),
            ("nonsense", LengthField::LeftAligned),
        ] {
            let meta = serde_json::json!({ "squishVersion": version });
            assert_eq!(LengthField::for_metadata(&meta), field, "{version}");
        }
    }

    #[test]
    fn declared_assets_come_from_metadata() {
        let meta =
            serde_json::json!({"assets": {"pop": {"info": {"id": "pop.wav", "type": "audio"}}}});
        assert_eq!(
            declared(&meta),
            vec![Declared {
                key: "pop".into(),
                id: "pop.wav".into(),
                kind: "audio".into()
            }]
        );
        assert!(load(Path::new("."), "../secret").is_empty());
    }

    #[test]
    fn the_asset_source_fills_in_what_a_game_does_not_ship() {
        let game = tempfile::tempdir().unwrap();
        let source = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(game.path().join("assets")).unwrap();
        std::fs::write(game.path().join("assets/own.png"), b"own").unwrap();
        std::fs::write(source.path().join("own.png"), b"theirs").unwrap();
        std::fs::write(source.path().join("shared.png"), b"shared").unwrap();
        let sources = AssetSources {
            folder: Some(source.path().to_path_buf()),
            ..Default::default()
        };
        assert_eq!(load_from(game.path(), &sources, "own.png"), b"own");
        assert_eq!(load_from(game.path(), &sources, "shared.png"), b"shared");
        assert!(load_from(game.path(), &sources, "missing.png").is_empty());
        assert!(load_from(game.path(), &sources, "../shared.png").is_empty());
    }

    /// The HTTP source: fetched once, kept in the cache, read from there when the service is gone;
    /// an asset that cannot be fetched is empty.
    #[test]
    fn assets_come_from_an_http_service_through_the_cache() {
        use std::io::{BufRead, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/assets", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = std::io::BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let mut stream = reader.into_inner();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbytes"
            )
            .unwrap();
            request_line
        });
        let game = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let sources = AssetSources {
            url: Some(url),
            cache: Some(cache.path().to_path_buf()),
            ..Default::default()
        };
        assert_eq!(load_from(game.path(), &sources, "abc123"), b"bytes");
        assert_eq!(server.join().unwrap().trim(), "GET /assets/abc123 HTTP/1.1");
        // The service is gone now: the cached copy is used; anything else loads as empty.
        assert_eq!(load_from(game.path(), &sources, "abc123"), b"bytes");
        assert!(load_from(game.path(), &sources, "not-fetched").is_empty());
        assert!(load_from(game.path(), &sources, "../escape").is_empty());
    }
}
