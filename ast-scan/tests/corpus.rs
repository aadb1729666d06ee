//! The corpus: every file under `corpus/malicious/` holds one dangerous construct and is named
//! `<rule-id>--<what>.js`; it must be reported with that rule. Every file under `corpus/benign/`
//! uses the same syntax innocently and must pass. Adding a case is adding a file.

use std::path::Path;

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(dir);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_malicious_file_is_rejected_with_its_rule() {
    let cases = files("malicious");
    assert!(
        cases.len() >= 60,
        "the malicious corpus has only {} files",
        cases.len()
    );
    let mut failures = Vec::new();
    for path in &cases {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let want = name.split("--").next().unwrap();
        let findings = ast_scan::scan_source(&name, &std::fs::read_to_string(path).unwrap());
        if !findings.iter().any(|f| f.rule.id() == want) {
            failures.push(format!(
                "{name}: expected {want}, got {:?}",
                findings.iter().map(|f| f.rule.id()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} malicious files not caught:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_benign_file_passes() {
    let cases = files("benign");
    assert!(
        cases.len() >= 30,
        "the benign corpus has only {} files",
        cases.len()
    );
    let mut failures = Vec::new();
    for path in &cases {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let findings = ast_scan::scan_source(&name, &std::fs::read_to_string(path).unwrap());
        if !findings.is_empty() {
            failures.push(
                findings
                    .iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} benign files were flagged:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn findings_point_at_the_construct() {
    let f = &ast_scan::scan_source("g.js", "const a = 1;\nconst b = eval('x');\n")[0];
    assert_eq!((f.line, f.column, f.rule.id()), (2, 11, "eval"));
    assert_eq!(f.source_line, "const b = eval('x');");
    assert!(
        f.to_string().contains("g.js:2:11") && f.to_string().ends_with("          ^"),
        "{f}"
    );
}

#[test]
fn engine_internals_are_located() {
    let src = "const core = { n: 1 };\ncore.n += 1;\nconst t = globalThis.__bootstrap;\nfunction f(c) { return c.core.ops.op_panic; }\n";
    let found: Vec<(usize, usize, &str)> = ast_scan::scan_source("g.js", src)
        .iter()
        .map(|f| (f.line, f.column, f.rule.id()))
        .collect();
    // `core` of our own is fine; `globalThis.__bootstrap`, `c.core.ops` and `….ops.op_panic` are not.
    assert_eq!(
        found,
        vec![(3, 11, "engine-internals"), (4, 24, "engine-internals")],
        "{found:?}"
    );
    let all = ast_scan::scan_source("g.js", src);
    let messages: Vec<&str> = all.iter().map(|f| f.message.as_str()).collect();
    assert!(messages[0].ends_with(".__bootstrap"), "{messages:?}");
}
