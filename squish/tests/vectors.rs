//! Data-driven vectors: each `vectors/<case>.json` holds a node tree; `vectors/<case>.expected.json`
//! next to it holds what the real squishjs packages (one per family: 0.7.62, 1.0.8, 1.3.5, and the
//! reconstructed 1.4.3 from ../shared/oracle) produce
//! for it at three scales: the bytes of each node's frame (or the exception), and what `unsquish`
//! reads back (or its exception). Adding a case is adding a file.
//!
//! `UPDATE_EXPECT=1 cargo test -p squish --test vectors` rewrites the expected files from the real
//! packages through the oracle (needs Node.js). Without it the test needs nothing but Rust.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use squish::{Node, Package, Scale, SquishVersion};
use support::oracle::{decoded_of, frames_of, Oracle};
use support::{numbers_as_f64, rust_decoded, rust_frames};

const FAMILIES: &[(&str, Package)] = &[
    ("A", Package::V0_7_62),
    ("B", Package::V1_0_8),
    ("C", Package::V1_3_5),
    ("D", Package::V1_4_3),
];

fn scales() -> [(&'static str, Option<Scale>); 3] {
    [
        ("none", None),
        ("unit", Some(Scale::UNIT)),
        ("bezel9", Some(Scale::for_bezel(9.0, 9.0))),
    ]
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no vectors in {}", dir.display());
    v
}

fn tree_of(case: &Path) -> Node {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(case).unwrap()).unwrap();
    serde_json::from_value(v["tree"].clone()).unwrap_or_else(|e| panic!("{}: {e}", case.display()))
}

fn expected_path(case: &Path) -> PathBuf {
    case.with_extension("expected.json")
}

/// Asks the real packages and writes the expected file.
fn regenerate(oracle: &mut Oracle, case: &Path, tree: &Node) {
    let mut doc = serde_json::Map::new();
    doc.insert("generatedBy".into(), json!("squishjs 0.7.62 (A), 1.0.8 (B), 1.3.5 (C), 1.4.3 (D, reconstructed) via tests/oracle/oracle.js"));
    for (family, package) in FAMILIES {
        let mut per_scale = serde_json::Map::new();
        for (scale_name, scale) in scales() {
            let answer = &oracle.batch(vec![Oracle::encode_request(
                package.npm_version(),
                scale,
                tree,
            )])[0];
            let mut nodes = Vec::new();
            for frame in frames_of(answer) {
                nodes.push(match frame {
                    Err(e) => json!({"error": e}),
                    Ok(bytes) => {
                        let d = &oracle
                            .batch(vec![Oracle::decode_request(package.npm_version(), &bytes)])[0];
                        match decoded_of(d) {
                            // Stored as the original printed it (integers without ".0").
                            Ok(_) => json!({"hex": hex::encode(&bytes), "decoded": d["decoded"]}),
                            Err(e) => json!({"hex": hex::encode(&bytes), "decodeError": e}),
                        }
                    }
                });
            }
            per_scale.insert(scale_name.into(), Value::Array(nodes));
        }
        doc.insert((*family).into(), Value::Object(per_scale));
    }
    let text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap() + "\n";
    std::fs::write(expected_path(case), text).unwrap();
}

#[test]
fn vectors_match_the_real_packages() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut oracle = update.then(Oracle::start);
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let tree = tree_of(&case);
        if let Some(o) = oracle.as_mut() {
            regenerate(o, &case, &tree);
        }
        let path = expected_path(&case);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!(
                    "{} is missing: run UPDATE_EXPECT=1 cargo test -p squish --test vectors",
                    path.display()
                )
            }))
            .unwrap();
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        for (family, package) in FAMILIES {
            let version = SquishVersion::from(*package);
            for (scale_name, scale) in scales() {
                let want = expected[family][scale_name].as_array().unwrap();
                let ours = rust_frames(version, &tree, scale);
                assert_eq!(want.len(), ours.len(), "{name}: node count");
                for (k, (w, o)) in want.iter().zip(&ours).enumerate() {
                    checked += 1;
                    let at = format!("{name} [{family}, {scale_name}] node {k}");
                    match (w.get("hex"), o) {
                        (None, Err(_)) => {}
                        (None, Ok(b)) => failures.push(format!(
                            "{at}: original throws {:?}, we gave {}",
                            w["error"],
                            hex::encode(b)
                        )),
                        (Some(_), Err(e)) => failures.push(format!(
                            "{at}: we refused ({e}), original gave {}",
                            w["hex"]
                        )),
                        (Some(h), Ok(b)) => {
                            if h.as_str().unwrap() != hex::encode(b) {
                                failures.push(format!(
                                    "{at}: bytes\n  want {}\n  got  {}",
                                    h.as_str().unwrap(),
                                    hex::encode(b)
                                ));
                                continue;
                            }
                            let ours = rust_decoded(version, b);
                            match (w.get("decoded"), ours) {
                                (Some(d), Ok(o)) if numbers_as_f64(d.clone()) == o => {}
                                (None, Err(_)) => {}
                                (d, o) => failures.push(format!(
                                    "{at}: decode\n  want {:?}\n  got  {o:?}",
                                    d.or(w.get("decodeError"))
                                )),
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} vector checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} vector checks passed");
}
