//! Fuzzing the decoder: arbitrary and mutated bytes must give a node list or a `DecodeError`,
//! never a panic, for every family. A short run is part of every `cargo test`;
//! `SQUISH_FUZZ_SECONDS=300 cargo test --release -p squish --test fuzz_decode -- --nocapture`
//! keeps generating fresh cases for that long and prints how many it ran.

use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use squish::{JsNum, Node, NodeKind, Package, SquishVersion, TextInfo};

/// One package per family (D: 1.4.3, the 18-byte asset payload with crop).
const PACKAGES: [Package; 4] = [
    Package::V0_7_62,
    Package::V1_0_8,
    Package::V1_3_5,
    Package::V1_4_3,
];

/// Decoding never panics; whatever it returns is well-formed enough to encode again.
fn decode_everywhere(bytes: &[u8]) {
    for p in PACKAGES {
        let v = SquishVersion::from(p);
        if let Ok(nodes) = squish::decode(v, bytes) {
            for n in &nodes {
                let _ = squish::encode(v, n);
            }
        }
        let _ = squish::decode_frame(v, bytes);
    }
}

/// Frames that decode, as seeds for mutation: every tag, long text, all families' layouts (family
/// D's asset with its four crop insets, and clamped coordinates).
fn seed_frames() -> Vec<u8> {
    let text = Node {
        kind: NodeKind::Text,
        id: Some(JsNum(123456789.0)),
        player_ids: Some(vec![JsNum(1.0), JsNum(2.0)]),
        text: Some(TextInfo {
            text: "héllo 😀 wörld".into(),
            x: JsNum(1.5),
            y: JsNum(2.25),
            size: JsNum(3.0),
            color: Some(vec![JsNum(1.0); 4]),
            align: Some("center".into()),
            font: Some("mono".into()),
        }),
        sub_type: Some(JsNum(2.0)),
        ..Node::default()
    };
    let all: Node = serde_json::from_str(
        r#"{"kind":"Shape","id":42,"color":[1,2,3,4],"playerIds":[1],"pos":{"x":1,"y":2},"fill":[5,6,7,8],
            "size":{"x":3,"y":4},"asset":{"k":{"pos":{"x":1,"y":1},"size":{"x":2,"y":2},"startTime":3,
            "cropLeft":12.5,"cropTop":1,"cropRight":99.99,"cropBottom":50}},
            "effects":{"shadow":{"color":[0,0,0,9],"blur":25}},"handleClick":true,"border":2,"subType":3,
            "input":{"type":"text"},"coordinates2d":[[1,2],[3,4],[-7,300]]}"#,
    )
    .unwrap();
    let mut out = Vec::new();
    for p in PACKAGES {
        out.extend(squish::encode(p.into(), &text).unwrap());
        out.extend(squish::encode(p.into(), &all).unwrap());
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Truncate(usize),
    Insert(usize, u8),
    Remove(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
    ]
}

fn mutate(mut b: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = b.len().max(1);
        match *m {
            Mutation::Set(i, v) if !b.is_empty() => b[i % len] = v,
            Mutation::Truncate(i) => b.truncate(i % len),
            Mutation::Insert(i, v) => b.insert(i % (b.len() + 1), v),
            Mutation::Remove(i) if !b.is_empty() => {
                b.remove(i % len);
            }
            _ => {}
        }
    }
    b
}

/// Bytes that look like frames: a plausible header and a run of tags from the known set.
fn frame_like() -> impl Strategy<Value = Vec<u8>> {
    (
        vec(
            (42u8..=55, 0u8..=2, any::<u8>(), vec(any::<u8>(), 0..40)),
            0..8,
        ),
        any::<u8>(),
    )
        .prop_map(|(subs, class)| {
            let mut b = vec![3, 0, 0, 0, class];
            for (tag, l1, l2, payload) in subs {
                b.extend([tag, l1, l2]);
                b.extend(payload);
            }
            let n = b.len();
            b[1] = n.saturating_sub(510).min(255) as u8;
            b[2] = n.saturating_sub(255).min(255) as u8;
            b[3] = n.min(255) as u8;
            b
        })
}

fn inputs() -> impl Strategy<Value = Vec<u8>> {
    let seeds = seed_frames();
    prop_oneof![
        vec(any::<u8>(), 0..1600),
        frame_like(),
        vec(mutation(), 1..12).prop_map(move |ms| mutate(seeds.clone(), &ms)),
    ]
}

fn run(runner: &mut TestRunner) -> u64 {
    let n = std::cell::Cell::new(0u64);
    runner
        .run(&inputs(), |b| {
            n.set(n.get() + 1);
            decode_everywhere(&b);
            Ok(())
        })
        .unwrap();
    n.get()
}

#[test]
fn decode_never_panics() {
    let budget = std::env::var("SQUISH_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let mut total = 0u64;
    let start = Instant::now();
    let mut round = 0u64;
    loop {
        let config = Config {
            cases: 2000,
            failure_persistence: None,
            ..Config::default()
        };
        let seed: [u8; 32] = std::array::from_fn(|i| {
            (round.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (i % 8 * 8)) as u8 ^ i as u8
        });
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        total += run(&mut runner);
        round += 1;
        match budget {
            Some(s) if start.elapsed() < Duration::from_secs(s) => continue,
            _ => break,
        }
    }
    eprintln!(
        "fuzzed decode with {total} inputs in {:.0?}",
        start.elapsed()
    );
}
