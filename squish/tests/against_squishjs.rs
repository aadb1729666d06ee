//! Proof against the real thing: for every pinned squishjs package and every generated scene, our
//! encoder gives the real bytes (or refuses exactly where the original throws), and our decoder
//! reads the real bytes exactly as the real `unsquish` does, including the client-side package each
//! alias maps to in the old browser client.
//!
//! Needs Node.js; the packages are installed at test time (see support/oracle.rs).
//! `SQUISH_SCENES=N` changes the number of scenes per package (default 1000), `SQUISH_SEED=S` the seed.

mod support;

use std::collections::BTreeMap;

use squish::{Package, SquishVersion, ALIASES};
use support::oracle::{decoded_of, frames_of, Oracle};
use support::{rust_decoded, rust_frames, scenes::scenes};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    frames: usize,
    encode_errors: usize,
    decodes: usize,
    decode_errors: usize,
}

#[test]
fn every_package_matches_squishjs_on_generated_scenes() {
    let count = env_or("SQUISH_SCENES", 1000) as usize;
    let seed = env_or("SQUISH_SEED", 0x5155_1534);
    let scenes = scenes(seed, count);
    let mut oracle = Oracle::start();
    let mut failures: Vec<String> = Vec::new();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();

    for &package in Package::ALL.iter().filter(|p| p.family().is_some()) {
        let version = SquishVersion::from(package);
        let name = package.npm_version();
        let answers = oracle.batch(
            scenes.iter().map(|s| Oracle::encode_request(name, s.scale, &s.tree)).collect(),
        );
        // Decoders to hold to this package's bytes: itself, and every old-client package that an
        // alias served by this package is read with.
        let mut decoders = vec![package];
        for a in ALIASES.iter().filter(|a| a.server == package) {
            let c = a.client_or_initial();
            if !decoders.contains(&c) && c.family().is_some() {
                decoders.push(c);
            }
        }
        let mut decode_requests = Vec::new();
        let mut decode_inputs = Vec::new();
        let tally = tallies.entry(name).or_default();
        for (i, (scene, answer)) in scenes.iter().zip(&answers).enumerate() {
            let theirs = frames_of(answer);
            let ours = rust_frames(version, &scene.tree, scene.scale);
            assert_eq!(theirs.len(), ours.len(), "node count differs in scene {i}");
            for (k, (t, o)) in theirs.iter().zip(&ours).enumerate() {
                tally.frames += 1;
                match (t, o) {
                    (Ok(t), Ok(o)) if t == o => {
                        for &d in &decoders {
                            decode_requests.push(Oracle::decode_request(d.npm_version(), t));
                            decode_inputs.push((i, k, d, t.clone()));
                        }
                    }
                    (Err(_), Err(_)) => tally.encode_errors += 1,
                    _ => failures.push(format!(
                        "squishjs {name}, scene {i} node {k}: encode differs\n  theirs: {}\n  ours:   {}\n  node: {}",
                        show(t), show(o), node_json(&scene.tree, k)
                    )),
                }
            }
        }
        let decoded = oracle.batch(decode_requests);
        for ((i, k, d, bytes), answer) in decode_inputs.iter().zip(&decoded) {
            tally.decodes += 1;
            let theirs = decoded_of(answer);
            let ours = rust_decoded(SquishVersion::from(*d), bytes);
            match (&theirs, &ours) {
                (Ok(t), Ok(o)) if t == o => {}
                (Err(_), Err(_)) => tally.decode_errors += 1,
                _ => failures.push(format!(
                    "bytes of squishjs {name} decoded by {}, scene {i} node {k}: decode differs\n  bytes:  {}\n  theirs: {:?}\n  ours:   {:?}",
                    d.npm_version(), hex::encode(bytes), theirs, ours
                )),
            }
        }
    }

    eprintln!("package  frames  (refused as the original throws)  decodes  (errors as the original)");
    for (name, t) in &tallies {
        eprintln!("{name:8} {:7} {:7} {:9} {:7}", t.frames, t.encode_errors, t.decodes, t.decode_errors);
    }
    for a in ALIASES {
        match tallies.get(a.server.npm_version()) {
            Some(_) => eprintln!("alias {:5}: server {} and client {} checked on {count} scenes", a.name, a.server,
                a.client.map_or(format!("{} (no entry: its initial decoder)", a.client_or_initial()), |c| c.to_string())),
            None => eprintln!("alias {:5}: reserved ({}), refused by the codec", a.name, a.server),
        }
    }
    if !failures.is_empty() {
        let n = failures.len();
        failures.truncate(15);
        panic!("{n} mismatches with squishjs; first ones:\n{}", failures.join("\n"));
    }
}

fn show(r: &Result<Vec<u8>, String>) -> String {
    match r {
        Ok(b) => hex::encode(b),
        Err(e) => format!("error: {e}"),
    }
}

fn node_json(tree: &squish::Node, index: usize) -> String {
    let mut k = 0;
    let mut found = String::new();
    tree.walk(&mut |n| {
        if k == index {
            let mut n = n.clone();
            n.children.clear();
            found = serde_json::to_string(&n).unwrap();
        }
        k += 1;
    });
    found
}
