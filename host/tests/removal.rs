//! What the platform tells a running server when it deletes something it serves (the admin
//! interface, `server/admin.rs`): a removed game leaves the lobby and its sessions end with a
//! reason; a removed asset leaves the disk cache and the bundles; only the admin token may ask;
//! and a game folder deleted with nobody telling the server is forgotten at the next request.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use host::server::admin::REMOVED;
use host::server::assets::AssetSources;
use host::server::ServeConfig;

const TOKEN: &str = "platform-admin-token";

/// A game root holding copies of our `games` (so this test may delete them).
fn copied_games(names: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for name in names {
        let ok = std::process::Command::new("cp")
            .arg("-r")
            .arg(repo_games().join(name))
            .arg(root.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "copying {name}");
    }
    root
}

fn config(root: &Path) -> ServeConfig {
    ServeConfig {
        game_roots: vec![root.to_path_buf()],
        idle_timeout: Duration::from_secs(5),
        admin_token: Some(TOKEN.into()),
        ..ServeConfig::default()
    }
}

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_game_leaves_the_lobby_and_its_sessions_end_with_the_reason() {
    let root = copied_games(&["tap-race", "high-card"]);
    let addr = start_with(config(root.path())).await;
    let session = session_of(&addr, "high-card").await;
    let mut player = connect(&addr, &session).await;
    assert_eq!(ready(&mut player).await[0], 2, "init");
    let other = session_of(&addr, "tap-race").await;
    let mut bystander = connect(&addr, &other).await;
    ready(&mut bystander).await;

    // Only the admin token may remove a game.
    for headers in [
        vec![],
        vec![bearer("guess")],
        vec!["Authorization: platform-admin-token".to_string()],
    ] {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let (status, body) = http_request(&addr, "DELETE", "/api/games/high-card", &headers).await;
        assert_eq!(status, 401, "{body}");
    }
    assert!(http_get(&addr, "/api/games").await.contains("high-card"));

    // The platform deletes the files it wrote, then tells the server.
    std::fs::remove_dir_all(root.path().join("high-card")).unwrap();
    let (status, body) =
        http_request(&addr, "DELETE", "/api/games/high-card", &[&bearer(TOKEN)]).await;
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (answer["listed"].as_bool(), answer["sessionsEnded"].as_u64()),
        (Some(true), Some(1)),
        "{answer}"
    );
    let (code, reason) = closed(&mut player).await;
    assert_eq!((code, reason.as_str()), (1011, REMOVED));

    let lobby = http_get(&addr, "/api/games").await;
    assert!(
        !lobby.contains("high-card") && lobby.contains("tap-race"),
        "{lobby}"
    );
    for path in ["/new/high-card", "/play/high-card"] {
        assert!(
            http_get(&addr, path).await.starts_with("HTTP/1.0 404"),
            "{path}"
        );
    }
    // Nothing else was touched: the other game's session still answers.
    send(&mut bystander, r#"{"type":"click","data":{"x":50,"y":50}}"#).await;
    assert!(http_get(&addr, "/api/sessions").await.contains(&other));

    // Asking again is harmless.
    let (status, body) =
        http_request(&addr, "DELETE", "/api/games/high-card", &[&bearer(TOKEN)]).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#""listed":false"#) && body.contains(r#""sessionsEnded":0"#),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_an_admin_token_refuses_every_removal() {
    let root = copied_games(&["tap-race"]);
    let addr = start_with(ServeConfig {
        admin_token: None,
        ..config(root.path())
    })
    .await;
    for path in ["/api/games/tap-race", "/api/assets/balloon.png"] {
        let (status, body) = http_request(&addr, "DELETE", path, &[&bearer("")]).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(body.contains("--admin-token"), "{body}");
    }
    assert!(http_get(&addr, "/api/games").await.contains("tap-race"));
}

/// With nobody telling the server (the platform's call was lost), a game whose folder is gone is
/// forgotten at the next request for it rather than started from nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_game_folder_deleted_under_the_server_is_forgotten() {
    let root = copied_games(&["tap-race", "high-card"]);
    let addr = start_with(config(root.path())).await;
    std::fs::remove_dir_all(root.path().join("high-card")).unwrap();
    assert!(http_get(&addr, "/new/high-card")
        .await
        .starts_with("HTTP/1.0 404"));
    assert!(!http_get(&addr, "/api/games").await.contains("high-card"));
}

/// An HTTP asset service (the api's `/assets/{id}`) serving one asset until it is deleted.
async fn asset_service(bytes: Arc<Mutex<Option<Vec<u8>>>>) -> String {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let app = axum::Router::new().route(
        "/assets/{id}",
        axum::routing::get(
            move |axum::extract::Path(id): axum::extract::Path<String>| {
                let bytes = bytes.clone();
                async move {
                    match (id.as_str(), bytes.lock().unwrap().clone()) {
                        ("balloon.png", Some(b)) => b.into_response(),
                        _ => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/assets", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// The bundle a new player of `game` gets: (key, data length) of each asset.
async fn joined_bundle(addr: &str, game: &str) -> Vec<(String, usize)> {
    let r = http_get(addr, &format!("/new/{game}")).await;
    let session = r
        .lines()
        .find_map(|l| l.strip_prefix("location: /session/"))
        .expect("a new session")
        .trim()
        .to_string();
    let mut ws = connect(addr, &session).await;
    assert_eq!(ready(&mut ws).await[0], 2, "init first");
    let mut bundle = records(&next_binary(&mut ws).await);
    bundle.sort();
    bundle
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_asset_leaves_the_cache_and_the_bundles_of_the_games_that_declare_it() {
    // balloon-pop without its own assets: the asset service provides balloon.png.
    let root = copied_games(&["tap-race", "balloon-pop"]);
    std::fs::remove_dir_all(root.path().join("balloon-pop/assets")).unwrap();
    let served = Arc::new(Mutex::new(Some(vec![9u8; 1000])));
    let cache = tempfile::tempdir().unwrap();
    let addr = start_with(ServeConfig {
        assets: AssetSources {
            folder: None,
            url: Some(asset_service(served.clone()).await),
            cache: Some(cache.path().to_path_buf()),
        },
        ..config(root.path())
    })
    .await;
    let cached = cache.path().join("balloon.png");
    assert_eq!(
        std::fs::read(&cached).unwrap().len(),
        1000,
        "fetched once, into the cache"
    );
    assert_eq!(
        joined_bundle(&addr, "balloon-pop").await,
        [("balloon".to_string(), 1000), ("pop".to_string(), 0)]
    );

    // The platform deletes the asset, then tells the server.
    *served.lock().unwrap() = None;
    let (status, body) = http_request(
        &addr,
        "DELETE",
        "/api/assets/balloon.png",
        &[&bearer(TOKEN)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(r#""cached":true"#) && body.contains(r#""bundlesRebuilt":1"#),
        "{body}"
    );
    assert!(!cached.exists(), "the cached copy is gone");
    assert_eq!(
        joined_bundle(&addr, "balloon-pop").await,
        [("balloon".to_string(), 0), ("pop".to_string(), 0)],
        "new players get the bundle without it"
    );
    // Not a path.
    let (status, _) = http_request(&addr, "DELETE", "/api/assets/..", &[&bearer(TOKEN)]).await;
    assert_eq!(status, 400);
}
