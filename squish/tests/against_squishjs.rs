//! Proof against the real thing: for every pinned squishjs package and every generated scene, our
//! encoder gives the real bytes (or refuses exactly where the original throws), and our decoder
//! reads the real bytes exactly as the real `unsquish` does, including the client-side package each
//! alias maps to in the old browser client.
//!
//! Needs Node.js; the npm packages are installed at test time (see support/oracle.rs), squishjs
//! 1.3.6 and 1.4.3 are read from their folders in ../shared/oracle.
//! `SQUISH_SCENES=N` changes the number of scenes per package (default 1000), `SQUISH_SEED=S` the seed.

mod support;

use std::collections::BTreeMap;

use squish::{Family, Node, Package, Scale, SquishVersion, ALIASES};
use support::oracle::{decoded_of, frames_of, Oracle};
use support::scenes::{scenes, Scene};
use support::{rust_decoded, rust_frames};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    scenes: usize,
    frames: usize,
    encode_errors: usize,
    decodes: usize,
    decode_errors: usize,
    /// Asset frames encoded from an asset with at least one non-zero crop inset (sent by 1.4.3).
    cropped_assets: usize,
    /// coordinates2d values below 0 or above 255 after scaling (what 1.4.3 clamps, the rest wrap).
    clamped_values: usize,
}

/// Encodes `scenes` with `version` (ours) and `package` (theirs), then decodes every frame both
/// produced with each of [`decoders_for`] the package on both sides. Differences go to `failures`.
fn compare(
    oracle: &mut Oracle,
    label: &str,
    version: SquishVersion,
    package: Package,
    scenes: &[Scene],
    tally: &mut Tally,
    failures: &mut Vec<String>,
) {
    let name = package.npm_version();
    let decoders = decoders_for(package);
    let answers = oracle.batch(
        scenes
            .iter()
            .map(|s| Oracle::encode_request(name, s.scale, &s.tree))
            .collect(),
    );
    let mut decode_requests = Vec::new();
    let mut decode_inputs = Vec::new();
    for (i, (scene, answer)) in scenes.iter().zip(&answers).enumerate() {
        tally.scenes += 1;
        let theirs = frames_of(answer);
        let ours = rust_frames(version, &scene.tree, scene.scale);
        assert_eq!(theirs.len(), ours.len(), "node count differs in scene {i}");
        let mut k = 0;
        scene.tree.walk(&mut |n| {
            if ours[k].is_ok() {
                tally.cropped_assets += usize::from(has_crop(n));
                tally.clamped_values += clamped_values(n, scene.scale);
            }
            k += 1;
        });
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
                    "{label}, scene {i} node {k}: encode differs\n  theirs: {}\n  ours:   {}\n  node: {}",
                    show(t),
                    show(o),
                    node_json(&scene.tree, k)
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
                "bytes of {label} decoded by {}, scene {i} node {k}: decode differs\n  bytes:  {}\n  theirs: {:?}\n  ours:   {:?}",
                d.npm_version(),
                hex::encode(bytes),
                theirs,
                ours
            )),
        }
    }
}

/// Decoders to hold a package's bytes to: itself, and every old-client package that an alias
/// served by this package is read with.
fn decoders_for(package: Package) -> Vec<Package> {
    let mut decoders = vec![package];
    for a in ALIASES.iter().filter(|a| a.server == package) {
        let c = a.client_or_initial();
        if !decoders.contains(&c) && c.family().is_some() {
            decoders.push(c);
        }
    }
    decoders
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
        let name = package.npm_version();
        let tally = tallies.entry(name).or_default();
        let label = format!("squishjs {name}");
        compare(
            &mut oracle,
            &label,
            package.into(),
            package,
            &scenes,
            tally,
            &mut failures,
        );
    }

    print_tallies("package", &tallies);
    for a in ALIASES {
        match tallies.get(a.server.npm_version()) {
            Some(_) => eprintln!(
                "alias {:5}: server {} and client {} checked on {count} scenes",
                a.name,
                a.server,
                a.client.map_or(
                    format!("{} (no entry: its initial decoder)", a.client_or_initial()),
                    |c| c.to_string()
                )
            ),
            None => eprintln!(
                "alias {:5}: reserved ({}), refused by the codec",
                a.name, a.server
            ),
        }
    }
    fail_on(failures);
}

/// The aliases of the 2026 platform, each on scenes of its own (a seed per alias), resolved the way
/// our server resolves them (`"142".parse()`), against the oracle folder of the package it names:
/// squishjs 1.3.6 (exact) or 1.4.3 (reconstructed), in ../shared/oracle.
#[test]
fn the_2026_aliases_match_their_oracle_folders() {
    let count = env_or("SQUISH_SCENES", 1000) as usize;
    let seed = env_or("SQUISH_SEED", 0x5155_1534);
    let mut oracle = Oracle::start();
    let mut failures: Vec<String> = Vec::new();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for (n, alias) in ["136", "138", "139", "140", "142", "143"]
        .into_iter()
        .enumerate()
    {
        let version: SquishVersion = alias.parse().unwrap();
        let package = version.package();
        let scenes = scenes(seed ^ ((0xA11A5 << 8) | n as u64), count);
        let tally = tallies.entry(alias).or_default();
        let label = format!("alias {alias} (squishjs {package})");
        compare(
            &mut oracle,
            &label,
            version,
            package,
            &scenes,
            tally,
            &mut failures,
        );
    }
    print_tallies("alias", &tallies);
    for (alias, t) in &tallies {
        let family = alias.parse::<SquishVersion>().unwrap().family().unwrap();
        assert!(t.scenes >= count, "alias {alias}: {} scenes", t.scenes);
        if family == Family::D && count >= 200 {
            assert!(
                t.cropped_assets > 100 && t.clamped_values > 100,
                "alias {alias}: too few crops or clamps"
            );
        }
    }
    fail_on(failures);
}

fn print_tallies(what: &str, tallies: &BTreeMap<&str, Tally>) {
    eprintln!(
        "{what:8} scenes  frames  (refused as the original throws)  decodes  (errors as the original)  assets with crop  coords outside 0-255"
    );
    for (name, t) in tallies {
        eprintln!(
            "{name:8} {:6} {:7} {:7} {:9} {:7} {:7} {:7}",
            t.scenes,
            t.frames,
            t.encode_errors,
            t.decodes,
            t.decode_errors,
            t.cropped_assets,
            t.clamped_values
        );
    }
}

fn fail_on(mut failures: Vec<String>) {
    if !failures.is_empty() {
        let n = failures.len();
        failures.truncate(15);
        panic!(
            "{n} mismatches with squishjs; first ones:\n{}",
            failures.join("\n")
        );
    }
}

fn has_crop(n: &Node) -> bool {
    n.asset.as_ref().is_some_and(|a| {
        let i = &a.info;
        [i.crop_left, i.crop_top, i.crop_right, i.crop_bottom]
            .iter()
            .any(|c| c.is_some_and(|c| c.0 != 0.0 && !c.0.is_nan()))
    })
}

/// How many of a node's coordinate values land outside 0…255 after the layer scale (what 1.4
/// clamps): all values of a polygon or line, a circle's two centre values.
fn clamped_values(n: &Node, scale: Option<Scale>) -> usize {
    let Some(c) = &n.coordinates2d else { return 0 };
    let circle = n.sub_type.is_some_and(|s| s.0 == 4.0);
    let shift = |s: f64| (100.0 * (1.0 - s)).round() / 2.0;
    c.values
        .iter()
        .enumerate()
        .take(if circle { 2 } else { usize::MAX })
        .filter(|(i, v)| {
            let v = match scale {
                Some(s) if i % 2 == 0 => s.x * v.0 + shift(s.x),
                Some(s) => s.y * v.0 + shift(s.y),
                None => v.0,
            };
            !(0.0..=255.0).contains(&v) && !v.is_nan()
        })
        .count()
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
