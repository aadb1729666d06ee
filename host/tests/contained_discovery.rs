//! Container isolation runs no game code in the host, discovery included: a game's metadata comes
//! from a describe run in a container (`Containers::metadata`), remembered by the folder's content
//! hash, failures too. Needs a running Docker engine (`.ci/run` starts one).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;
use common::{docker_turn, require_docker};
use containment::{Containers, Limits, DESCRIBE_TIMEOUT};
use host::server::catalog;

fn game(root: &Path, name: &str, top: &str, metadata: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.js"),
        format!(
            "{top}\nconst {{ Game, GameNode, Colors, Shapes, ShapeUtils }} = require('squish-135');\n\
             class T extends Game {{\n\
               static metadata() {{ {metadata} }}\n\
               constructor() {{ super(); this.root = new GameNode.Shape({{ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.WHITE }}); }}\n\
               getLayers() {{ return [{{ root: this.root }}]; }}\n\
             }}\n\
             module.exports = T;\n"
        ),
    )
    .unwrap();
    dir
}

/// Describe-run containers created since `since` (Unix seconds), from Docker's event log.
fn describe_runs_since(since: u64) -> usize {
    let until = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    let out = std::process::Command::new("docker")
        .args([
            "events",
            "--since",
            &since.to_string(),
            "--until",
            &until.to_string(),
            "--filter",
            "label=homegames.validate",
            "--filter",
            "event=create",
            "--format",
            "{{.ID}}",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_in_container_mode_runs_games_in_containers_and_remembers_failures() {
    let _docker = docker_turn().await;
    require_docker();
    let containers = Containers::for_validation(
        Path::new(env!("CARGO_BIN_EXE_homegames")),
        Limits::default(),
        None,
    )
    .await
    .unwrap();
    let root = tempfile::tempdir().unwrap();
    game(root.path(), "good", "", "return { squishVersion: '135', name: 'Good One', description: 'fine', aspectRatio: { x: 4, y: 3 } };");
    let thrower = game(
        root.path(),
        "thrower",
        "throw new Error('no load for you');",
        "return { squishVersion: '135' };",
    );
    // Never returns from its top level: in the host this would hold a loader thread for good.
    game(
        root.path(),
        "spinner",
        "for (;;) {}",
        "return { squishVersion: '135' };",
    );

    let since = now();
    let started = Instant::now();
    let games = catalog::discover_contained(
        &[root.path().to_path_buf()],
        &Default::default(),
        &containers,
    )
    .await;
    let first = started.elapsed();
    let slugs: Vec<&str> = games.iter().map(|g| g.slug.as_str()).collect();
    assert_eq!(slugs, ["good"], "only the game that loads is listed");
    let good = &games[0];
    assert_eq!(
        (
            good.name.as_str(),
            good.description.as_str(),
            good.squish_version.as_str(),
            good.aspect
        ),
        ("Good One", "fine", "135", (4, 3))
    );
    assert!(
        first < DESCRIBE_TIMEOUT + Duration::from_secs(30),
        "discovery took {first:?}"
    );
    // One container per game: the metadata came from describe runs, not from this process.
    assert_eq!(describe_runs_since(since), 3);

    // Asking again for the game that failed (as every /play and /new for it does) is answered from
    // memory: no container, no load, in well under a container's start time.
    let since = now();
    let started = Instant::now();
    for _ in 0..40 {
        assert!(
            catalog::discover_one_contained(&thrower, &Default::default(), &containers)
                .await
                .is_none()
        );
    }
    let again = started.elapsed();
    assert!(again < Duration::from_secs(2), "40 asks took {again:?}");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        describe_runs_since(since),
        0,
        "a remembered failure was loaded again"
    );

    // Many requests at once for the same new folder (anonymous /new, say) make one run.
    let crowd = game(
        root.path(),
        "crowd",
        "",
        "return { squishVersion: '135', name: 'Crowd' };",
    );
    let since = now();
    let asks: Vec<_> = (0..20)
        .map(|_| {
            let (containers, crowd) = (containers.clone(), crowd.clone());
            tokio::spawn(async move { containers.metadata(&crowd).await })
        })
        .collect();
    for ask in asks {
        assert_eq!(ask.await.unwrap().unwrap()["name"], "Crowd");
    }
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        describe_runs_since(since),
        1,
        "concurrent asks for one folder each ran it"
    );

    // A changed folder is a new game: described afresh (and now it loads). (A folder with the same
    // content as one described before would be answered from memory: the hash is of the content.)
    std::fs::write(
        thrower.join("index.js"),
        std::fs::read_to_string(root.path().join("good/index.js"))
            .unwrap()
            .replace("Good One", "Fixed"),
    )
    .unwrap();
    let since = now();
    let fixed = catalog::discover_one_contained(&thrower, &Default::default(), &containers)
        .await
        .expect("the fixed game loads");
    assert_eq!(fixed.name, "Fixed");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(describe_runs_since(since), 1);
}

/// What the server calls at start (`discover_for_server`): inline isolation loads games here;
/// container isolation with no engine reads nothing and lists folders by name (no session can
/// start then, and the lobby says why).
#[tokio::test(flavor = "multi_thread")]
async fn server_discovery_without_an_engine_runs_nothing() {
    let _docker = docker_turn().await;
    let root = tempfile::tempdir().unwrap();
    game(
        root.path(),
        "good",
        "",
        "return { squishVersion: '135', name: 'Good One' };",
    );
    game(
        root.path(),
        "thrower",
        "throw new Error('no load for you');",
        "return { squishVersion: '135' };",
    );
    let roots = [root.path().to_path_buf()];
    let inline = catalog::discover_for_server(&roots, &Default::default(), None).await;
    assert_eq!(
        inline.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["Good One"]
    );
    let unreachable: Result<Containers, String> = Err("Docker is not reachable".into());
    let listed =
        catalog::discover_for_server(&roots, &Default::default(), Some(&unreachable)).await;
    // Both listed by folder name: the thrower's top level never ran (it would have failed).
    assert_eq!(
        listed
            .iter()
            .map(|g| (g.slug.as_str(), g.name.as_str()))
            .collect::<Vec<_>>(),
        [("good", "good"), ("thrower", "thrower")]
    );
    let one = catalog::discover_one_for_server(
        &root.path().join("thrower"),
        &Default::default(),
        Some(&unreachable),
    )
    .await;
    assert_eq!(one.map(|g| g.slug), Some("thrower".to_string()));
}
