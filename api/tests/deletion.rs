//! Deletion that reaches the game server (finding 2 of the hostile week): after an account, a
//! game or an asset is deleted, or a game unpublished, the game leaves the server's lobby, its
//! running sessions end with a reason, its published folder goes, and a deleted asset leaves the
//! server's cache. Before, the folders stayed, the server kept listing the games, `/new/<slug>`
//! still started sessions and deleted assets stayed cached. Real services: the MongoDB-compatible
//! server, RabbitMQ, and a real game server (`homegames serve`) as a process of its own.

use crate::common;

use std::path::PathBuf;
use std::time::Duration;

use api::worker::{Outcome, Validator, Worker};
use common::*;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "the-server-admin-token";

/// What the game server tells the players of a session whose game was removed.
const REMOVED: &str = "this game was removed from the server";

struct Platform {
    api: TestApi,
    /// The game server's address.
    host: String,
    published: tempfile::TempDir,
    cache: tempfile::TempDir,
    worker: Worker,
    _server: GameServer,
}

/// A game server with an admin token and the api's assets behind a disk cache, and the api
/// pointed at it.
async fn platform() -> Platform {
    let published = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    // Each needs the other's address: the server's port is picked first, the api started
    // pointed at it, then the server pointed at the api.
    let port = free_port();
    let host = format!("http://127.0.0.1:{port}");
    let published_dir = published.path().to_path_buf();
    let api = start_configured(&mongo_url(), true, |c| {
        c.host_url = Some(host.clone());
        c.host_admin_token = Some(TOKEN.into());
        c.published_dir = published_dir;
    })
    .await;
    let asset_url = format!("{}/assets", api.base);
    let server = GameServer::start_on(
        port,
        published.path(),
        &[
            "--admin-token",
            TOKEN,
            "--asset-url",
            &asset_url,
            "--asset-cache",
            cache.path().to_str().unwrap(),
        ],
    );
    let worker = Worker {
        store: api.store.clone(),
        validator: Validator::Uncontained {
            homegames_bin: homegames_bin(),
        },
        work_dir: std::env::temp_dir().join(format!("hg-delete-{}", api::store::new_id())),
        seconds: 1.0,
        pause_after_claim: Duration::ZERO,
    };
    Platform {
        api,
        host,
        published,
        cache,
        worker,
        _server: server,
    }
}

/// A squish-135 game that shows one image, the asset `asset_id` (none: a plain game).
fn game_source(asset_id: Option<&str>) -> String {
    let assets = asset_id.map_or(String::new(), |id| {
        format!(", assets: {{ pic: new Asset({{ id: '{id}', type: 'image' }}) }}")
    });
    format!(
        "const {{ Game, GameNode, Colors, Shapes, ShapeUtils, Asset }} = require('squish-135');\n\
         class Pic extends Game {{\n\
             static metadata() {{ return {{ squishVersion: '135', name: 'Pic'{assets} }}; }}\n\
             constructor() {{ super(); this.base = new GameNode.Shape({{ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.WHITE }}); }}\n\
             getLayers() {{ return [{{ root: this.base }}]; }}\n\
         }}\n\
         module.exports = Pic;\n"
    )
}

impl Platform {
    /// Creates, saves and publishes a game; returns its id.
    async fn published_game(&self, token: &str, source: &str) -> String {
        let (status, game) = self
            .api
            .post(
                "/games",
                Some(token),
                json!({"name": format!("Pic {}", &api::store::new_id()[..8])}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{game}");
        let id = game["gameId"].as_str().unwrap().to_string();
        self.publish(token, &id, source).await;
        id
    }

    async fn publish(&self, token: &str, id: &str, source: &str) {
        let files = json!({"files": [{"path": "index.js", "content": source}, {"path": "LICENSE", "content": api::template::GPL3_LICENSE}]});
        let (status, v) = self
            .api
            .post(&format!("/games/{id}/versions"), Some(token), files)
            .await;
        assert!(status.is_success(), "{v}");
        let (_, req) = self
            .api
            .send("POST", &format!("/games/{id}/publish"), Some(token), None)
            .await;
        let rid = req["requestId"]
            .as_str()
            .unwrap_or_else(|| panic!("not accepted: {req}"));
        let outcome = self.worker.process(rid).await.unwrap();
        assert!(matches!(outcome, Outcome::Published(_)), "{outcome:?}");
    }

    /// Starts a session through the api, joins it; returns the socket, the bundle's length and
    /// the game's folder on the server.
    async fn play(&self, game_id: &str) -> (Socket, usize, PathBuf) {
        let (status, s) = self
            .api
            .post("/sessions", None, json!({"gameId": game_id}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{s}");
        let (mut ws, _) = tokio_tungstenite::connect_async(s["websocketUrl"].as_str().unwrap())
            .await
            .unwrap();
        ws.send(Message::Text(
            r#"{"type":"ready","id":null,"clientInfo":{}}"#.into(),
        ))
        .await
        .unwrap();
        let init = next_binary(&mut ws).await;
        assert_eq!(init[0], 2, "init first");
        // The bundle comes next if the game declares assets; else a frame (kind 3).
        let second = next_binary(&mut ws).await;
        let bundle = if second[0] == 1 { second.len() } else { 0 };
        let folder = self
            .published
            .path()
            .join(format!("{game_id}-{}", s["versionId"].as_str().unwrap()));
        (ws, bundle, folder)
    }

    async fn lobby(&self) -> String {
        reqwest::get(format!("{}/api/games", self.host))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_binary(ws: &mut Socket) -> Vec<u8> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Binary(b) = m {
            return b.to_vec();
        }
    }
}

/// Reads until the server closes the socket; the close frame's reason.
async fn close_reason(ws: &mut Socket) -> String {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("the session ends in time")
        {
            Some(Ok(Message::Close(Some(f)))) => return f.reason.to_string(),
            Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return String::new(),
            Some(Ok(_)) => {}
        }
    }
}

fn balloon_png() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../games/balloon-pop/assets/balloon.png"
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_account_ends_its_sessions_and_takes_its_games_and_assets_off_the_server() {
    let p = platform().await;
    let (admin, _, admin_id) = p.api.verified_user("admin").await;
    p.api.make_admin(&admin_id).await;
    let (author, _, author_id) = p.api.verified_user("leaving").await;
    let picture = balloon_png();
    let (status, asset) = p.api.upload(&author, "balloon", picture.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    let asset_id = asset["assetId"].as_str().unwrap().to_string();
    let game = p
        .published_game(&author, &game_source(Some(&asset_id)))
        .await;
    let (mut player, bundle, folder) = p.play(&game).await;
    assert_eq!(bundle, 44 + picture.len(), "the bundle carries the asset");
    let cached = p.cache.path().join(&asset_id);
    assert!(cached.is_file() && folder.join("index.js").is_file());
    // Someone else's game, playing beside it.
    let (other, _, _) = p.api.verified_user("staying").await;
    let other_game = p.published_game(&other, &game_source(None)).await;
    let (mut bystander, _, other_folder) = p.play(&other_game).await;

    let (status, deleted) = p
        .api
        .send(
            "DELETE",
            &format!("/admin/users/{author_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(
        deleted["server"],
        json!({"folders": 1, "sessionsEnded": 1, "serverTold": true}),
        "{deleted}"
    );
    assert_eq!(
        (deleted["games"].as_u64(), deleted["assets"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(close_reason(&mut player).await, REMOVED);
    assert!(!folder.exists(), "the published folder is gone");
    assert!(!cached.exists(), "the cached asset is gone");
    let slug = folder.file_name().unwrap().to_str().unwrap().to_string();
    let lobby = p.lobby().await;
    assert!(!lobby.contains(&slug), "{lobby}");
    let again = p
        .api
        .http
        .get(format!("{}/new/{slug}", p.host))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        StatusCode::NOT_FOUND,
        "no new session of a deleted game"
    );
    assert_eq!(
        p.api
            .post("/sessions", None, json!({"gameId": game}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The other author's game and session are untouched.
    assert!(other_folder.join("index.js").is_file());
    bystander
        .send(Message::Text(
            r#"{"type":"click","data":{"x":50,"y":50}}"#.into(),
        ))
        .await
        .unwrap();
    let sessions: Value = reqwest::get(format!("{}/api/sessions", p.host))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let games: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["game"].as_str())
        .collect();
    assert_eq!(games, [other_folder.file_name().unwrap().to_str().unwrap()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn unpublishing_or_deleting_a_game_takes_it_off_the_server() {
    let p = platform().await;
    let (author, _, _) = p.api.verified_user("author").await;
    let (stranger, _, _) = p.api.verified_user("stranger").await;
    let game = p.published_game(&author, &game_source(None)).await;
    let (mut player, _, folder) = p.play(&game).await;

    // Only its author (or an admin) may.
    for (method, path) in [
        ("POST", format!("/games/{game}/unpublish")),
        ("DELETE", format!("/games/{game}")),
    ] {
        let (status, body) = p.api.send(method, &path, Some(&stranger), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }

    let (status, out) = p
        .api
        .send(
            "POST",
            &format!("/games/{game}/unpublish"),
            Some(&author),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["publishedVersions"], 1, "{out}");
    assert_eq!(
        out["server"],
        json!({"folders": 1, "sessionsEnded": 1, "serverTold": true})
    );
    assert_eq!(close_reason(&mut player).await, REMOVED);
    assert!(!folder.exists());
    assert_eq!(p.api.get("/catalog", None).await.1, json!([]));
    assert_eq!(
        p.api
            .post("/sessions", None, json!({"gameId": game}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.api.get(&format!("/games/{game}"), None).await.0,
        StatusCode::NOT_FOUND,
        "unpublished games are private again"
    );

    // Published again (ten minutes on: one request per author per 10 minutes), it plays again;
    // then deleted, it is gone for good.
    let earlier = mongodb::bson::DateTime::from_millis(
        mongodb::bson::DateTime::now().timestamp_millis() - 11 * 60_000,
    );
    p.api
        .store
        .publish_requests()
        .update_many(
            mongodb::bson::doc! {"gameId": &game},
            mongodb::bson::doc! {"$set": {"created": earlier}},
        )
        .await
        .unwrap();
    p.publish(&author, &game, &game_source(None).replace("WHITE", "BLACK"))
        .await;
    let (mut player, _, folder) = p.play(&game).await;
    let (status, out) = p
        .api
        .send("DELETE", &format!("/games/{game}"), Some(&author), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    // Versions: the starter the game was created with, and the two saved.
    assert_eq!(
        (
            out["games"].as_u64(),
            out["versions"].as_u64(),
            out["publishedVersions"].as_u64()
        ),
        (Some(1), Some(3), Some(2)),
        "{out}"
    );
    // Both published versions were told to the server; one of them had a session.
    assert_eq!(
        out["server"],
        json!({"folders": 1, "sessionsEnded": 1, "serverTold": true})
    );
    assert_eq!(close_reason(&mut player).await, REMOVED);
    assert!(!folder.exists());
    assert_eq!(
        p.api.get(&format!("/games/{game}"), Some(&author)).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(!p.lobby().await.contains(&game));
}

/// Deleting an asset takes it out of the server's cache, and new players' bundles lose it.
#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_asset_leaves_the_server_cache() {
    let p = platform().await;
    let (author, _, _) = p.api.verified_user("painter").await;
    let picture = balloon_png();
    let (_, asset) = p.api.upload(&author, "balloon", picture.clone()).await;
    let asset_id = asset["assetId"].as_str().unwrap().to_string();
    let game = p
        .published_game(&author, &game_source(Some(&asset_id)))
        .await;
    let (_, bundle, _) = p.play(&game).await;
    assert_eq!(bundle, 44 + picture.len());
    let cached = p.cache.path().join(&asset_id);
    assert!(cached.is_file());
    let (status, _) = p
        .api
        .send(
            "DELETE",
            &format!("/assets/{asset_id}"),
            Some(&author),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!cached.exists(), "the server's cached copy is gone");
    let (_, bundle, _) = p.play(&game).await;
    assert_eq!(bundle, 44, "a new player's bundle has the asset, empty");
}

/// A server that cannot be told still loses the folder, and the answer says it was not told.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_cannot_be_told_is_reported() {
    let p = platform().await;
    let (author, _, _) = p.api.verified_user("cutoff").await;
    let game = p.published_game(&author, &game_source(None)).await;
    let (_, _, folder) = p.play(&game).await;
    // A second api over the same database, with a wrong token: the server refuses it.
    let mut config = api::ApiConfig::new(&p.api.mongo, &p.api.database, TEST_JWT_SECRET);
    config.host_url = Some(p.host.clone());
    config.host_admin_token = Some("not-the-token".into());
    config.published_dir = p.published.path().to_path_buf();
    config.git_root = p.api.git_root.clone();
    config.git_hook_binary = env!("CARGO_BIN_EXE_homegames-api").into();
    let wrong = serve(config, p.api.store.clone()).await;
    let resp = p
        .api
        .http
        .delete(format!("{wrong}/games/{game}"))
        .bearer_auth(&author)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let out: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["server"]["serverTold"], false, "{out}");
    assert!(!folder.exists());
    // The server forgets the game at the next request for it, told or not.
    let r = p
        .api
        .http
        .get(format!(
            "{}/new/{}",
            p.host,
            folder.file_name().unwrap().to_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
