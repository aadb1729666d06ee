//! The server end to end over real sockets: lobby, a session by URL, the old client's protocol.

mod common;

use std::time::Duration;

use common::*;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread")]
async fn two_browsers_play_the_same_session() {
    let addr = start().await;
    assert!(http_get(&addr, "/").await.contains("Homegames"));
    let session = session_of(&addr, "tap-race").await;
    assert_eq!(
        session_of(&addr, "tap-race").await,
        session,
        "the second browser joins the same session"
    );

    let mut a = connect(&addr, &session).await;
    // Junk and input before `ready` are ignored, never fatal.
    a.send(Message::Text("not json".into())).await.unwrap();
    a.send(Message::Text(
        r#"{"type":"click","data":{"x":1,"y":1}}"#.into(),
    ))
    .await
    .unwrap();
    a.send(Message::Text(r#"{"type":"ready","id":null,"clientInfo":{"clientInfo":{"deviceType":"desktop","aspectRatio":1.7}},"spectating":false}"#.into())).await.unwrap();
    let init = next_binary(&mut a).await;
    assert_eq!(
        init,
        vec![2, 1, 16, 9, 9, 9, 3, b'1', b'3', b'5'],
        "init: player 1, 16:9, bezel 9/9, squish 135"
    );
    let first = frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player1: 0")).await;
    // Game layers are drawn inside the bezel: the full-screen background starts at 4.5.
    assert_eq!(first[0].coordinates2d.as_ref().unwrap().values[0].0, 4.5);

    let mut b = connect(&addr, &session).await;
    b.send(Message::Text(
        r#"{"type":"ready","id":null,"clientInfo":{}}"#.into(),
    ))
    .await
    .unwrap();
    assert_eq!(
        next_binary(&mut b).await[1],
        2,
        "the second browser is player 2"
    );
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player2: 0")).await;

    // Player 1's square: game rectangle (10, 20, 18×18) mapped into the bezel: centre ≈ (21.2, 30.9).
    a.send(Message::Text(r#"{"type":"unknown-thing"}"#.into()))
        .await
        .unwrap();
    a.send(Message::Text(
        r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#.into(),
    ))
    .await
    .unwrap();
    frame_where(&mut b, |n| texts(n).iter().any(|t| t == "player1: 1")).await;

    // Player 2 leaves: player 1 sees their square go.
    b.close(None).await.unwrap();
    frame_where(&mut a, |n| {
        !texts(n).iter().any(|t| t.starts_with("player2"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_table_is_a_session_of_its_own() {
    let addr = start().await;
    let joined = session_of(&addr, "tap-race").await;
    let own = |r: String| {
        r.lines()
            .find(|l| l.to_ascii_lowercase().starts_with("location:"))
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    let first = own(http_get(&addr, "/new/tap-race").await);
    let second = own(http_get(&addr, "/new/tap-race").await);
    assert!(
        first != joined && second != joined && first != second,
        "{joined} {first} {second}"
    );
    let listed = http_get(&addr, "/api/sessions").await;
    for id in [&joined, &first, &second] {
        assert!(listed.contains(id.as_str()), "{id} not in {listed}");
    }
    // Each table has its own game: the first player of each is player 1.
    for id in [&first, &second] {
        let mut ws = connect(&addr, id).await;
        assert_eq!(ready(&mut ws).await[1], 1, "player 1 of table {id}");
    }
    assert!(http_get(&addr, "/new/no-such-game")
        .await
        .starts_with("HTTP/1.0 404"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_games_and_sessions_are_404() {
    let addr = start().await;
    assert!(http_get(&addr, "/play/no-such-game")
        .await
        .starts_with("HTTP/1.0 404"));
    assert!(http_get(&addr, "/session/deadbeef").await.contains("404"));
    assert!(
        tokio_tungstenite::connect_async(format!("ws://{addr}/ws/deadbeef"))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_session_closes_after_the_idle_timeout() {
    let addr = start().await;
    let session = session_of(&addr, "tap-race").await;
    assert!(http_get(&addr, "/api/sessions").await.contains(&session));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !http_get(&addr, "/api/sessions").await.contains(&session),
        "idle session still listed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_player_comes_back_to_the_same_place() {
    let addr = start_with(host::server::ServeConfig {
        game_roots: vec![repo_games()],
        reconnect_grace: Duration::from_secs(3),
        ..Default::default()
    })
    .await;
    let session = session_of(&addr, "tap-race").await;
    let mut a = connect(&addr, &session).await;
    let (player, secret) = ready_with_secret(&mut a).await;
    assert_eq!(player, 1);
    send(&mut a, r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#).await;
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player1: 1")).await;
    a.close(None).await.unwrap();
    drop(a);
    // Someone else joining meanwhile does not take the absent player's id.
    let mut b = connect(&addr, &session).await;
    assert_eq!(ready(&mut b).await[1], 2);
    // The player returns with its id and its seat's secret and finds its score, not a fresh start.
    let mut again = connect(&addr, &session).await;
    assert_eq!(rejoin_with_secret(&mut again, 1, &secret).await, 1);
    let nodes = frame_where(&mut again, |n| !texts(n).is_empty()).await;
    assert!(
        texts(&nodes).contains(&"player1: 1".to_string()),
        "{:?}",
        texts(&nodes)
    );
    assert!(!texts(&nodes).iter().any(|t| t == "player1: 0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn players_get_the_games_asset_bundle_before_frames() {
    let addr = start().await;
    let session = session_of(&addr, "balloon-pop").await;
    let mut ws = connect(&addr, &session).await;
    assert_eq!(ready(&mut ws).await[0], 2, "init first");
    let bundle = next_binary(&mut ws).await;
    // balloon.png: record 1, image 1, then after the 10-byte length and 32-byte key, a PNG.
    assert_eq!(&bundle[..2], &[1, 1]);
    assert_eq!(&bundle[12..19], b"balloon");
    assert_eq!(&bundle[44..48], b"\x89PNG");
    let png_len = std::fs::metadata(repo_games().join("balloon-pop/assets/balloon.png"))
        .unwrap()
        .len() as usize;
    let second = 44 + png_len;
    assert_eq!(
        &bundle[second..second + 2],
        &[1, 2],
        "then pop.wav as audio"
    );
    assert_eq!(&bundle[second + 12..second + 15], b"pop");
    assert_eq!(&bundle[second + 44..second + 48], b"RIFF");
    assert_eq!(next_binary(&mut ws).await[0], 3, "then frames");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spectator_watches_without_playing() {
    let addr = start().await;
    let session = session_of(&addr, "tap-race").await;
    let mut player = connect(&addr, &session).await;
    assert_eq!(ready(&mut player).await[1], 1);
    let mut watcher = connect(&addr, &session).await;
    send(
        &mut watcher,
        r#"{"type":"ready","id":null,"clientInfo":{},"spectating":true}"#,
    )
    .await;
    assert_eq!(next_binary(&mut watcher).await[..2], [2, 2]);
    // The spectator sees the game, and the game never added a square for it.
    let seen = frame_where(&mut watcher, |n| !texts(n).is_empty()).await;
    assert_eq!(texts(&seen), vec!["Tap Race", "player1: 0"]);
    // Its clicks change nothing; the player's do, and the spectator sees that.
    send(
        &mut watcher,
        r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#,
    )
    .await;
    send(
        &mut player,
        r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#,
    )
    .await;
    let after = frame_where(&mut watcher, |n| {
        texts(n)
            .iter()
            .any(|t| t.starts_with("player1: ") && t != "player1: 0")
    })
    .await;
    assert!(
        texts(&after).contains(&"player1: 1".to_string()),
        "{:?}",
        texts(&after)
    );
}

/// Per-connection limits: past `max_messages_per_second` a connection's messages are dropped (the
/// game never hears them), and a message over `max_message_bytes` closes that connection only.
#[tokio::test(flavor = "multi_thread")]
async fn message_rate_and_size_limits_hold_per_connection() {
    let addr = start_with(host::server::ServeConfig {
        game_roots: vec![repo_games()],
        max_messages_per_second: 5,
        max_message_bytes: 1024,
        reconnect_grace: Duration::from_millis(0),
        ..host::server::ServeConfig::default()
    })
    .await;
    let session = session_of(&addr, "tap-race").await;
    let mut a = connect(&addr, &session).await;
    assert_eq!(ready(&mut a).await[1], 1);
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player1: 0")).await;
    // 40 taps on player 1's square at once: without the limit the game would reach 10 (a win).
    let tap = r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#;
    for _ in 0..40 {
        send(&mut a, tap).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    send(&mut a, tap).await; // a new second: accepted again
    let mut best = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    while let Ok(Some(Ok(m))) =
        tokio::time::timeout_at(deadline, futures_util::StreamExt::next(&mut a)).await
    {
        if let tokio_tungstenite::tungstenite::Message::Binary(b) = m {
            if b.first() == Some(&3) {
                let nodes = squish::decode("135".parse().unwrap(), &b).unwrap();
                for t in texts(&nodes) {
                    if let Some(n) = t
                        .strip_prefix("player1: ")
                        .and_then(|n| n.parse::<u32>().ok())
                    {
                        best = best.max(n);
                    }
                }
            }
        }
    }
    assert_eq!(best, 6, "5 taps in the first second, 1 in the next");

    // An oversized message closes the connection that sent it; the session and others go on.
    let mut b = connect(&addr, &session).await;
    assert_eq!(ready(&mut b).await[1], 2);
    send(
        &mut b,
        &format!(r#"{{"type":"keydown","key":"{}"}}"#, "x".repeat(4096)),
    )
    .await;
    closed(&mut b).await;
    send(&mut a, r#"{"type":"click","data":{"x":1,"y":1}}"#).await;
    let mut c = connect(&addr, &session).await;
    assert_eq!(ready(&mut c).await[0], 2, "the session still takes players");
}

/// A game folder that appears under a game root after the server started (a newly published
/// version) is found the first time someone asks for it.
#[tokio::test(flavor = "multi_thread")]
async fn a_game_folder_added_later_is_served() {
    let late = tempfile::tempdir().unwrap();
    let addr = start_with(host::server::ServeConfig {
        game_roots: vec![repo_games(), late.path().to_path_buf()],
        ..host::server::ServeConfig::default()
    })
    .await;
    assert!(http_get(&addr, "/play/late-game")
        .await
        .starts_with("HTTP/1.0 404"));
    std::fs::create_dir(late.path().join("late-game")).unwrap();
    std::fs::copy(
        repo_games().join("tap-race/index.js"),
        late.path().join("late-game/index.js"),
    )
    .unwrap();
    let session = session_of(&addr, "late-game").await;
    let mut ws = connect(&addr, &session).await;
    assert_eq!(ready(&mut ws).await[..2], [2, 1]);
    assert!(http_get(&addr, "/api/games").await.contains("late-game"));
    assert!(http_get(&addr, "/play/..").await.contains("404"));
}
