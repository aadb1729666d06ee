//! Sessions in real Docker containers (`--isolation container`). Needs a running Docker engine:
//! `.ci/run` installs docker.io and starts dockerd; elsewhere start it yourself.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use containment::Limits;
use host::server::{Isolation, ServeConfig};
use js_runtime::IsolateLimits;

/// A game folder of ours for these tests: `body` goes into the game class.
fn test_game(root: &Path, name: &str, body: &str) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.js"),
        format!(
            "const {{ Game, GameNode, Colors, Shapes, ShapeUtils }} = require('squish-135');\n\
             class T extends Game {{\n\
               static metadata() {{ return {{ squishVersion: '135', name: '{name}' }}; }}\n\
               constructor() {{ super(); this.root = new GameNode.Shape({{ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.WHITE }}); \
                 this.label = new GameNode.Text({{ textInfo: {{ text: 'ready', x: 50, y: 50, size: 2, align: 'center', color: Colors.COLORS.BLACK }} }}); this.root.addChild(this.label); }}\n\
               say(t) {{ this.label.node.text = Object.assign({{}}, this.label.node.text, {{ text: String(t) }}); this.root.node.onStateChange(); }}\n\
               getLayers() {{ return [{{ root: this.root }}]; }}\n\
               {body}\n\
             }}\n\
             module.exports = T;\n"
        ),
    )
    .unwrap();
}

const ADMIN: &str = "containers-admin-token";

async fn contained_server() -> (String, tempfile::TempDir) {
    require_docker();
    let extra = tempfile::tempdir().unwrap();
    test_game(extra.path(), "runaway", "handleNewPlayer() { if (this.started) { while (true) {} } this.started = true; this.say('about to spin'); }");
    test_game(extra.path(), "hog", "handleNewPlayer() { const keep = []; for (;;) keep.push(new Array(100000).fill(Math.random())); }");
    test_game(
        extra.path(),
        "escape",
        "handleNewPlayer() { const tries = []; \
           try { require('fs').readFileSync('/etc/passwd'); tries.push('fs READ'); } catch (e) { tries.push('fs blocked'); } \
           try { require('http').get('http://1.1.1.1'); tries.push('net OPEN'); } catch (e) { tries.push('net blocked'); } \
           try { fetch('http://1.1.1.1'); tries.push('fetch OPEN'); } catch (e) { tries.push('fetch blocked'); } \
           this.say(tries.join(', ')); }",
    );
    // Throws from a timer after each join (the body is line 7 of its index.js).
    test_game(
        extra.path(),
        "thrower",
        "handleNewPlayer() { this.say('joined'); setTimeout(() => { null.thrown(); }, 10); }",
    );
    let config = ServeConfig {
        game_roots: vec![repo_games(), extra.path().to_path_buf()],
        idle_timeout: Duration::from_secs(5),
        admin_token: Some(ADMIN.into()),
        isolation: Isolation::Container {
            worker_binary: PathBuf::from(env!("CARGO_BIN_EXE_homegames")),
            limits: Limits::default(),
            docker_host: None,
            warm: 1,
        },
        // Not the defaults, to see them reach the worker in its container.
        limits: IsolateLimits {
            heap_limit: 24 << 20,
            cpu_budget: Duration::from_millis(200),
            ..IsolateLimits::default()
        },
        ..ServeConfig::default()
    };
    (start_with(config).await, extra)
}

fn container_ids() -> Vec<String> {
    let out = std::process::Command::new("docker")
        .args(["ps", "-q", "--filter", "label=homegames.session"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn contained_sessions_play_fail_and_die_alone() {
    let _docker = docker_turn().await;
    let (addr, _games) = contained_server().await;

    // A healthy contained session: two players, a click, everyone sees it.
    let tap = session_of(&addr, "tap-race").await;
    let mut a = connect(&addr, &tap).await;
    assert_eq!(ready(&mut a).await[..2], [2, 1]);
    let mut b = connect(&addr, &tap).await;
    assert_eq!(ready(&mut b).await[..2], [2, 2]);
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player2: 0")).await;
    send(&mut a, r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#).await;
    frame_where(&mut b, |n| texts(n).iter().any(|t| t == "player1: 1")).await;

    // A game that reaches for the filesystem and the network fails inside, and says so.
    let escape = session_of(&addr, "escape").await;
    let mut e = connect(&addr, &escape).await;
    ready(&mut e).await;
    let seen = frame_where(&mut e, |n| {
        texts(n)
            .iter()
            .any(|t| t.contains("blocked") || t.contains("OPEN") || t.contains("READ"))
    })
    .await;
    assert_eq!(texts(&seen)[0], "fs blocked, net blocked, fetch blocked");

    // What a contained game throws reaches the server from its container, located.
    let thrower = session_of(&addr, "thrower").await;
    let mut t = connect(&addr, &thrower).await;
    ready(&mut t).await;
    let path = format!("/api/sessions/{thrower}/exceptions");
    let mut answer = String::new();
    for _ in 0..100 {
        answer = http_request(
            &addr,
            "GET",
            &path,
            &[&format!("Authorization: Bearer {ADMIN}")],
        )
        .await
        .1;
        if answer.contains("thrown") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let v: serde_json::Value = serde_json::from_str(&answer).expect(&answer);
    let thrown = &v["exceptions"][0];
    assert_eq!(
        (
            thrown["file"].as_str(),
            thrown["line"].as_u64(),
            thrown["where"].as_str()
        ),
        (Some("index.js"), Some(7), Some("timer")),
        "{v}"
    );
    assert!(
        thrown["message"].as_str().unwrap().contains("thrown"),
        "{v}"
    );
    assert_eq!(
        http_request(&addr, "GET", &path, &[]).await.0,
        401,
        "the admin token is needed"
    );

    // A game that loops forever ends its own session with a reason; the others go on.
    let runaway = session_of(&addr, "runaway").await;
    let mut r1 = connect(&addr, &runaway).await;
    ready(&mut r1).await;
    frame_where(&mut r1, |n| texts(n).iter().any(|t| t == "about to spin")).await;
    let mut r2 = connect(&addr, &runaway).await;
    ready(&mut r2).await;
    let (code, reason) = closed(&mut r2).await;
    assert_eq!(code, 1011, "{reason}");
    assert!(reason.contains("CPU budget of 200 ms"), "{reason}");
    send(&mut a, r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#).await;
    frame_where(&mut b, |n| texts(n).iter().any(|t| t == "player1: 2")).await;

    // Killing a session's container closes its players cleanly; the other session is untouched.
    let before = container_ids();
    assert!(!before.is_empty(), "no session containers are running");
    let sessions = http_get(&addr, "/api/sessions").await;
    assert!(
        sessions.contains(&tap) && sessions.contains(&escape),
        "{sessions}"
    );
    let victim = container_of(&addr, &escape).await;
    std::process::Command::new("docker")
        .args(["kill", &victim])
        .output()
        .unwrap();
    let (code, reason) = closed(&mut e).await;
    assert_eq!(code, 1011, "{reason}");
    send(&mut a, r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#).await;
    frame_where(&mut b, |n| texts(n).iter().any(|t| t == "player1: 3")).await;
}

/// The container a session runs in, from the server's session list.
async fn container_of(addr: &str, session: &str) -> String {
    let body = http_get(addr, "/api/sessions").await;
    let json = &body[body.find("\r\n\r\n").map_or(0, |i| i + 4)..];
    let list: serde_json::Value = serde_json::from_str(json).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session)
        .and_then(|s| s["container"].as_str())
        .expect("a container for the session")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_docker_means_no_sessions() {
    let _docker = docker_turn().await;
    // An engine socket that does not exist: sessions must refuse, never run inline.
    let config = ServeConfig {
        game_roots: vec![repo_games()],
        isolation: Isolation::Container {
            worker_binary: PathBuf::from(env!("CARGO_BIN_EXE_homegames")),
            limits: Limits::default(),
            docker_host: Some("unix:///nonexistent/docker.sock".into()),
            warm: 1,
        },
        ..ServeConfig::default()
    };
    let addr = start_with(config).await;
    let r = http_get(&addr, "/play/tap-race").await;
    assert!(r.starts_with("HTTP/1.0 503"), "{r}");
    assert!(r.contains("Docker is not reachable"), "{r}");
    assert!(!http_get(&addr, "/api/sessions").await.contains("tap-race"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_game_that_allocates_without_bound_ends_only_its_own_session() {
    let _docker = docker_turn().await;
    let (addr, _games) = contained_server().await;
    let tap = session_of(&addr, "tap-race").await;
    let mut a = connect(&addr, &tap).await;
    ready(&mut a).await;
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player1: 0")).await;

    let hog = session_of(&addr, "hog").await;
    let mut h = connect(&addr, &hog).await;
    ready(&mut h).await;
    let (code, reason) = closed(&mut h).await;
    assert_eq!(code, 1011, "{reason}");
    assert!(
        reason.contains("exhausted its heap limit of 24 MiB"),
        "{reason}"
    );

    send(&mut a, r#"{"type":"click","data":{"x":21.2,"y":30.9}}"#).await;
    frame_where(&mut a, |n| texts(n).iter().any(|t| t == "player1: 1")).await;
}

/// A worker killed during a test run never removes its container: what carries the test-run
/// label and is old enough goes at start-up and on a schedule (`remove_leftovers`); containers
/// of anyone else stay.
#[tokio::test(flavor = "multi_thread")]
async fn test_run_containers_left_behind_are_removed() {
    let _docker = docker_turn().await;
    use bollard::models::ContainerCreateBody;
    use containment::{Containers, VALIDATE_LABEL};
    require_docker();
    let c = Containers::for_validation(
        Path::new(env!("CARGO_BIN_EXE_homegames")),
        Limits::default(),
        None,
    )
    .await
    .unwrap();
    let docker = bollard::Docker::connect_with_local_defaults().unwrap();
    let make = |label: &str| ContainerCreateBody {
        image: Some(c.image().to_string()),
        cmd: Some(vec!["--version".into()]),
        labels: Some(std::collections::HashMap::from([(
            label.to_string(),
            String::new(),
        )])),
        ..Default::default()
    };
    let create = |body: ContainerCreateBody| {
        let docker = docker.clone();
        async move {
            docker
                .create_container(
                    None::<bollard::query_parameters::CreateContainerOptions>,
                    body,
                )
                .await
                .unwrap()
                .id
        }
    };
    let leftover = create(make(VALIDATE_LABEL)).await;
    let someone_elses = create(make("someone.else")).await;
    // Too young to be a leftover: kept.
    c.remove_leftovers(Duration::from_secs(3600)).await;
    assert!(docker.inspect_container(&leftover, None).await.is_ok());
    assert!(c.remove_leftovers(Duration::ZERO).await >= 1);
    assert!(
        docker.inspect_container(&leftover, None).await.is_err(),
        "the leftover is still there"
    );
    assert!(docker.inspect_container(&someone_elses, None).await.is_ok());
    let _ = docker
        .remove_container(
            &someone_elses,
            Some(bollard::query_parameters::RemoveContainerOptions {
                force: true,
                ..Default::default()
            }),
        )
        .await;
}
