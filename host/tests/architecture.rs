//! The workspace's dependency line (docs/ARCHITECTURE.md, "Architecture invariants"), read from
//! `cargo metadata`: squish and game-files depend on nothing of ours; js-runtime knows no sockets
//! and no storage; ast-scan knows no engine; only api knows MongoDB and RabbitMQ.

use std::collections::BTreeMap;

use serde_json::Value;

/// Each workspace crate's declared dependencies: name → (path dependency?, features).
fn dependencies() -> BTreeMap<String, Vec<(String, bool, Vec<String>)>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
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
