//! The workspace's dependency line (docs/ARCHITECTURE.md, "Architecture invariants"), read from
//! `cargo metadata`: squish and game-files depend on nothing of ours; js-runtime knows no sockets
//! and no storage; ast-scan knows no engine; containment knows no engine; only api knows MongoDB
//! and RabbitMQ; and the api's whole dependency graph (what its binary links) holds no JavaScript
//! engine, so no game code can run in its process.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

fn metadata(no_deps: bool) -> Value {
    // The graph as this machine builds it: the packages of other platforms are not downloaded,
    // so an offline resolve for every platform would fail. (We build on Linux with glibc only.)
    let platform = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let mut args = vec!["metadata", "--format-version", "1", "--offline"];
    if no_deps {
        args.push("--no-deps");
    } else {
        args.extend(["--filter-platform", &platform]);
    }
    let out = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The names of every package `krate` links: its normal dependencies, theirs, and so on (dev and
/// build dependencies are not in the binary), from cargo's resolved graph with default features.
fn linked_by(krate: &str) -> BTreeSet<String> {
    let meta = metadata(false);
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let name_of: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let root = name_of
        .iter()
        .find(|(_, n)| **n == krate)
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("{krate} is not in the workspace"));
    let (mut seen, mut stack) = (BTreeSet::new(), vec![root]);
    while let Some(id) = stack.pop() {
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            let pkg = dep["pkg"].as_str().unwrap();
            if normal && seen.insert(pkg) {
                stack.push(pkg);
            }
        }
    }
    seen.into_iter().map(|id| name_of[id].to_string()).collect()
}

/// The packages that are a JavaScript engine, or bring one (and any package named for QuickJS).
const ENGINES: [&str; 5] = ["deno_core", "v8", "rusty_v8", "js-runtime", "host"];

#[test]
fn no_javascript_engine_is_linked_into_the_api_or_containment() {
    for krate in ["api", "containment", "ast-scan", "game-files", "squish"] {
        let linked = linked_by(krate);
        let engines: Vec<&String> = linked
            .iter()
            .filter(|l| ENGINES.contains(&l.as_str()) || l.contains("quickjs"))
            .collect();
        assert!(
            engines.is_empty(),
            "{krate} links {engines:?}: game code could run in its process"
        );
    }
    // The check can fail: the host links the engine.
    assert!(linked_by("host").contains("deno_core"));
}

/// Each workspace crate's declared dependencies: name → (path dependency?, features).
fn dependencies() -> BTreeMap<String, Vec<(String, bool, Vec<String>)>> {
    let meta = metadata(true);
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null()) // normal dependencies, not dev or build
                .map(|d| {
                    (
                        d["name"].as_str().unwrap().to_string(),
                        d["path"].is_string(),
                        d["features"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|f| f.as_str().unwrap().to_string())
                            .collect(),
                    )
                })
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn dependencies_point_one_way() {
    let deps = dependencies();
    let ours = |krate: &str| -> Vec<String> {
        deps[krate]
            .iter()
            .filter(|(_, path, _)| *path)
            .map(|(n, _, _)| n.clone())
            .collect()
    };
    let names =
        |krate: &str| -> Vec<String> { deps[krate].iter().map(|(n, _, _)| n.clone()).collect() };
    assert!(
        ours("squish").is_empty(),
        "squish depends on {:?}",
        ours("squish")
    );
    assert!(
        ours("game-files").is_empty(),
        "game-files depends on {:?}",
        ours("game-files")
    );
    assert_eq!(ours("ast-scan"), ["game-files"]);
    assert!(
        ours("containment").is_empty(),
        "containment depends on {:?}",
        ours("containment")
    );
    let mut api = ours("api");
    api.sort();
    assert_eq!(
        api,
        ["ast-scan", "containment", "game-files"],
        "the api reaches the game server over HTTP only"
    );
    let mut runtime = ours("js-runtime");
    runtime.sort();
    assert_eq!(
        runtime,
        ["game-files", "squish"],
        "js-runtime knows only the codec and game folders"
    );
    // No sockets and no storage below the host.
    for krate in ["squish", "game-files", "js-runtime", "ast-scan"] {
        for (name, _, features) in &deps[krate] {
            for banned in [
                "axum",
                "hyper",
                "reqwest",
                "ureq",
                "mongodb",
                "lapin",
                "bollard",
                "tokio-tungstenite",
            ] {
                assert_ne!(name, banned, "{krate} depends on {banned}");
            }
            if name == "tokio" {
                assert!(
                    !features.iter().any(|f| f == "net" || f == "full"),
                    "{krate} has tokio's sockets: {features:?}"
                );
            }
        }
    }
    // Containment speaks to Docker's socket and to nothing else.
    for (name, _, _) in &deps["containment"] {
        for banned in [
            "axum",
            "reqwest",
            "ureq",
            "mongodb",
            "lapin",
            "tokio-tungstenite",
        ] {
            assert_ne!(name, banned, "containment depends on {banned}");
        }
    }
    // Only the api knows the database and the queue.
    for (krate, _) in deps.iter().filter(|(k, _)| k.as_str() != "api") {
        for banned in ["mongodb", "lapin"] {
            assert!(
                !names(krate).iter().any(|n| n == banned),
                "{krate} depends on {banned}"
            );
        }
    }
}
