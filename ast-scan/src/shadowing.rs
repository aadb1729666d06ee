//! Whether a file could shadow a global the scan looks for.
//!
//! Resolving scopes (swc's resolver) is what tells a local `process` from the global one, and
//! it is a good part of a scan's time. Most files never declare any of the names the rules treat
//! as globals (`eval`, `process`, `require`, `window`, …). In such a file every use of those
//! names *is* the global, so the scan can treat every identifier as unresolved and skip the
//! resolver. Treating an identifier as global only ever adds findings, so this shortcut can
//! never hide one; the check below only decides when it is also exact.

use swc_ecma_ast::{Expr, Ident, Program};
use swc_ecma_visit::{Visit, VisitWith};

use crate::rules::checked_as_global;

/// True when some identifier that is not a plain reference (a declaration of any kind, a
/// parameter, a function or class name, an import, a label, an assignment target, an object
/// shorthand) carries a name the rules check. Errs towards true: then the resolver runs.
pub fn may_shadow_checked_global(program: &Program) -> bool {
    let mut finder = Finder { found: false };
    program.visit_with(&mut finder);
    finder.found
}

struct Finder {
    found: bool,
}

impl Visit for Finder {
    fn visit_expr(&mut self, e: &Expr) {
        // A plain reference (`Expr::Ident`) declares nothing; everything else is looked into.
        if !self.found && !matches!(e, Expr::Ident(_)) {
            e.visit_children_with(self);
        }
    }

    fn visit_ident(&mut self, id: &Ident) {
        self.found |= checked_as_global(&id.sym);
    }
}
