//! Containment on the host side (issue 9): each test is the hostile case that broke a rule.
//! Game folders are read as regular files only; assets and bundles are capped; a client's frame
//! queue is bounded and frames have a size cap; connections must say `ready` in time; sessions
//! are capped per host and per address, spectators per session; a seat goes back only to the
//! holder of its secret.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use host::server::assets::{self, AssetSources, MAX_ASSETS, MAX_ASSET_BYTES, MAX_BUNDLE_BYTES};
use host::server::ServeConfig;
use tokio_tungstenite::tungstenite::Message;

/// Runs `f` on its own thread; panics if it has not returned in 30 s (it would block forever
/// before the rule).
fn without_blocking<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{what} blocked"))
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn read_regular_file_refuses_links_fifos_devices_and_oversize_files() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("ok.txt"), b"fine").unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", p.join("env")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", p.join("zero")).unwrap();
    std::os::unix::fs::symlink(p.join("ok.txt"), p.join("link-to-ok")).unwrap();
    mkfifo(&p.join("fifo"));
    std::fs::File::create(p.join("big"))
        .unwrap()
        .set_len(1001)
        .unwrap();
    let dir = p.to_path_buf();
    let results = without_blocking("read_regular_file", move || {
        let read = |name: &str| js_runtime::read_regular_file(&dir.join(name), 1000);
        (
            read("ok.txt").ok(),
            ["env", "zero", "link-to-ok", "fifo", "big"].map(|n| read(n).is_err()),
            js_runtime::read_regular_file(Path::new("/dev/zero"), 1000).is_err(),
        )
    });
    assert_eq!(results.0.as_deref(), Some(&b"fine"[..]));
    assert_eq!(
        results.1, [true; 5],
        "env, zero, link-to-ok, fifo, big must be refused"
    );
    assert!(
        results.2,
        "a device, even named directly, is not a regular file"
    );
}

#[test]
fn a_fifo_or_link_among_a_games_files_is_a_load_error_not_a_hang() {
    let d = tempfile::tempdir().unwrap();
    let game = d.path().join("fifo-game");
    std::fs::create_dir(&game).unwrap();
    std::fs::write(game.join("index.js"), "class G {}; module.exports = G;").unwrap();
    mkfifo(&game.join("x.js"));
    let dir = game.clone();
    let loaded = without_blocking("loading a game with a FIFO", move || {
        js_runtime::GameSession::load(&dir, &js_runtime::SessionConfig::default())
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    let err = loaded.expect_err("a FIFO named x.js must not load");
    assert!(
        err.contains("x.js") && err.contains("not a regular file"),
        "{err}"
    );

    // An index.js that is a link (to a device) is no entry point.
    let linked = d.path().join("linked-game");
    std::fs::create_dir(&linked).unwrap();
    std::os::unix::fs::symlink("/dev/zero", linked.join("index.js")).unwrap();
    let loaded = without_blocking("loading a linked index.js", move || {
        js_runtime::GameSession::load(&linked, &js_runtime::SessionConfig::default())
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    assert!(loaded
        .expect_err("a linked index.js must not load")
        .contains("no index.js"));
}

fn declare(ids: &[(&str, &str)]) -> serde_json::Value {
    let assets: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .map(|(key, id)| {
            (
                key.to_string(),
                serde_json::json!({"info": {"id": id, "type": "image"}}),
            )
        })
        .collect();
    serde_json::json!({ "assets": assets })
}

#[test]
fn host_files_never_reach_players_as_assets() {
    let d = tempfile::tempdir().unwrap();
    let game = d.path().join("g");
    std::fs::create_dir_all(game.join("assets")).unwrap();
    std::fs::write(game.join("assets/ok.png"), b"real png").unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", game.join("assets/env.png")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", game.join("assets/passwd.png")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", game.join("assets/z.png")).unwrap();
    mkfifo(&game.join("assets/f.png"));
    std::fs::File::create(game.join("assets/big.png"))
        .unwrap()
        .set_len(MAX_ASSET_BYTES + 1)
        .unwrap();
    // The asset folder source and the HTTP cache are read the same way.
    let folder = d.path().join("shared");
    let cache = d.path().join("cache");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&cache).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", folder.join("folder-env")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", cache.join("cache-env")).unwrap();
    mkfifo(&cache.join("cache-fifo"));
    // With no service reachable, only the cache could answer.
    let sources = AssetSources {
        folder: Some(folder),
        url: Some("http://127.0.0.1:9/assets".into()),
        cache: Some(cache),
    };
    let meta = declare(&[
        ("ok", "ok.png"),
        ("env", "env.png"),
        ("passwd", "passwd.png"),
        ("zero", "z.png"),
        ("fifo", "f.png"),
        ("big", "big.png"),
        ("folderenv", "folder-env"),
        ("cacheenv", "cache-env"),
        ("cachefifo", "cache-fifo"),
    ]);
    let g = game.clone();
    let bundle = without_blocking("building the bundle", move || {
        assets::bundle(&g, &sources, &meta)
    })
    .expect("a bundle");
    let got = records(&bundle);
    assert_eq!(got.len(), 9);
    for (key, len) in &got {
        let want = if key == "ok" { 8 } else { 0 };
        assert_eq!(*len, want, "asset {key} must be {want} bytes");
    }

    // `assets/` itself may not be a link (to a folder of host files).
    let linked = d.path().join("linked");
    std::fs::create_dir(&linked).unwrap();
    let outside = d.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret.png"), b"host file").unwrap();
    std::os::unix::fs::symlink(&outside, linked.join("assets")).unwrap();
    assert!(
        assets::load(&linked, "secret.png").is_empty(),
        "assets/ as a link is not followed"
    );
    assert!(
        assets::load(&game, "../g/assets/ok.png").is_empty(),
        "an id that is not a plain name is refused"
    );
    assert_eq!(assets::load(&game, "ok.png"), b"real png");
}

#[test]
fn one_file_under_many_keys_cannot_grow_the_bundle_past_its_caps() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("assets")).unwrap();
    std::fs::write(d.path().join("assets/m.png"), vec![7u8; 1 << 20]).unwrap();
    let keys: Vec<(String, &str)> = (0..2 * MAX_ASSETS)
        .map(|i| (format!("k{i}"), "m.png"))
        .collect();
    let keys: Vec<(&str, &str)> = keys.iter().map(|(k, id)| (k.as_str(), *id)).collect();
    let bundle = assets::bundle(d.path(), &AssetSources::default(), &declare(&keys)).unwrap();
    let got = records(&bundle);
    assert_eq!(got.len(), MAX_ASSETS, "at most {MAX_ASSETS} records");
    assert!(
        bundle.len() <= MAX_BUNDLE_BYTES + 44 * MAX_ASSETS,
        "bundle is {} bytes",
        bundle.len()
    );
    let full = got.iter().filter(|(_, len)| *len == 1 << 20).count();
    assert_eq!(
        full,
        MAX_BUNDLE_BYTES / ((1 << 20) + 44),
        "assets fill the bundle up to its cap; the rest are empty"
    );
}

/// A game whose every tick makes a frame of about 300 KB.
const FLOOD_GAME: &str = r#"
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-135');
class Flood extends Game {
    static metadata() { return { squishVersion: '135', name: 'Flood', tickRate: 60 }; }
    constructor() {
        super();
        this.n = 0;
        this.base = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.WHITE });
        this.text = new GameNode.Text({ textInfo: { text: 'x', x: 1, y: 1, size: 1, color: Colors.COLORS.BLACK } });
        this.base.addChildren(this.text);
        this.big = 'x'.repeat(100000);
    }
    tick() {
        this.n += 1;
        this.text.node.text = Object.assign({}, this.text.node.text, { text: this.big + this.n });
        this.base.node.onStateChange();
    }
    getLayers() { return [{ root: this.base }]; }
}
module.exports = Flood;
"#;

/// A game whose frame is small, then about 90 KB after one click, then small again after another.
const BIG_ON_CLICK_GAME: &str = r#"
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-135');
class BigOnClick extends Game {
    static metadata() { return { squishVersion: '135', name: 'Big on click', tickRate: 1 }; }
    constructor() {
        super();
        this.clicks = 0;
        this.base = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.WHITE,
            onClick: () => this.click() });
        this.text = new GameNode.Text({ textInfo: { text: 'small 0', x: 1, y: 1, size: 1, color: Colors.COLORS.BLACK } });
        this.base.addChildren(this.text);
    }
    click() {
        this.clicks += 1;
        const text = this.clicks % 2 === 1 ? 'big' + 'y'.repeat(30000) : 'small ' + this.clicks;
        this.text.node.text = Object.assign({}, this.text.node.text, { text });
        this.base.node.onStateChange();
    }
    getLayers() { return [{ root: this.base }]; }
}
module.exports = BigOnClick;
"#;

fn games_with(name: &str, source: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(name)).unwrap();
    std::fs::write(d.path().join(name).join("index.js"), source).unwrap();
    d
}

fn players_of(sessions: &str, session: &str) -> Option<Vec<u64>> {
    let body = sessions.split("\r\n\r\n").nth(1)?;
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let s = v.as_array()?.iter().find(|s| s["id"] == session)?;
    Some(
        s["players"]
            .as_array()?
            .iter()
            .filter_map(|p| p.as_u64())
            .collect(),
    )
}

/// A client that never reads is disconnected once its frame queue is full, counted in frames, in
/// its bytes or in the bytes of the whole session; the session goes on.
#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_never_reads_is_dropped_not_buffered() {
    never_reads(ServeConfig {
        frame_queue: 8,
        ..ServeConfig::default()
    })
    .await;
    never_reads(ServeConfig {
        frame_queue: 100_000,
        max_queued_bytes: 1 << 20,
        ..ServeConfig::default()
    })
    .await;
    never_reads(ServeConfig {
        frame_queue: 100_000,
        max_queued_bytes: usize::MAX,
        max_session_queued_bytes: 1 << 20,
        ..ServeConfig::default()
    })
    .await;
}

async fn never_reads(limits: ServeConfig) {
    let games = games_with("flood", FLOOD_GAME);
    let addr = start_with(ServeConfig {
        game_roots: vec![repo_games(), games.path().to_path_buf()],
        idle_timeout: Duration::from_secs(120),
        reconnect_grace: Duration::ZERO,
        ..limits
    })
    .await;
    let session = session_of(&addr, "flood").await;
    let mut slow = connect(&addr, &session).await;
    assert_eq!(ready(&mut slow).await[..2], [2, 1]);
    assert_eq!(
        players_of(&http_get(&addr, "/api/sessions").await, &session),
        Some(vec![1])
    );
    // From here the client reads nothing: about 18 MB a second pile up unless the server drops it.
    let mut dropped = false;
    for _ in 0..600 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if players_of(&http_get(&addr, "/api/sessions").await, &session) == Some(vec![]) {
            dropped = true;
            break;
        }
    }
    assert!(dropped, "the slow client still holds its seat after 60 s");
    // Its socket ends (after what the kernel had buffered); a close frame, if it made it, says why.
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match slow.next().await {
                Some(Ok(Message::Close(Some(f)))) => {
                    return Some((u16::from(f.code), f.reason.to_string()))
                }
                None | Some(Err(_)) | Some(Ok(Message::Close(None))) => return None,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("the dropped client's socket ends");
    if let Some((code, reason)) = ended {
        assert_eq!(code, 1008, "{reason}");
        assert!(reason.contains("slow client"), "{reason}");
    }
    // The session itself goes on: a new player gets frames.
    let mut next = connect(&addr, &session).await;
    assert_eq!(ready(&mut next).await[0], 2);
    assert_eq!(next_binary(&mut next).await[0], 3);
}

/// Reads frames until one shows `want`; returns the largest frame seen on the way.
async fn largest_frame_until(ws: &mut Socket, want: &str) -> usize {
    let v: squish::SquishVersion = "135".parse().unwrap();
    let mut largest = 0;
    loop {
        let b = next_binary(ws).await;
        if b.first() != Some(&3) {
            continue;
        }
        largest = largest.max(b.len());
        if b.len() < 10_000
            && texts(&squish::decode(v, &b).unwrap())
                .iter()
                .any(|t| t == want)
        {
            return largest;
        }
    }
}

async fn play_big_on_click(max_frame_bytes: usize, big_arrives: bool) -> usize {
    let games = games_with("big-on-click", BIG_ON_CLICK_GAME);
    let addr = start_with(ServeConfig {
        game_roots: vec![repo_games(), games.path().to_path_buf()],
        max_frame_bytes,
        ..ServeConfig::default()
    })
    .await;
    let session = session_of(&addr, "big-on-click").await;
    let mut ws = connect(&addr, &session).await;
    assert_eq!(ready(&mut ws).await[0], 2);
    largest_frame_until(&mut ws, "small 0").await;
    send(&mut ws, r#"{"type":"click","data":{"x":50,"y":50}}"#).await;
    let mut largest = 0;
    if big_arrives {
        while largest <= 80_000 {
            largest = largest.max(next_binary(&mut ws).await.len());
        }
    } else {
        // Give the session time to make the big frame before the next click (a missed frame would
        // only make this half of the test weaker, never fail it).
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    send(&mut ws, r#"{"type":"click","data":{"x":50,"y":50}}"#).await;
    let largest = largest.max(largest_frame_until(&mut ws, "small 2").await);
    drop(games);
    largest
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frame_over_the_cap_is_not_sent_and_the_game_goes_on() {
    // Without a tight cap the big frame (about 90 KB) arrives ...
    assert!(play_big_on_click(4 << 20, true).await > 80_000);
    // ... with a 50 KB cap it is dropped, and the next frame that fits comes through.
    assert!(play_big_on_click(50_000, false).await <= 50_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_that_never_says_ready_is_closed() {
    let addr = start_with(ServeConfig {
        game_roots: vec![repo_games()],
        ready_timeout: Duration::from_millis(300),
        ..ServeConfig::default()
    })
    .await;
    let session = session_of(&addr, "tap-race").await;
    let mut idle = connect(&addr, &session).await;
    // Chatter that is not `ready` does not keep it open.
    send(&mut idle, r#"{"type":"click","data":{"x":1,"y":1}}"#).await;
    let (code, reason) = closed(&mut idle).await;
    assert_eq!(code, 1008, "{reason}");
    assert!(reason.contains("no ready"), "{reason}");
    // A connection that says ready in time plays.
    let mut ws = connect(&addr, &session).await;
    assert_eq!(ready(&mut ws).await[..2], [2, 1]);
}

/// `GET path` from a given local address; returns (status, body as JSON if it is JSON).
async fn get_from(local: &str, addr: &str, path: &str) -> (u16, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
    let mut s = socket.connect(addr.parse().unwrap()).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("");
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_are_capped_per_address_and_per_host() {
    let addr = start_with(ServeConfig {
        game_roots: vec![repo_games()],
        max_sessions: 3,
        max_sessions_per_address: 2,
        ..ServeConfig::default()
    })
    .await;
    assert_eq!(get_from("127.0.0.1", &addr, "/new/tap-race").await.0, 303);
    assert_eq!(get_from("127.0.0.1", &addr, "/new/tap-race").await.0, 303);
    // A third from the same address: 429, with a body that says why.
    let (status, body) = get_from("127.0.0.1", &addr, "/new/tap-race").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "too_many_sessions", "{body}");
    assert_eq!(body["limit"], 2);
    assert!(
        body["error"].as_str().unwrap().contains("2 sessions"),
        "{body}"
    );
    // Joining a running session is not starting one: /play still answers.
    assert_eq!(get_from("127.0.0.1", &addr, "/play/tap-race").await.0, 303);
    // Another address may start one; then the host is full for everyone: 503.
    assert_eq!(get_from("127.0.0.2", &addr, "/new/tap-race").await.0, 303);
    let (status, body) = get_from("127.0.0.3", &addr, "/new/tap-race").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "host_full", "{body}");
    assert_eq!(body["limit"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn spectators_have_their_own_cap() {
    let addr = start_with(ServeConfig {
        game_roots: vec![repo_games()],
        max_spectators: 2,
        ..ServeConfig::default()
    })
    .await;
    let session = session_of(&addr, "tap-race").await;
    let spectate = r#"{"type":"ready","id":null,"clientInfo":{},"spectating":true}"#;
    let mut watchers = Vec::new();
    for _ in 0..2 {
        let mut w = connect(&addr, &session).await;
        send(&mut w, spectate).await;
        assert_eq!(next_binary(&mut w).await[0], 2);
        watchers.push(w);
    }
    let mut third = connect(&addr, &session).await;
    send(&mut third, spectate).await;
    let (code, reason) = closed(&mut third).await;
    assert_eq!(code, 1013, "{reason}");
    assert!(reason.contains("2 spectators"), "{reason}");
    // Players still find seats.
    let mut player = connect(&addr, &session).await;
    assert_eq!(ready(&mut player).await[..2], [2, 3]);
}

/// A stranger who sends `ready` with a dropped player's id, bare or with a wrong secret, gets a new
/// seat; the holder, with its secret, gets its own back.
#[tokio::test(flavor = "multi_thread")]
async fn a_seat_goes_back_only_to_the_holder_of_its_secret() {
    let addr = start_with(ServeConfig {
        game_roots: vec![repo_games()],
        reconnect_grace: Duration::from_secs(30),
        ..ServeConfig::default()
    })
    .await;
    let session = session_of(&addr, "tap-race").await;
    let mut a = connect(&addr, &session).await;
    let (player, secret) = ready_with_secret(&mut a).await;
    assert_eq!(player, 1);
    assert_eq!(secret.len(), 32, "{secret}");
    send(&mut a, r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#).await;
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player1: 1")).await;
    a.close(None).await.unwrap();
    // Read to the end, so the server has seen the drop; then give it a moment to mark the seat away
    // (the rule holds however long that takes; the wait only makes the stranger's try a real one).
    while let Some(Ok(_)) = a.next().await {}
    drop(a);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        players_of(&http_get(&addr, "/api/sessions").await, &session),
        Some(vec![1]),
        "the seat is held for its player"
    );
    let mut stranger = connect(&addr, &session).await;
    send(&mut stranger, r#"{"type":"ready","id":1,"clientInfo":{}}"#).await;
    let init = next_binary(&mut stranger).await;
    assert_ne!(init[1], 1, "a bare ready took player 1's seat");
    // The stranger is a new player: the game adds a square and a label for it.
    let label = format!("player{}: 0", init[1]);
    let nodes = frame_where(&mut stranger, |n| texts(n).contains(&label)).await;
    assert!(
        texts(&nodes).contains(&"player1: 1".to_string()),
        "the absent player keeps its place: {:?}",
        texts(&nodes)
    );
    let wrong = format!(
        r#"{{"type":"ready","id":1,"secret":"{}","clientInfo":{{}}}}"#,
        "0".repeat(32)
    );
    let mut forger = connect(&addr, &session).await;
    send(&mut forger, &wrong).await;
    assert_ne!(
        next_binary(&mut forger).await[1],
        1,
        "a wrong secret took player 1's seat"
    );
    // The holder comes back with its secret: its id, its score.
    let mut again = connect(&addr, &session).await;
    assert_eq!(rejoin_with_secret(&mut again, 1, &secret).await, 1);
    let nodes = frame_where(&mut again, |n| !texts(n).is_empty()).await;
    assert!(
        texts(&nodes).contains(&"player1: 1".to_string()),
        "{:?}",
        texts(&nodes)
    );
    let _ = stranger.close(None).await;
}

/// Our browser client keeps the secret from the `seat` message and sends it back, with its id, in
/// the `ready` of a reconnect (run under node against a fake WebSocket: tests/client/seat_secret.js).
#[test]
fn our_client_reconnects_with_its_seat_secret() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("node")
        .arg(dir.join("tests/client/seat_secret.js"))
        .arg(dir.join("client/client.js"))
        .output()
        .expect("node runs (the browser tests need it too)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["first"]["type"], "ready");
    assert_eq!(
        seen["first"]["secret"],
        serde_json::Value::Null,
        "the first ready asks for a secret: {seen}"
    );
    assert_eq!(seen["again"]["id"], 7, "{seen}");
    assert_eq!(seen["again"]["secret"], "s3cret", "{seen}");
    assert_eq!(
        seen["stored"], r#"{"player":7,"secret":"s3cret"}"#,
        "kept for a reload of the tab: {seen}"
    );
}
