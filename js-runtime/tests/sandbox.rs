//! What a game can and cannot do inside its isolate, and how failures stay inside one session.

use js_runtime::{EndReason, GameSession, IsolateLimits, RuntimeError, SessionConfig};
use serde_json::json;

use crate::common;
use common::{exceptions, game, load, logs};

#[test]
fn packages_and_unknown_modules_are_refused_at_require_time() {
    for name in [
        "lodash",
        "squish-9999",
        "homegames-common",
        "./missing",
        "../../etc/passwd",
    ] {
        let err = load(&format!("setup() {{ require({name:?}); }}"), &[])
            .err()
            .unwrap_or_else(|| panic!("{name} loaded"));
        let text = err.to_string();
        assert!(
            text.contains("module not available in game sandbox"),
            "{name}: {text}"
        );
        assert!(text.contains(name), "{name}: {text}");
    }
}

#[test]
fn node_builtins_load_as_modules_that_fail_on_use() {
    // Real games import fs without using it; that must load. Any use fails with a clear error.
    for name in [
        "fs",
        "node:fs",
        "child_process",
        "path",
        "http",
        "crypto",
        "process",
        "os",
        "net",
        "vm",
        "worker_threads",
    ] {
        let s = load(&format!("setup() {{ const m = require({name:?}); try {{ m.readFileSync; console.log('used'); }} catch (e) {{ console.log(e.message); }} }}"), &[])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let line = logs(&s).pop().unwrap();
        assert!(
            line.contains("not available in game sandbox") && line.contains(name),
            "{name}: {line}"
        );
    }
    let err = load(
        "setup() { const { execSync } = require('child_process'); }",
        &[],
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("child_process.execSync is not available"),
        "{err}"
    );
}

#[test]
fn relative_requires_follow_node_rules() {
    let s = load(
        "setup() { const a = require('./lib/a'); const d = require('./data.json'); const f = require('./folder'); console.log(JSON.stringify([a.name, a.b.name, a.b.sawA, d.n, f.x])); }",
        &[
            ("lib/a.js", "exports.name = 'a'; exports.b = require('./b.js');"),
            ("lib/b.js", "const a = require('./a'); exports.name = 'b'; exports.sawA = a.name;"),
            ("data.json", "{\"n\": 7}"),
            ("folder/index.js", "module.exports = { x: require('../lib/a').name + '!' };"),
        ],
    )
    .unwrap();
    // The cycle a -> b -> a sees a's partial exports, as in Node.
    assert_eq!(logs(&s), vec![r#"["a","b","a",7,"a!"]"#]);
}

#[test]
fn no_eval_no_function_constructor_no_process() {
    let probes = [
        "eval('1')",
        "(0, eval)('1')",
        "globalThis.eval('1')",
        "new Function('return 1')()",
        "Function('return 1')()",
        "(function(){}).constructor('return 1')()",
        "(() => 1).constructor.constructor('return 1')()",
        "Object.getPrototypeOf(async function(){}).constructor('return 1')",
        "Object.getPrototypeOf(function*(){}).constructor('yield 1')",
        "Reflect.construct(Function, ['return 1'])",
        "setTimeout.constructor('return 1')()",
    ];
    let body = format!(
        "setup() {{ const out = []; for (const p of {probes}) {{ try {{ globalThis.__r = undefined; const f = [() => eval('1'), () => (0, eval)('1'), () => globalThis.eval('1'), () => new Function('return 1')(), () => Function('return 1')(), () => (function(){{}}).constructor('return 1')(), () => (() => 1).constructor.constructor('return 1')(), () => Object.getPrototypeOf(async function(){{}}).constructor('return 1'), () => Object.getPrototypeOf(function*(){{}}).constructor('yield 1'), () => Reflect.construct(Function, ['return 1']), () => setTimeout.constructor('return 1')()][out.length]; f(); out.push('ALLOWED ' + p); }} catch (e) {{ out.push(e.name); }} }} \
         out.push(typeof process, typeof Deno, typeof WebAssembly, typeof require('squish-1006'), typeof __hg_loader); console.log(JSON.stringify(out)); }}",
        probes = serde_json::to_string(&probes).unwrap()
    );
    let s = load(&body, &[]).unwrap();
    let line = logs(&s).pop().unwrap();
    let out: Vec<String> = serde_json::from_str(&line).unwrap();
    for (probe, result) in probes.iter().zip(&out) {
        assert_eq!(result, "EvalError", "{probe} was not refused: {result}");
    }
    assert_eq!(
        &out[probes.len()..],
        ["undefined", "undefined", "undefined", "object", "undefined"]
    );
}

#[test]
fn an_exception_in_a_handler_is_logged_and_the_session_goes_on() {
    let mut s = load("handleNewPlayer() { null.boom; }\n clicked(p) { this.root.node.fill = [1, 2, 3, 4]; this.root.node.onStateChange(); }", &[]).unwrap();
    s.join(1, "a", json!({})).unwrap();
    assert!(
        exceptions(&s)[0].contains("TypeError"),
        "{:?}",
        exceptions(&s)
    );
    // The join frame still comes, and the game still answers.
    assert_eq!(s.take_frames().len(), 1);
    s.click(1, 50.0, 50.0).unwrap();
    let frames = s.take_frames();
    let nodes = squish::decode(s.version(), &frames.last().unwrap().bytes).unwrap();
    assert_eq!(nodes[0].fill.as_ref().unwrap()[0].0, 1.0);
}

#[test]
fn a_runaway_handler_ends_only_its_own_session() {
    let mut bad = load("handleNewPlayer() { while (true) {} }", &[]).unwrap();
    let mut good = load("", &[]).unwrap();
    let start = std::time::Instant::now();
    let err = bad.join(1, "a", json!({})).unwrap_err();
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        matches!(err, RuntimeError::Ended(EndReason::CpuBudget { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("CPU budget"), "{err}");
    // The ended session refuses further work; the other one is untouched.
    assert!(matches!(
        bad.join(2, "b", json!({})),
        Err(RuntimeError::Ended(_))
    ));
    good.join(1, "a", json!({})).unwrap();
    assert_eq!(good.take_frames().len(), 1);
}

#[test]
fn a_runaway_tick_is_stopped_too() {
    let mut s = load("tick() { for (;;) {} }", &[]).unwrap();
    let err = s.advance_to(1000.0).unwrap_err();
    assert!(
        matches!(err, RuntimeError::Ended(EndReason::CpuBudget { .. })),
        "{err}"
    );
}

#[test]
fn exhausting_the_heap_ends_the_session_not_the_process() {
    let dir = tempfile::tempdir().unwrap();
    game(
        dir.path(),
        "handleNewPlayer() { const keep = []; for (;;) keep.push(new Array(100000).fill(7)); }",
        &[],
    );
    // A CPU budget far away, so that only the heap cap can stop the handler (QuickJS collects
    // more and more often as the heap fills, which under the default budget can end it first).
    let limits = IsolateLimits {
        heap_limit: 16 << 20,
        cpu_budget: std::time::Duration::from_secs(60),
        ..IsolateLimits::default()
    };
    let config = SessionConfig {
        limits,
        ..SessionConfig::default()
    };
    let mut s = GameSession::load(dir.path(), &config).unwrap();
    let start = std::time::Instant::now();
    let err = s.join(1, "a", json!({})).unwrap_err();
    eprintln!("heap test ended after {:?}: {err}", start.elapsed());
    assert!(
        matches!(
            err,
            RuntimeError::Ended(EndReason::HeapExhausted { limit_mib: 16, .. })
        ),
        "{err}"
    );
    let mut other = load("", &[]).unwrap();
    other.join(1, "a", json!({})).unwrap();
}

#[test]
fn the_clock_and_random_are_deterministic() {
    let body = "setup() { this.t0 = Date.now(); } handleNewPlayer() { console.log(JSON.stringify([Date.now() - this.t0, new Date().getTime() - this.t0, Math.random(), Math.random()])); this.setTimeout(() => console.log('timeout at ' + performance.now()), 0); this.setInterval(() => console.log('interval at ' + performance.now()), 250); }";
    let run = || {
        let mut s = load(body, &[]).unwrap();
        s.advance_to(40.0).unwrap();
        s.join(1, "a", json!({})).unwrap();
        s.advance_to(600.0).unwrap();
        logs(&s)
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a[0].starts_with("[40,40,"), "{a:?}");
    assert_eq!(
        a[1..].to_vec(),
        vec!["timeout at 41", "interval at 290", "interval at 540"]
    );
}

#[test]
fn gamepad_updates_and_capacity_reach_the_game() {
    let mut s = load(
        "handleGamepadInput(p, m) { console.log('pad ' + p + ' ' + m.gamepad + ' ' + m.input.buttons.FACE_1.pressed); }\n\
         handlePlayerUpdate(p, u) { console.log('update ' + p + ' ' + u.info.name); }\n\
         canAddPlayer() { return false; }",
        &[],
    )
    .unwrap();
    s.join(1, "a", json!({})).unwrap();
    s.gamepad(1, json!({"type": "input", "gamepad": true, "input": {"buttons": {"FACE_1": {"value": 1, "pressed": true}}, "sticks": {}}})).unwrap();
    s.player_update(1, json!({"info": {"name": "zed"}, "settings": {}}))
        .unwrap();
    assert!(!s.can_add_player().unwrap());
    assert_eq!(logs(&s), vec!["pad 1 true true", "update 1 zed"]);
    assert!(load("", &[]).unwrap().can_add_player().unwrap());
}

/// What the publishing scan rejects, run directly in the sandbox as if the scan had been
/// skipped: each attempt fails inside the isolate.
#[test]
fn malicious_corpus_files_fail_safely_when_run() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ast-scan/tests/corpus/malicious");
    let cases = [
        "eval--direct",
        "eval--indirect",
        "eval--window-concat",
        "eval--alias",
        "function-constructor--new",
        "function-constructor--constructor-constructor",
        "function-constructor--async",
        "function-constructor--generator",
        "function-constructor--destructure",
        "function-constructor--string-constructor",
        "process--env",
        "process--binding",
        "banned-module--child-process",
        "require-package--npm",
        "timer-string--timeout",
        "webassembly--compile",
        "arguments-callee--basic",
    ];
    // And what the scan cannot decide and lets through (corpus/runtime-only/README.md): all of it.
    let runtime_only = corpus.join("../runtime-only");
    let mut undecided: Vec<String> = std::fs::read_dir(&runtime_only)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .map(|p| {
            format!(
                "../runtime-only/{}",
                p.file_stem().unwrap().to_string_lossy()
            )
        })
        .collect();
    undecided.sort();
    assert!(undecided.len() >= 3, "{undecided:?}");
    for name in cases.iter().map(|c| c.to_string()).chain(undecided) {
        let name = name.as_str();
        let code = std::fs::read_to_string(corpus.join(format!("{name}.js"))).unwrap();
        // arguments.callee is harmless by itself in sloppy mode; calling the function shows the
        // sandbox still refuses what it could reach (its constructor).
        let code = if name == "arguments-callee--basic" {
            format!("{code}\nf().constructor('return 1');")
        } else {
            code
        };
        let s = load(
            "setup() { try { require('./probe'); console.log('ran'); } catch (e) { console.log('refused: ' + e.name + ': ' + e.message); } }",
            &[("probe.js", &code)],
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let line = logs(&s).pop().unwrap_or_default();
        eprintln!("{name}: {line}");
        assert!(
            line.starts_with("refused: "),
            "{name} was not refused: {line}"
        );
    }
}

/// `sort` with a comparison function calls it in the order Node's V8 does (newer V8 and QuickJS
/// do not): with `sort(() => Math.random() - 0.5)` every later random draw depends on it. The
/// expected calls are what Node 20 prints for the same code.
#[test]
fn sort_compares_in_the_order_node_does() {
    let s = load(
        "setup() {
           const calls = [];
           const seq = [0.1, 0.9, 0.3, 0.7];
           let i = 0;
           [0, 1, 2].sort((a, b) => { calls.push([a, b]); return seq[i++] - 0.5; });
           const consistent = [];
           const sorted = [5, 1, 4, , 2, undefined, 3].sort((a, b) => { consistent.push([a, b]); return a - b; });
           console.log(JSON.stringify([calls, consistent, sorted, 6 in sorted, [3, 1, 2].toSorted((a, b) => a - b)]));
         }",
        &[],
    )
    .unwrap();
    assert_eq!(
        logs(&s),
        vec!["[[[1,0],[2,1],[2,0],[2,1]],[[1,5],[4,1],[4,5],[4,1],[2,4],[2,1],[3,4],[3,2]],[1,2,3,4,5,null,null],false,[1,2,3]]"]
    );
}
