//! The 28 games of homegames-core@1.4.3 (installed at test time by scripts/install-oracle or here)
//! and our own: all pass but the two that really import a banned module, which are reported with
//! the line; every one declares a squishVersion the scan can read.

use std::path::{Path, PathBuf};

fn reference_games() -> PathBuf {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../js-runtime/tests/reference");
    let games = reference.join("node_modules/homegames-core/src/games");
    if !games.is_dir() {
        let ok = std::process::Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
                "--ignore-scripts",
                "--loglevel=error",
            ])
            .current_dir(&reference)
            .status()
            .expect("npm (install Node.js and npm, or run scripts/install-oracle)")
            .success();
        assert!(ok, "npm install of homegames-core failed");
    }
    games
}

fn game_dirs(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("index.js").is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn real_games_pass_except_the_two_that_import_fs() {
    let games = game_dirs(&reference_games());
    assert_eq!(games.len(), 28);
    let mut flagged = Vec::new();
    for g in &games {
        let findings = ast_scan::scan_paths(std::slice::from_ref(g)).unwrap();
        let name = g.file_name().unwrap().to_string_lossy().to_string();
        if !findings.is_empty() {
            let summary: Vec<String> = findings
                .iter()
                .map(|f| {
                    format!(
                        "{}:{} {}",
                        Path::new(&f.file).file_name().unwrap().to_string_lossy(),
                        f.line,
                        f.rule.id()
                    )
                })
                .collect();
            flagged.push((name, summary));
        }
    }
    assert_eq!(
        flagged,
        vec![
            (
                "input-test".to_string(),
                vec!["index.js:3 banned-module".to_string()]
            ),
            (
                "testions".to_string(),
                vec!["index.js:2 banned-module".to_string()]
            ),
        ]
    );
}

#[test]
fn our_games_pass() {
    let ours = game_dirs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../games"));
    assert!(ours.len() >= 5);
    let findings = ast_scan::scan_paths(&ours).unwrap();
    assert!(
        findings.is_empty(),
        "{}",
        findings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_game_declares_a_readable_squish_version() {
    let mut dirs = game_dirs(&reference_games());
    dirs.extend(game_dirs(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../games"),
    ));
    for g in dirs {
        let src = std::fs::read_to_string(g.join("index.js")).unwrap();
        let v = ast_scan::squish_version(&src).unwrap_or_else(|e| panic!("{}: {e}", g.display()));
        assert!(
            ["0767", "1006", "1007", "1009", "120", "130", "135", "142"].contains(&v.as_str()),
            "{}: {v}",
            g.display()
        );
    }
    assert_eq!(
        ast_scan::squish_version(
            "class X extends Game { static metadata() { return { squishVersion: 1006 }; } }"
        )
        .unwrap(),
        "1006"
    );
    assert_eq!(
        ast_scan::squish_version("module.exports = 1;"),
        Err(ast_scan::VersionError::Missing)
    );
    assert!(matches!(
        ast_scan::squish_version("class A extends Game { static metadata() { return { squishVersion: '135' }; } }\nclass B extends ViewableGame { static metadata() { return { squishVersion: '120' }; } }"),
        Err(ast_scan::VersionError::Ambiguous(_))
    ));
}

/// Skipping the scope resolver where no local can shadow a checked global (`shadowing.rs`) must
/// not change a single finding: every real game's and every corpus file's findings are the same
/// with the resolver run on every file.
#[test]
fn the_resolver_shortcut_changes_no_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = ast_scan::js_files(&[
        reference_games(),
        root.join("../games"),
        root.join("tests/corpus"),
    ])
    .unwrap();
    assert!(files.len() > 150, "only {} files", files.len());
    let (mut shortcut, mut resolved) = (0, 0);
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let name = f.display().to_string();
        let fast = ast_scan::scan_source_resolving(&name, &src, ast_scan::Resolve::WhenNeeded);
        let full = ast_scan::scan_source_resolving(&name, &src, ast_scan::Resolve::Always);
        let show = |v: &[ast_scan::Finding]| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(show(&fast), show(&full), "{name}");
        if ast_scan::needs_resolver(&src) {
            resolved += 1
        } else {
            shortcut += 1
        }
    }
    // Both paths are really taken.
    assert!(
        shortcut > 50 && resolved >= 5,
        "{shortcut} files took the shortcut, {resolved} were resolved"
    );
}

/// A folder with a link cycle and links out of the game is walked as the runtime walks it: the
/// scan ends (before, it followed `lib/loop -> ..` until the path was too long) and reads only the
/// game's own files.
#[test]
fn a_link_cycle_or_a_link_out_is_not_followed() {
    let d = std::env::temp_dir().join(format!("hg-scan-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("lib")).unwrap();
    std::fs::write(d.join("index.js"), "module.exports = 1;\n").unwrap();
    std::fs::write(d.join("lib/a.js"), "module.exports = 2;\n").unwrap();
    std::os::unix::fs::symlink(&d, d.join("lib/loop")).unwrap();
    std::os::unix::fs::symlink("/usr/lib", d.join("outside")).unwrap();
    let files = ast_scan::js_files(std::slice::from_ref(&d)).unwrap();
    let _ = std::fs::remove_dir_all(&d);
    assert_eq!(files, [d.join("index.js"), d.join("lib/a.js")]);
}
