//! The visitor: one pass over a resolved syntax tree, collecting findings.
//!
//! swc's resolver marks every identifier that refers to no declaration in the file with the
//! "unresolved" mark: those are the globals. So a local variable named `process`, or a method
//! named `eval` on our own object, is not a finding; the global ones are, however they are reached.
//! When the file declares none of the checked names, the resolver is skipped and every identifier
//! counts as a global (`shadowing.rs` says why that loses nothing).

use std::borrow::Cow;

use swc_common::{Mark, Span, Spanned, SyntaxContext};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use crate::rules::{
    allowed_module, banned_module, checked_as_global, engine_internal, Rule, BANNED_GLOBALS,
    CALLS_PAST_CONSTRUCTOR, CORE_OBJECT, DESCRIPTOR_REFLECTION, GLOBAL_OBJECTS, OPS_TABLE,
    OP_PREFIX,
};

/// What `this` may be in the code being visited, and whether that code is strict.
#[derive(Clone, Copy)]
struct ThisScope {
    /// `this` may be the global object: the top level of a script, or a non-arrow function of
    /// sloppy-mode code (called bare, its `this` is the global object).
    may_be_global: bool,
    strict: bool,
}

pub struct Scanner {
    /// The context of identifiers that refer to no declaration; `None` when the resolver was
    /// skipped because nothing in the file can shadow a checked global (see `shadowing.rs`):
    /// then every identifier counts as unresolved.
    unresolved: Option<SyntaxContext>,
    /// Innermost last; arrow functions push nothing (they share their parent's `this`).
    scopes: Vec<ThisScope>,
    hits: Vec<(Rule, Span, String)>,
}

/// Whether a list of statements opens with the "use strict" directive.
/// A directive with an escape in it (`'use\x20strict'`) is no directive: the source text itself
/// must read "use strict", which is why the raw text is compared, not the value.
fn opens_strict<'a>(mut first_exprs: impl Iterator<Item = Option<&'a Expr>>) -> bool {
    first_exprs.any(|e| matches!(e, Some(Expr::Lit(Lit::Str(s))) if matches!(s.raw.as_deref(), Some("'use strict'" | "\"use strict\""))))
}

fn directive_exprs(stmts: &[Stmt]) -> impl Iterator<Item = Option<&Expr>> {
    // Directives are the leading string-literal expression statements.
    stmts
        .iter()
        .map(|s| match s {
            Stmt::Expr(e) if matches!(&*e.expr, Expr::Lit(Lit::Str(_))) => Some(&*e.expr),
            _ => None,
        })
        .take_while(|e| e.is_some())
}

impl Scanner {
    /// A scanner for one program: module code is strict and its top-level `this` is undefined;
    /// a script's top level is treated as the global object (as in a browser) unless it says
    /// "use strict" only for functions: the top-level `this` of a script stays suspect.
    fn new(unresolved: Option<Mark>, program: &Program) -> Scanner {
        let (strict, top_global) = match program {
            Program::Module(_) => (true, false),
            Program::Script(s) => (opens_strict(directive_exprs(&s.body)), true),
        };
        Scanner {
            unresolved: unresolved.map(|m| SyntaxContext::empty().apply_mark(m)),
            scopes: vec![ThisScope {
                may_be_global: top_global,
                strict,
            }],
            hits: Vec::new(),
        }
    }

    /// Every hit in one program.
    pub fn scan(unresolved: Option<Mark>, program: &Program) -> Vec<(Rule, Span, String)> {
        let mut scanner = Scanner::new(unresolved, program);
        program.visit_with(&mut scanner);
        scanner.hits
    }

    /// A getter's or setter's `this` is its object: it is reached by using the property, never
    /// called bare. Its function's children are visited, not the function: visit_function would
    /// make `this` suspect.
    fn visit_accessor(&mut self, key: &PropName, function: &Function) {
        // A computed key runs in the enclosing code, with the enclosing `this`.
        key.visit_with(self);
        let strict = self.scope().strict;
        self.scopes.push(ThisScope {
            may_be_global: false,
            strict,
        });
        function.visit_children_with(self);
        self.scopes.pop();
    }

    /// In sloppy code a function declared in a block, an `if` branch or a `switch` case may or may
    /// not also bind its name in the enclosing function (Annex B; blocked by a `let` of the same
    /// name around it), and swc's resolver always assumes it does. Named like a checked global,
    /// it could make the scan take the global for a local: such a declaration is a finding.
    fn check_block_function(&mut self, stmt: &Stmt) {
        if let Stmt::Decl(Decl::Fn(f)) = stmt {
            if !self.scope().strict && checked_as_global(&f.ident.sym) {
                self.hit(
                    Rule::BlockFunctionGlobal,
                    f.ident.span,
                    format!("function {}", f.ident.sym),
                );
            }
        }
    }

    fn scope(&self) -> ThisScope {
        *self
            .scopes
            .last()
            .expect("the top-level scope is never popped")
    }

    fn hit(&mut self, rule: Rule, span: Span, detail: impl Into<String>) {
        self.hits.push((rule, span, detail.into()));
    }

    fn is_global(&self, id: &Ident) -> bool {
        self.unresolved.is_none_or(|c| id.ctxt == c)
    }

    fn global_named<'a>(&self, e: &'a Expr) -> Option<&'a str> {
        match e {
            Expr::Ident(id) if self.is_global(id) => Some(&id.sym),
            Expr::Paren(p) => self.global_named(&p.expr),
            // `(0, eval)` is eval.
            Expr::Seq(s) => s.exprs.last().and_then(|e| self.global_named(e)),
            _ => None,
        }
    }

    fn is_global_object(&self, e: &Expr) -> bool {
        match e {
            Expr::This(_) => self.scope().may_be_global,
            Expr::Paren(p) => self.is_global_object(&p.expr),
            _ => self
                .global_named(e)
                .is_some_and(|n| GLOBAL_OBJECTS.contains(&n)),
        }
    }

    /// `global_named` and `is_global_object` look through parentheses and to the last element
    /// of a sequence (`(0, eval)`); when a rule then skips the expression, the elements before
    /// the last still run and must still be visited: `(eval('x'), globalThis).Math`.
    fn visit_leading_parts(&mut self, e: &Expr) {
        match e {
            Expr::Paren(p) => self.visit_leading_parts(&p.expr),
            Expr::Seq(s) => {
                if let Some((last, leading)) = s.exprs.split_last() {
                    leading.visit_with(self);
                    self.visit_leading_parts(last);
                }
            }
            _ => {}
        }
    }

    fn check_module_name(&mut self, rule_if_bad: Rule, name: &str, span: Span) {
        if banned_module(name) {
            self.hit(Rule::BannedModule, span, format!("'{name}'"));
        } else if !allowed_module(name) {
            self.hit(rule_if_bad, span, format!("'{name}'"));
        }
    }

    /// The property name a member access uses, when it can be known before running.
    fn prop_name(prop: &MemberProp) -> Option<Cow<'_, str>> {
        match prop {
            MemberProp::Ident(i) => Some(Cow::Borrowed(&i.sym)),
            MemberProp::Computed(c) => static_string(&c.expr),
            MemberProp::PrivateName(_) => None,
        }
    }

    /// The engine-internals rule on a member access with the fixed property name `name`:
    /// `x.__bootstrap`, `globalThis.Deno`, `core.ops`, `Deno.core.ops`, `ops.op_panic`.
    fn check_engine_member(&mut self, m: &MemberExpr, name: &str) {
        if engine_internal(name) {
            self.hit(Rule::EngineInternals, m.span, format!(".{name}"));
            return;
        }
        let object = source_name(&m.obj);
        let object = object.as_deref();
        if name == OPS_TABLE && object == Some(CORE_OBJECT) {
            self.hit(Rule::EngineInternals, m.span, "core.ops");
        } else if name.starts_with(OP_PREFIX)
            && object.is_some_and(|o| o == OPS_TABLE || o == CORE_OBJECT || engine_internal(o))
        {
            self.hit(Rule::EngineInternals, m.span, format!("the op {name}"));
        }
    }

    /// The engine-internals rule on destructuring: `const { ops } = core`, `({ op_panic } = ops)`.
    fn check_engine_destructure(&mut self, p: &ObjectPat, init: &Expr) {
        let object = source_name(init);
        let Some(object) = object.as_deref() else {
            return;
        };
        for prop in &p.props {
            let key = match prop {
                ObjectPatProp::KeyValue(kv) => prop_key(&kv.key),
                ObjectPatProp::Assign(a) => Some(Cow::Borrowed(&*a.key.sym)),
                ObjectPatProp::Rest(_) => None,
            };
            let Some(key) = key.as_deref() else { continue };
            let reaches = (key == OPS_TABLE && object == CORE_OBJECT)
                || (key.starts_with(OP_PREFIX)
                    && (object == OPS_TABLE || object == CORE_OBJECT || engine_internal(object)));
            if reaches {
                self.hit(
                    Rule::EngineInternals,
                    prop.span(),
                    format!("{key} destructured from {object}"),
                );
            }
        }
    }

    /// A `.constructor` access whose result is only read further (`x.constructor.name`,
    /// `this.constructor.metadata()`) or compared (`a.constructor === B`) is harmless; these
    /// contexts visit its object only. Reading on with `call`, `apply`, `bind` or a descriptor's
    /// `value`/`get` is not a harmless read (see `CALLS_PAST_CONSTRUCTOR`).
    fn visit_harmless_constructor(&mut self, e: &Expr) -> bool {
        if let Expr::Member(m) = e {
            if Self::prop_name(&m.prop).as_deref() == Some("constructor") {
                m.obj.visit_with(self);
                if let MemberProp::Computed(c) = &m.prop {
                    c.expr.visit_with(self);
                }
                return true;
            }
        }
        false
    }
}

/// The string an expression always evaluates to, if that is decidable from the text alone:
/// literals, template literals without substitutions, and `+` of those (and numbers). A plain
/// string literal is borrowed, not copied: this runs on every string in a file.
pub fn static_string(e: &Expr) -> Option<Cow<'_, str>> {
    match e {
        Expr::Lit(Lit::Str(s)) => Some(s.value.to_string_lossy()),
        Expr::Lit(Lit::Num(n)) => Some(Cow::Owned(n.value.to_string())),
        Expr::Tpl(t) => template_text(t, |q| Some(q.cooked.as_ref()?.to_string_lossy())),
        Expr::Paren(p) => static_string(&p.expr),
        Expr::Bin(b) if b.op == BinaryOp::Add => {
            Some(static_string(&b.left)? + static_string(&b.right)?)
        }
        // String.raw`constructor`: the raw text of the quasis.
        Expr::TaggedTpl(t) if is_member_path(&t.tag, "String", "raw") => {
            template_text(&t.tpl, |q| Some(Cow::Borrowed(&*q.raw)))
        }
        // JSON.parse('"constructor"'): a JSON string literal.
        Expr::Call(c) if matches!(&c.callee, Callee::Expr(f) if is_member_path(f, "JSON", "parse")) =>
        {
            let text = static_string(&c.args.first()?.expr)?;
            serde_json::from_str::<String>(&text).ok().map(Cow::Owned)
        }
        _ => None,
    }
}

/// A template's text when every substitution is static; `quasi` reads one literal part (cooked
/// for a template literal, raw for String.raw). Parts alternate: q0 e0 q1 e1 … qn.
fn template_text<'a>(
    t: &'a Tpl,
    quasi: impl Fn(&'a TplElement) -> Option<Cow<'a, str>>,
) -> Option<Cow<'a, str>> {
    let mut out = String::new();
    for (i, q) in t.quasis.iter().enumerate() {
        out.push_str(&quasi(q)?);
        if let Some(e) = t.exprs.get(i) {
            out.push_str(&static_string(e)?);
        }
    }
    Some(Cow::Owned(out))
}

/// `object.property` with both names fixed (`String.raw`), whatever `object` is bound to: a
/// local of that name makes the scan stricter, never laxer.
fn is_member_path(e: &Expr, object: &str, property: &str) -> bool {
    matches!(e.unwrap_parens(), Expr::Member(m)
        if matches!(m.obj.unwrap_parens(), Expr::Ident(i) if &*i.sym == object)
        && matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == property))
}

/// The name an expression goes by in the text: an identifier's, or the fixed property name of a
/// member access (`Deno.core` goes by `core`), through parentheses and to the last element of a
/// sequence.
fn source_name(e: &Expr) -> Option<Cow<'_, str>> {
    match e {
        Expr::Ident(i) => Some(Cow::Borrowed(&i.sym)),
        Expr::Member(m) => Scanner::prop_name(&m.prop),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Member(m) => Scanner::prop_name(&m.prop),
            OptChainBase::Call(_) => None,
        },
        Expr::Paren(p) => source_name(&p.expr),
        Expr::Seq(s) => s.exprs.last().and_then(|e| source_name(e)),
        _ => None,
    }
}

/// An object key's name when it is fixed in the text (a computed key's when it is static).
fn prop_key(key: &PropName) -> Option<Cow<'_, str>> {
    match key {
        PropName::Ident(i) => Some(Cow::Borrowed(&*i.sym)),
        PropName::Str(s) => Some(s.value.to_string_lossy()),
        PropName::Computed(c) => static_string(&c.expr),
        _ => None,
    }
}

/// Whether a value is visibly a string of code (for timers).
fn stringy(e: &Expr) -> bool {
    match e {
        Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) => true,
        Expr::Paren(p) => stringy(&p.expr),
        Expr::Bin(b) if b.op == BinaryOp::Add => stringy(&b.left) || stringy(&b.right),
        _ => false,
    }
}

impl Visit for Scanner {
    fn visit_ident(&mut self, id: &Ident) {
        // Global or local: a game has no business with these names (and a local of that name
        // would only be a way to make a reader take one for the other).
        if engine_internal(&id.sym) {
            self.hit(Rule::EngineInternals, id.span, id.sym.to_string());
            return;
        }
        if !self.is_global(id) {
            return;
        }
        if let Some((_, rule)) = BANNED_GLOBALS.iter().find(|(n, _)| *n == &*id.sym) {
            self.hit(*rule, id.span, id.sym.to_string());
        } else if GLOBAL_OBJECTS.contains(&&*id.sym) {
            // Reads of a fixed name (`globalThis.Math`) never get here: visit_member_expr stops.
            self.hit(
                Rule::GlobalAlias,
                id.span,
                format!("{} used as a value", id.sym),
            );
        } else if &*id.sym == "module" {
            self.hit(
                Rule::ModuleObject,
                id.span,
                "module used for more than module.exports",
            );
        } else if &*id.sym == "require" {
            // A require that is not called directly with a literal (aliased, passed, .call'ed).
            self.hit(Rule::RequireDynamic, id.span, "require used as a value");
        }
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        match &call.callee {
            Callee::Expr(callee) if self.global_named(callee) == Some("require") => {
                match call.args.first().and_then(|a| {
                    if a.spread.is_none() {
                        static_string(&a.expr)
                    } else {
                        None
                    }
                }) {
                    Some(name) => self.check_module_name(Rule::RequirePackage, &name, call.span),
                    None => self.hit(
                        Rule::RequireDynamic,
                        call.span,
                        "require with a computed name",
                    ),
                }
                self.visit_leading_parts(callee);
                call.args.visit_with(self);
                return;
            }
            Callee::Import(_) => {
                match call.args.first().and_then(|a| static_string(&a.expr)) {
                    Some(name) => self.check_module_name(Rule::Import, &name, call.span),
                    None => self.hit(Rule::Import, call.span, "import() with a computed name"),
                }
                call.args.visit_with(self);
                return;
            }
            Callee::Expr(callee) => {
                let name = match &**callee {
                    Expr::Ident(i) => Some(Cow::Borrowed(&*i.sym)),
                    Expr::Member(m) => Self::prop_name(&m.prop),
                    _ => None,
                };
                if matches!(
                    name.as_deref(),
                    Some("setTimeout" | "setInterval" | "setImmediate")
                ) && call.args.first().is_some_and(|a| stringy(&a.expr))
                {
                    self.hit(Rule::TimerString, call.span, name.unwrap_or_default());
                }
            }
            Callee::Super(_) => {}
        }
        call.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, m: &MemberExpr) {
        let name = Self::prop_name(&m.prop);
        if let Some(n) = name.as_deref() {
            self.check_engine_member(m, n);
        }
        match name.as_deref() {
            Some("constructor") => self.hit(
                Rule::FunctionConstructor,
                m.span,
                "the value of .constructor",
            ),
            Some("__proto__") => self.hit(Rule::PrototypeTricks, m.span, "__proto__"),
            Some("callee") if matches!(m.obj.unwrap_parens(), Expr::Ident(i) if &*i.sym == "arguments") => {
                self.hit(Rule::ArgumentsCallee, m.span, "")
            }
            // `module.exports` is the one use of `module` a game needs; any other is a finding
            // (visit_ident).
            Some("exports") if self.global_named(&m.obj) == Some("module") => {
                self.visit_leading_parts(&m.obj);
                return;
            }
            Some(n) if DESCRIPTOR_REFLECTION.contains(&n) => {
                self.hit(Rule::PrototypeTricks, m.span, n.to_string())
            }
            _ => {}
        }
        if self.is_global_object(&m.obj) {
            match &name {
                Some(n) => {
                    if let Some((_, rule)) = BANNED_GLOBALS.iter().find(|(b, _)| b == n) {
                        self.hit(*rule, m.span, format!("global {n}"));
                    } else if n == "require" {
                        self.hit(Rule::RequireDynamic, m.span, "global require");
                    }
                    // A read of a fixed name: the global object itself is not used as a value.
                    self.visit_leading_parts(&m.obj);
                    if let MemberProp::Computed(c) = &m.prop {
                        c.expr.visit_with(self);
                    }
                    return;
                }
                None => self.hit(
                    Rule::ComputedGlobal,
                    m.span,
                    "a computed name on the global object",
                ),
            }
        }
        // Reading on past .constructor (x.constructor.name) or comparing it is fine; calling it
        // through call/apply/bind or taking it out of a descriptor is not.
        let harmless_read = name
            .as_deref()
            .is_some_and(|n| n != "constructor" && !CALLS_PAST_CONSTRUCTOR.contains(&n));
        if harmless_read && self.visit_harmless_constructor(&m.obj) {
            if let MemberProp::Computed(c) = &m.prop {
                c.expr.visit_with(self);
            }
            return;
        }
        m.visit_children_with(self);
    }

    fn visit_bin_expr(&mut self, b: &BinExpr) {
        use BinaryOp::*;
        if matches!(b.op, EqEq | NotEq | EqEqEq | NotEqEq) {
            for side in [&b.left, &b.right] {
                // Comparing with the string 'constructor' (a prototype-pollution guard) reaches
                // nothing: the string is not on its way to a computed access.
                let compared_string = matches!(side.unwrap_parens(), Expr::Lit(Lit::Str(_)));
                if !compared_string && !self.visit_harmless_constructor(side) {
                    side.visit_with(self);
                }
            }
            return;
        }
        // `x instanceof Function` only asks a question.
        if b.op == InstanceOf && self.global_named(&b.right) == Some("Function") {
            b.left.visit_with(self);
            self.visit_leading_parts(&b.right);
            return;
        }
        b.visit_children_with(self);
    }

    fn visit_unary_expr(&mut self, u: &UnaryExpr) {
        // `typeof process` asks whether it exists; nothing is reached.
        if u.op == UnaryOp::TypeOf && matches!(&*u.arg, Expr::Ident(i) if self.is_global(i)) {
            return;
        }
        // `!x.constructor` and `typeof x.constructor` only ask a question about it.
        if matches!(u.op, UnaryOp::Bang | UnaryOp::TypeOf)
            && self.visit_harmless_constructor(&u.arg)
        {
            return;
        }
        u.visit_children_with(self);
    }

    fn visit_object_pat(&mut self, p: &ObjectPat) {
        for prop in &p.props {
            let key = match prop {
                ObjectPatProp::KeyValue(kv) => match &kv.key {
                    PropName::Ident(i) => Some(Cow::Borrowed(&*i.sym)),
                    PropName::Str(s) => Some(s.value.to_string_lossy()),
                    PropName::Computed(c) => static_string(&c.expr),
                    _ => None,
                },
                ObjectPatProp::Assign(a) => Some(Cow::Borrowed(&*a.key.sym)),
                ObjectPatProp::Rest(_) => None,
            };
            match key.as_deref() {
                Some("constructor") => self.hit(
                    Rule::FunctionConstructor,
                    prop.span(),
                    "destructured constructor",
                ),
                Some("__proto__") => {
                    self.hit(Rule::PrototypeTricks, prop.span(), "destructured __proto__")
                }
                _ => {}
            }
        }
        p.visit_children_with(self);
    }

    fn visit_prop_name(&mut self, n: &PropName) {
        let key = match n {
            PropName::Ident(i) => Some(Cow::Borrowed(&*i.sym)),
            PropName::Str(s) => Some(s.value.to_string_lossy()),
            _ => None,
        };
        match key.as_deref() {
            Some("__proto__") => self.hit(
                Rule::PrototypeTricks,
                n.span(),
                "__proto__ in an object literal",
            ),
            Some(k) if engine_internal(k) => {
                self.hit(Rule::EngineInternals, n.span(), format!("the key {k}"))
            }
            _ => {}
        }
        n.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        if let (Pat::Object(p), Some(init)) = (&d.name, &d.init) {
            self.check_engine_destructure(p, init);
        }
        d.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        if let AssignTarget::Pat(AssignTargetPat::Object(p)) = &a.left {
            self.check_engine_destructure(p, &a.right);
        }
        a.visit_children_with(self);
    }

    fn visit_with_stmt(&mut self, w: &WithStmt) {
        self.hit(Rule::With, w.span, "");
        w.visit_children_with(self);
    }

    fn visit_meta_prop_expr(&mut self, m: &MetaPropExpr) {
        if m.kind == MetaPropKind::ImportMeta {
            self.hit(Rule::ImportMeta, m.span, "");
        }
    }

    fn visit_import_decl(&mut self, d: &ImportDecl) {
        let name = d.src.value.to_string_lossy().into_owned();
        self.check_module_name(Rule::Import, &name, d.span);
    }

    fn visit_export_all(&mut self, d: &ExportAll) {
        let name = d.src.value.to_string_lossy().into_owned();
        self.check_module_name(Rule::Import, &name, d.span);
    }

    fn visit_named_export(&mut self, d: &NamedExport) {
        if let Some(src) = &d.src {
            let name = src.value.to_string_lossy().into_owned();
            self.check_module_name(Rule::Import, &name, d.span);
        }
        d.visit_children_with(self);
    }

    fn visit_expr(&mut self, e: &Expr) {
        // The name `constructor` or `__proto__` spelled as a string value ('constructor',
        // 'constr' + 'uctor', `constr${'uctor'}`) is on its way to a computed access that the
        // member rules can no longer see (`const k = 'constructor'; f[k]`). Object-literal keys
        // (`{ constructor: 1 }`) are property names, not values, and do not get here.
        let suspect = match e {
            // The common case, a plain string: compared in place, nothing allocated.
            Expr::Lit(Lit::Str(s)) => {
                s.value == "constructor"
                    || s.value == "__proto__"
                    || engine_internal(&s.value.to_string_lossy())
            }
            Expr::Tpl(_) | Expr::TaggedTpl(_) => true,
            Expr::Bin(b) => b.op == BinaryOp::Add,
            Expr::Call(c) => {
                matches!(&c.callee, Callee::Expr(f) if is_member_path(f, "JSON", "parse"))
            }
            _ => false,
        };
        if suspect {
            match static_string(e).as_deref() {
                Some("constructor") => self.hit(
                    Rule::FunctionConstructor,
                    e.span(),
                    "the string 'constructor'",
                ),
                Some("__proto__") => {
                    self.hit(Rule::PrototypeTricks, e.span(), "the string '__proto__'")
                }
                Some(n) if engine_internal(n) => {
                    self.hit(Rule::EngineInternals, e.span(), format!("the string '{n}'"))
                }
                _ => {}
            }
        }
        e.visit_children_with(self);
    }

    fn visit_this_expr(&mut self, t: &ThisExpr) {
        // Reads of a fixed name (`this.x`) stop in visit_member_expr; this is `this` as a value.
        if self.scope().may_be_global {
            self.hit(
                Rule::GlobalAlias,
                t.span,
                "`this` (which may be the global object here) used as a value",
            );
        }
    }

    fn visit_function(&mut self, f: &Function) {
        let outer = self.scope();
        let strict = outer.strict
            || f.body
                .as_ref()
                .is_some_and(|b| opens_strict(directive_exprs(&b.stmts)));
        self.scopes.push(ThisScope {
            may_be_global: !strict,
            strict,
        });
        f.visit_children_with(self);
        self.scopes.pop();
    }

    // A function's body is a `FunctionBody`, not a block: functions declared at its top level
    // are ordinary declarations and do not get here.
    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        for stmt in &b.stmts {
            self.check_block_function(stmt);
        }
        b.visit_children_with(self);
    }

    fn visit_switch_case(&mut self, c: &SwitchCase) {
        for stmt in &c.cons {
            self.check_block_function(stmt);
        }
        c.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, i: &IfStmt) {
        self.check_block_function(&i.cons);
        if let Some(alt) = &i.alt {
            self.check_block_function(alt);
        }
        i.visit_children_with(self);
    }

    fn visit_labeled_stmt(&mut self, l: &LabeledStmt) {
        self.check_block_function(&l.body);
        l.visit_children_with(self);
    }

    fn visit_super_prop_expr(&mut self, p: &SuperPropExpr) {
        // `super.g` calls a getter on the prototype with this function's `this`: where that may be
        // the global object, the getter receives it.
        if self.scope().may_be_global {
            self.hit(
                Rule::GlobalAlias,
                p.span,
                "super property read where `this` may be the global object",
            );
        }
        p.visit_children_with(self);
    }

    fn visit_getter_prop(&mut self, g: &GetterProp) {
        self.visit_accessor(&g.key, &g.function);
    }

    fn visit_setter_prop(&mut self, p: &SetterProp) {
        self.visit_accessor(&p.key, &p.function);
    }

    fn visit_class(&mut self, c: &Class) {
        // The `extends` clause and computed member names run in the enclosing code: there `this`
        // is the enclosing `this` (class code is strict, so functions written there are too).
        let outer = self.scope();
        self.scopes.push(ThisScope {
            may_be_global: outer.may_be_global,
            strict: true,
        });
        c.decorators.visit_with(self);
        c.super_class.visit_with(self);
        for member in &c.body {
            match member {
                ClassMember::Method(m) => m.key.visit_with(self),
                ClassMember::ClassProp(p) => p.key.visit_with(self),
                ClassMember::AutoAccessor(a) => a.key.visit_with(self),
                _ => {}
            }
        }
        self.scopes.pop();
        // Class bodies are strict code: `this` in their methods, and in plain functions inside
        // them, is never the global object. (Computed keys are visited again with their members;
        // a finding found twice is reported once.)
        self.scopes.push(ThisScope {
            may_be_global: false,
            strict: true,
        });
        c.body.visit_with(self);
        self.scopes.pop();
    }
}
