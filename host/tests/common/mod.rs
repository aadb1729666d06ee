//! WebSocket and HTTP helpers shared by the server tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use host::server::{serve, ServeConfig};
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub fn repo_games() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../games"))
}

pub async fn start() -> String {
    start_with(ServeConfig {
        game_roots: vec![repo_games()],
        idle_timeout: Duration::from_secs(2),
        reconnect_grace: Duration::from_millis(300),
        ..ServeConfig::default()
    })
    .await
}

pub async fn start_with(config: ServeConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(serve(listener, config));
    // Wait until the lobby answers (games are discovered first).
    for _ in 0..100 {
        if http_get(&addr, "/api/games").await.contains("tap-race") {
            return addr;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

/// A tiny HTTP/1.0 GET, enough for these tests; returns the raw response.
pub async fn http_get(addr: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return String::new();
    };
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out).await;
    out
}

/// A tiny HTTP/1.0 request with extra header lines (`"Name: value"`); returns the status and body.
pub async fn http_request(addr: &str, method: &str, path: &str, headers: &[&str]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    s.write_all(format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n{extra}\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out).await;
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

pub async fn session_of(addr: &str, game: &str) -> String {
    let r = http_get(addr, &format!("/play/{game}")).await;
    let loc = r
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("location:"))
        .expect("redirect");
    loc.rsplit('/').next().unwrap().trim().to_string()
}

pub async fn connect(addr: &str, session: &str) -> Socket {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/{session}"))
        .await
        .unwrap();
    ws
}

pub async fn next_binary(ws: &mut Socket) -> Vec<u8> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Binary(b) = m {
            return b.to_vec();
        }
    }
}

/// Reads state frames until one satisfies `want` (decoded with the game's version).
pub async fn frame_where(
    ws: &mut Socket,
    want: impl Fn(&[squish::Node]) -> bool,
) -> Vec<squish::Node> {
    let v: squish::SquishVersion = "135".parse().unwrap();
    loop {
        let b = next_binary(ws).await;
        if b.first() == Some(&3) {
            let nodes = squish::decode(v, &b).unwrap();
            if want(&nodes) {
                return nodes;
            }
        }
    }
}

pub fn texts(nodes: &[squish::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| n.text.as_ref().map(|t| t.text.clone()))
        .collect()
}

pub async fn ready(ws: &mut Socket) -> Vec<u8> {
    ws.send(Message::Text(
        r#"{"type":"ready","id":null,"clientInfo":{}}"#.into(),
    ))
    .await
    .unwrap();
    next_binary(ws).await
}

/// `ready` as our client sends it (asking for a seat secret): the player id and the secret from
/// the `seat` message that follows init (and the bundle, if any).
pub async fn ready_with_secret(ws: &mut Socket) -> (u8, String) {
    ws.send(Message::Text(
        r#"{"type":"ready","id":null,"secret":null,"clientInfo":{}}"#.into(),
    ))
    .await
    .unwrap();
    let init = next_binary(ws).await;
    assert_eq!(init[0], 2, "init first");
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("the seat message in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            let v: serde_json::Value = serde_json::from_str(&t).unwrap();
            assert_eq!(v["type"], "seat", "{v}");
            assert_eq!(v["player"], init[1], "{v}");
            return (init[1], v["secret"].as_str().unwrap().to_string());
        }
    }
}

pub async fn send(ws: &mut Socket, text: &str) {
    ws.send(Message::Text(text.to_string().into()))
        .await
        .unwrap();
}

/// Comes back to seat `id` with the secret that seat was given; returns the id the server assigned.
pub async fn rejoin_with_secret(ws: &mut Socket, id: u8, secret: &str) -> u8 {
    send(
        ws,
        &format!(r#"{{"type":"ready","id":{id},"secret":"{secret}","clientInfo":{{}}}}"#),
    )
    .await;
    next_binary(ws).await[1]
}

/// One test at a time may use the Docker engine: the tests that count, list or sweep containers
/// see the whole engine, and all of them share one test binary.
pub async fn docker_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static DOCKER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    DOCKER.lock().await
}

/// Fails, saying how to get one, unless a Docker engine answers.
pub fn require_docker() {
    let ok = std::process::Command::new("docker")
        .arg("info")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "these tests need a running Docker engine: install docker.io and start dockerd (.ci/run does both)");
}

/// Waits for the server to close the socket; returns the close code and reason.
pub async fn closed(ws: &mut Socket) -> (u16, String) {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("close in time")
        {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
            Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return (0, String::new()),
            Some(Ok(_)) => {}
        }
    }
}

/// The records of a bundle: (key, data length).
pub fn records(bundle: &[u8]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 44 <= bundle.len() {
        assert_eq!(bundle[at], 1, "record start at {at}");
        let len_field: String = bundle[at + 2..at + 12]
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| b as char)
            .collect();
        let len = usize::from_str_radix(&len_field, 36).unwrap() - 32;
        let key: String = bundle[at + 12..at + 44]
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| b as char)
            .collect();
        out.push((key, len));
        at += 44 + len;
    }
    assert_eq!(at, bundle.len(), "records fill the bundle");
    out
}
