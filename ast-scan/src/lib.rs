//! # ast-scan
//!
//! Owns the static security scan of a game's JavaScript before it is published: every `.js` file
//! is parsed with swc, scopes are resolved where a local could shadow a checked global, and each
//! dangerous construct (rules in `rules.rs`) is reported with file, line, column, rule id, an
//! explanation and the source line with a caret.
//! Also finds the game's declared `squishVersion`.
//!
//! Must not know about: running code, the host, storage. It reads source text and reports. The
//! scan is a first filter; the isolate and the container are the boundaries that hold.

mod rules;
mod scan;
mod shadowing;
mod version;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use swc_common::{BytePos, Globals, Mark, Spanned, GLOBALS};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};
use swc_ecma_visit::VisitMutWith;

pub use rules::{Rule, BANNED_MODULES};
pub use version::{squish_version, VersionError};

/// One violation.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub rule: Rule,
    pub message: String,
    pub source_line: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {} [{}]",
            self.file,
            self.line,
            self.column,
            self.message,
            self.rule.id()
        )?;
        writeln!(f, "    | {}", self.source_line)?;
        write!(f, "    | {}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Parses `source` (script or module syntax; modern syntax and a hashbang are fine) and returns
/// every finding. A file that does not parse is one finding with the parser's message.
pub fn scan_source(file: &str, source: &str) -> Vec<Finding> {
    scan_source_resolving(file, source, Resolve::WhenNeeded)
}

/// When to run swc's scope resolver (see `shadowing.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// Only for files that declare a name the rules check as a global: the same findings, faster.
    WhenNeeded,
    /// For every file; the tests use it to show the shortcut changes no finding.
    Always,
}

/// `scan_source` with a choice of when scopes are resolved.
pub fn scan_source_resolving(file: &str, source: &str, resolve: Resolve) -> Vec<Finding> {
    let locate = |span: swc_common::Span, rule: Rule, detail: String| {
        let offset = (span.lo.0.saturating_sub(START) as usize).min(source.len());
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let source_line = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let line = source[..line_start].bytes().filter(|&b| b == b'\n').count() + 1;
        let column = source
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        let message = if detail.is_empty() {
            rule.explanation().to_string()
        } else {
            format!("{}: {detail}", rule.explanation())
        };
        Finding {
            file: file.to_string(),
            line,
            column,
            rule,
            message,
            source_line,
        }
    };
    let mut program = match parse(source) {
        Ok(p) => p,
        Err(e) => return vec![locate(e.span(), Rule::Parse, e.kind().msg().to_string())],
    };
    let hits = if resolve == Resolve::Always || shadowing::may_shadow_checked_global(&program) {
        GLOBALS.set(&Globals::new(), || {
            let unresolved = Mark::new();
            let top_level = Mark::new();
            program.visit_mut_with(&mut swc_ecma_transforms_base::resolver(
                unresolved, top_level, false,
            ));
            scan::Scanner::scan(Some(unresolved), &program)
        })
    } else {
        scan::Scanner::scan(None, &program)
    };
    let mut findings: Vec<Finding> = hits
        .into_iter()
        .map(|(rule, span, detail)| locate(span, rule, detail))
        .collect();
    findings.sort_by_key(|f| (f.line, f.column, f.rule.id()));
    findings.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.rule == b.rule);
    findings
}

// The parser reads the text in place (no source map, no copy): spans are byte offsets from
// START, and lines and columns are worked out only for the rare finding.
const START: u32 = 1;

/// The program, or the first error (one the parser recovered from counts too).
fn parse(source: &str) -> Result<swc_ecma_ast::Program, swc_ecma_parser::error::Error> {
    let syntax = Syntax::Es(EsSyntax {
        allow_return_outside_function: true,
        ..Default::default()
    });
    let input = StringInput::new(source, BytePos(START), BytePos(START + source.len() as u32));
    let mut parser = Parser::new(syntax, input, None);
    let program = parser.parse_program()?;
    match parser.take_errors().into_iter().next() {
        Some(e) => Err(e),
        None => Ok(program),
    }
}

/// Whether `Resolve::WhenNeeded` runs the resolver on this source (false when it does not parse);
/// for the tests that check both paths are taken.
#[doc(hidden)]
pub fn needs_resolver(source: &str) -> bool {
    parse(source).is_ok_and(|p| shadowing::may_shadow_checked_global(&p))
}

/// Scans files and folders (see `js_files`), spreading the files over the machine's cores.
/// Findings come back in file order.
pub fn scan_paths(paths: &[PathBuf]) -> Result<Vec<Finding>, ScanError> {
    let files = js_files(paths)?;
    let sources = files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map(|t| (f.display().to_string(), t))
                .map_err(|e| ScanError::Io(f.clone(), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(scan_sources(&sources))
}

/// Scans `(name, source)` pairs on all cores; findings in the order of `sources`. The threads are
/// rayon's, kept from one call to the next (the publish worker scans version after version).
pub fn scan_sources(sources: &[(String, String)]) -> Vec<Finding> {
    use rayon::prelude::*;
    let per_file: Vec<Vec<Finding>> = sources
        .par_iter()
        .map(|(name, source)| scan_source(name, source))
        .collect();
    per_file.into_iter().flatten().collect()
}

/// The files a scan of `paths` reads, sorted: each file given, and every `.js` below each folder
/// given, walked as the runtime walks a game (`game_files::walk`: no link followed, so a link
/// cycle ends; `node_modules` and `.git` are not part of a game; FIFOs and devices are not read).
pub fn js_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScanError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| ScanError::Io(p.to_path_buf(), e))?;
        if meta.is_file() {
            files.push(p.to_path_buf());
            continue;
        }
        let entries = game_files::walk(p).map_err(|e| ScanError::Io(e.path, e.source))?;
        files.extend(
            entries
                .into_iter()
                .filter(|e| e.kind == game_files::EntryKind::File && e.relative.ends_with(".js"))
                .map(|e| e.path),
        );
    }
    files.sort();
    Ok(files)
}
