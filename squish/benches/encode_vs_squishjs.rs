//! Encode the same scenes with our codec and with squishjs in Node, for alias 135 (squishjs 1.3.5)
//! and alias 142 (squishjs 1.4.3, from ../shared/oracle), print both times per frame and the ratio,
//! count heap allocations our encoder makes per frame, and compare our 142 encoder with our 135.
//!
//! `cargo bench -p squish` (needs Node.js; the oracle packages are installed on first use).

#[allow(dead_code)]
#[path = "../tests/support/oracle.rs"]
mod oracle;
#[allow(dead_code)]
#[path = "../tests/support/scenes.rs"]
mod scenes;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use squish::{Coords, JsNum, Node, NodeKind, Package, Scale, SquishVersion, TextInfo};

/// Counts every allocation so the report can show allocations per encoded frame.
struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn rect(id: f64, x: f64, y: f64, w: f64, h: f64, fill: [f64; 4]) -> Node {
    Node {
        kind: NodeKind::Shape,
        id: Some(JsNum(id)),
        player_ids: Some(vec![]),
        fill: Some(fill.iter().map(|&v| JsNum(v)).collect()),
        sub_type: Some(JsNum(3.0)),
        coordinates2d: Some(Coords {
            values: [x, y, x + w, y, x + w, y + h, x, y + h, x, y]
                .iter()
                .map(|&v| JsNum(v))
                .collect(),
            paired: true,
        }),
        ..Node::default()
    }
}

fn label(id: f64, text: &str, x: f64, y: f64) -> Node {
    Node {
        kind: NodeKind::Text,
        id: Some(JsNum(id)),
        player_ids: Some(vec![]),
        sub_type: Some(JsNum(2.0)),
        text: Some(TextInfo {
            text: text.into(),
            x: JsNum(x),
            y: JsNum(y),
            size: JsNum(1.5),
            color: Some(vec![JsNum(0.0), JsNum(0.0), JsNum(0.0), JsNum(255.0)]),
            align: Some("center".into()),
            font: None,
        }),
        ..Node::default()
    }
}

/// A typical board: background, a 3x3 grid, a title and a score line.
fn small_scene() -> Node {
    let mut root = rect(
        100000001.0,
        0.0,
        0.0,
        100.0,
        100.0,
        [240.0, 240.0, 240.0, 255.0],
    );
    for i in 0..9 {
        let (x, y) = ((i % 3) as f64 * 30.0 + 5.0, (i / 3) as f64 * 30.0 + 5.0);
        root.children.push(rect(
            200000000.0 + i as f64,
            x,
            y,
            28.5,
            28.5,
            [30.0, 144.0, 255.0, 255.0],
        ));
    }
    root.children
        .push(label(300000001.0, "Tic Tac Toe", 50.0, 2.5));
    root.children
        .push(label(300000002.0, "X: 3  O: 2", 50.0, 96.25));
    root
}

/// 1000 nodes: a 30x33 grid of cells, a label on every tenth, per-player ids on some.
fn big_scene() -> Node {
    let mut root = rect(1.0, 0.0, 0.0, 100.0, 100.0, [0.0, 0.0, 0.0, 255.0]);
    let mut id = 123456000.0;
    while root.count() < 1000 {
        let i = root.count();
        let (x, y) = ((i % 30) as f64 * 3.3, (i / 30) as f64 * 3.0);
        id += 7.0;
        let mut cell = if i.is_multiple_of(10) {
            label(id, "cell", x + 1.5, y + 1.0)
        } else {
            rect(id, x, y, 3.2, 2.9, [(i % 256) as f64, 128.0, 64.0, 255.0])
        };
        if i.is_multiple_of(7) {
            cell.player_ids = Some(vec![JsNum(1.0), JsNum(2.0)]);
        }
        root.children.push(cell);
    }
    root
}

struct Case {
    name: String,
    trees: Vec<Node>,
    scale: Option<Scale>,
}

fn ours(case: &Case, version: SquishVersion) -> (f64, u64, usize) {
    let frames: usize = case.trees.iter().map(Node::count).sum();
    let mut buf = Vec::with_capacity(1 << 20);
    let run = |buf: &mut Vec<u8>| {
        buf.clear();
        for t in &case.trees {
            squish::encode_tree_into(version, black_box(t), case.scale, buf).unwrap();
        }
    };
    run(&mut buf);
    let bytes = buf.len();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    run(&mut buf);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    // Enough iterations for about a second.
    let mut iterations = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..iterations {
            run(&mut buf);
            black_box(&buf);
        }
        let took = start.elapsed();
        if took > Duration::from_millis(800) {
            return (
                took.as_nanos() as f64 / iterations as f64 / frames as f64,
                allocations,
                bytes,
            );
        }
        iterations *= 2;
    }
}

/// Per-frame time of our encoder for each version, measured in alternating short rounds and taking
/// each version's fastest round, so load from other processes (a shared CI machine) hits both
/// versions alike instead of whichever ran during a burst.
fn ours_interleaved(case: &Case, versions: &[SquishVersion]) -> Vec<f64> {
    let frames: usize = case.trees.iter().map(Node::count).sum();
    let mut buf = Vec::with_capacity(1 << 20);
    let run = |version: SquishVersion, buf: &mut Vec<u8>| {
        buf.clear();
        for t in &case.trees {
            squish::encode_tree_into(version, black_box(t), case.scale, buf).unwrap();
        }
        black_box(&*buf);
    };
    // Iterations for about 60 ms per round with the first version.
    let mut iterations = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..iterations {
            run(versions[0], &mut buf);
        }
        if start.elapsed() > Duration::from_millis(60) {
            break;
        }
        iterations *= 2;
    }
    let mut best = vec![f64::INFINITY; versions.len()];
    for _ in 0..15 {
        for (v, b) in versions.iter().zip(best.iter_mut()) {
            let start = Instant::now();
            for _ in 0..iterations {
                run(*v, &mut buf);
            }
            *b = b.min(start.elapsed().as_nanos() as f64 / iterations as f64 / frames as f64);
        }
    }
    best
}

fn theirs(oracle: &mut oracle::Oracle, case: &Case, package: &str) -> f64 {
    let frames: usize = case.trees.iter().map(Node::count).sum();
    let mut total_ns = 0.0;
    let iterations = (200_000 / frames.max(1)).clamp(20, 20_000);
    let requests =
        case.trees.iter().map(|t| json!({"op": "bench", "package": package, "scale": case.scale, "tree": t, "iterations": iterations})).collect();
    for answer in oracle.batch(requests) {
        total_ns += answer["nanosPerTree"]
            .as_f64()
            .unwrap_or_else(|| panic!("oracle bench failed: {answer}"));
    }
    total_ns / frames as f64
}

fn main() {
    // 135 is the reference row; 142 (squishjs 1.4.3's bytes: crop insets, clamped coordinates) must
    // stay within 10% of it per frame.
    let versions: Vec<(&str, SquishVersion)> = ["135", "142"]
        .iter()
        .map(|a| (*a, a.parse().unwrap()))
        .collect();
    let bezel = Some(Scale::for_bezel(9.0, 9.0));
    let generated: Vec<Node> = scenes::scenes(7, 300)
        .into_iter()
        .map(|s| s.tree)
        .filter(|t| versions.iter().all(|(_, v)| squish::encode(*v, t).is_ok()))
        .collect();
    let cases = vec![
        Case {
            name: "small board (12 nodes)".into(),
            trees: vec![small_scene()],
            scale: bezel,
        },
        Case {
            name: "1000-node scene".into(),
            trees: vec![big_scene()],
            scale: bezel,
        },
        Case {
            name: format!("{} generated scenes", generated.len()),
            trees: generated,
            scale: bezel,
        },
    ];
    let mut oracle = oracle::Oracle::start();
    println!(
        "encode per frame, squishjs in Node {} vs ours (release), game-layer scale {{0.91, 0.91}}",
        node_version()
    );
    println!(
        "{:<6} {:<28} {:>7} {:>9} {:>14} {:>12} {:>8} {:>14}",
        "alias", "scene", "frames", "bytes", "squishjs ns", "ours ns", "ratio", "allocs/frame"
    );
    for (alias, version) in &versions {
        let package: Package = version.package();
        for case in &cases {
            let frames: usize = case.trees.iter().map(Node::count).sum();
            let (ns, allocations, bytes) = ours(case, *version);
            let js = theirs(&mut oracle, case, package.npm_version());
            println!(
                "{:<6} {:<28} {:>7} {:>9} {:>14.1} {:>12.1} {:>7.1}x {:>14.3}",
                alias,
                case.name,
                frames,
                bytes,
                js,
                ns,
                js / ns,
                allocations as f64 / frames as f64
            );
        }
    }
    println!("ours per frame, 135 and 142 in alternating rounds, fastest of 15 each (target: 142 at most +10%):");
    let both: Vec<SquishVersion> = versions.iter().map(|(_, v)| *v).collect();
    for case in &cases {
        let ns = ours_interleaved(case, &both);
        println!(
            "  {:<28} 135 {:>7.1} ns   142 {:>7.1} ns   {:+.1}%",
            case.name,
            ns[0],
            ns[1],
            (ns[1] / ns[0] - 1.0) * 100.0
        );
    }
}

fn node_version() -> String {
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
