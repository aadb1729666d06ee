//! Scan throughput on the real corpus (the 28 games of homegames-core 1.4.3 and ours): our swc
//! scanner against our equivalent acorn + acorn-walk scanner in Node, side by side.
//!
//! `cargo bench -p ast-scan` (needs Node.js; scripts/install-oracle for the games; the acorn
//! packages are installed here on first use).

// The allocator the publish worker (`homegames-api`) scans with: the AST is many small
// allocations. With the system allocator both of our rows are about 12% lower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let games = root.join("../js-runtime/tests/reference/node_modules/homegames-core/src/games");
    assert!(games.is_dir(), "run scripts/install-oracle first");
    let files = ast_scan::js_files(&[games, root.join("../games")]).unwrap();
    let sources: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let bytes: usize = sources.iter().map(String::len).sum();

    let node_dir = root.join("benches/node");
    if !node_dir.join("node_modules/acorn-walk").is_dir() {
        assert!(Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
                "--loglevel=error"
            ])
            .current_dir(&node_dir)
            .status()
            .unwrap()
            .success());
    }
    // Each side is measured SAMPLES times (ROUNDS passes over the corpus each) and the median
    // sample is reported: single runs on a shared machine wander by 10% or more.
    const ROUNDS: usize = 20;
    const SAMPLES: usize = 5;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let node_secs = median(
        (0..SAMPLES)
            .map(|_| {
                let out = Command::new("node")
                    .arg(node_dir.join("scan.js"))
                    .arg(ROUNDS.to_string())
                    .args(&files)
                    .output()
                    .unwrap();
                let node: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
                node["nanosPerRound"].as_f64().unwrap() / 1e9
            })
            .collect(),
    );

    let named: Vec<(String, String)> = files
        .iter()
        .map(|f| f.display().to_string())
        .zip(sources.iter().cloned())
        .collect();
    let mut findings = 0;
    for (f, s) in &named {
        findings += ast_scan::scan_source(f, s).len();
    }
    let time = |pass: &dyn Fn()| {
        median(
            (0..SAMPLES)
                .map(|_| {
                    let start = Instant::now();
                    for _ in 0..ROUNDS {
                        pass();
                    }
                    start.elapsed().as_secs_f64() / ROUNDS as f64
                })
                .collect(),
        )
    };
    let ours_secs = time(&|| {
        for (f, s) in &named {
            std::hint::black_box(ast_scan::scan_source(f, s));
        }
    });
    // The same files through scan_sources, which spreads them over the cores.
    let parallel_secs = time(&|| {
        std::hint::black_box(ast_scan::scan_sources(&named));
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mb = bytes as f64 / 1048576.0;
    println!("Scanning {} files, {:.2} MB (28 real games + ours), {findings} findings; median of {SAMPLES} samples", files.len(), mb);
    println!("{:<28} {:>10} {:>10}", "", "files/s", "MB/s");
    println!(
        "{:<28} {:>10.0} {:>10.2}",
        "acorn + acorn-walk (Node)",
        files.len() as f64 / node_secs,
        mb / node_secs
    );
    println!(
        "{:<28} {:>10.0} {:>10.2}",
        "swc (ours), one thread",
        files.len() as f64 / ours_secs,
        mb / ours_secs
    );
    println!(
        "{:<28} {:>10.0} {:>10.2}",
        format!("swc (ours), {cores} cores"),
        files.len() as f64 / parallel_secs,
        mb / parallel_secs
    );
    println!(
        "ratio: {:.1}x on one thread, {:.1}x on {cores} cores",
        node_secs / ours_secs,
        node_secs / parallel_secs
    );
}
