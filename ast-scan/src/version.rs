//! The game's declared `squishVersion`: the class that extends Game or ViewableGame, its static
//! `metadata()`, and the `squishVersion` of the object literal it returns.

use swc_common::{sync::Lrc, FileName, SourceMap};
use swc_ecma_ast::*;
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};
use swc_ecma_visit::{Visit, VisitWith};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VersionError {
    #[error("the file does not parse")]
    Parse,
    #[error("no class extends Game or ViewableGame with a static metadata() returning {{ squishVersion }}")]
    Missing,
    #[error("more than one squishVersion is declared: {0:?}")]
    Ambiguous(Vec<String>),
}

struct Finder {
    found: Vec<String>,
}

fn extends_game(c: &Class) -> bool {
    match c.super_class.as_deref() {
        Some(Expr::Ident(i)) => matches!(&*i.sym, "Game" | "ViewableGame"),
        Some(Expr::Member(m)) => {
            matches!(&m.prop, MemberProp::Ident(p) if matches!(&*p.sym, "Game" | "ViewableGame"))
        }
        _ => false,
    }
}

impl Visit for Finder {
    fn visit_class(&mut self, c: &Class) {
        if extends_game(c) {
            for member in &c.body {
                let ClassMember::Method(m) = member else {
                    continue;
                };
                let is_metadata =
                    m.is_static && matches!(&m.key, PropName::Ident(i) if &*i.sym == "metadata");
                let Some(body) = m.function.body.as_ref().filter(|_| is_metadata) else {
                    continue;
                };
                for stmt in &body.stmts {
                    let Stmt::Return(ReturnStmt { arg: Some(arg), .. }) = stmt else {
                        continue;
                    };
                    let Expr::Object(obj) = &**arg else { continue };
                    for p in &obj.props {
                        let PropOrSpread::Prop(p) = p else { continue };
                        let Prop::KeyValue(kv) = &**p else { continue };
                        let key = match &kv.key {
                            PropName::Ident(i) => i.sym.to_string(),
                            PropName::Str(s) => s.value.to_string_lossy().into_owned(),
                            _ => continue,
                        };
                        if key != "squishVersion" {
                            continue;
                        }
                        match &*kv.value {
                            Expr::Lit(Lit::Str(s)) => {
                                self.found.push(s.value.to_string_lossy().into_owned())
                            }
                            Expr::Lit(Lit::Num(n)) => self.found.push(n.value.to_string()),
                            _ => {}
                        }
                    }
                }
            }
        }
        c.visit_children_with(self);
    }
}

/// The `squishVersion` the game in `source` (its index.js) declares.
pub fn squish_version(source: &str) -> Result<String, VersionError> {
    let cm: Lrc<SourceMap> = Default::default();
    let fm = cm.new_source_file(
        Lrc::new(FileName::Custom("index.js".into())),
        source.to_string(),
    );
    let syntax = Syntax::Es(EsSyntax {
        allow_return_outside_function: true,
        ..Default::default()
    });
    let program = Parser::new(syntax, StringInput::from(&*fm), None)
        .parse_program()
        .map_err(|_| VersionError::Parse)?;
    let mut finder = Finder { found: Vec::new() };
    program.visit_with(&mut finder);
    finder.found.dedup();
    match finder.found.len() {
        0 => Err(VersionError::Missing),
        1 => Ok(finder.found.remove(0)),
        _ => Err(VersionError::Ambiguous(finder.found)),
    }
}
