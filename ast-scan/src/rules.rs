//! Every rule of the scan in one place, with what it stops. A finding names its rule by id.

/// A rule: its id (stable, used by tests and tools) and a one-line explanation for authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "&'static str")]
pub enum Rule {
    /// A file that does not parse cannot be checked, so it cannot be published.
    Parse,
    /// `require` of a Node built-in the original scanner bans (fs, net, child_process, …):
    /// stops direct access to the host.
    BannedModule,
    /// `require` of anything but `./`, `../` or `squish-NNN`: npm packages are not in the sandbox.
    RequirePackage,
    /// `require(x)` with a computed name: what it loads cannot be known before it runs.
    RequireDynamic,
    /// `import()` and `import … from` of anything but the same: the same reasons as require.
    Import,
    /// `import.meta`: module metadata leaks paths and loader details.
    ImportMeta,
    /// Any use of the global `eval` (direct, indirect, aliased, through globalThis/window/self).
    Eval,
    /// Any way to the Function constructor (`Function`, `new Function`, `.constructor.constructor`,
    /// the prototypes of async and generator functions): code from strings.
    FunctionConstructor,
    /// Any use of the global `process`: env, binding, mainModule, dlopen.
    Process,
    /// `setTimeout`/`setInterval` with a string: the string is evaluated as code.
    TimerString,
    /// `with` statements hide which names a block really reaches.
    With,
    /// `WebAssembly` compiles and runs native-speed code from bytes.
    WebAssembly,
    /// `__proto__`, `Reflect`, `Proxy` and property-descriptor reflection
    /// (`getOwnPropertyDescriptor(s)`, `__lookupGetter__`, …) are the usual ways around property
    /// checks to a constructor.
    PrototypeTricks,
    /// A computed property of globalThis/global/window/self (or top-level `this`) whose name cannot
    /// be worked out before running: it can reach anything above.
    ComputedGlobal,
    /// The global object (or `this` where it may be the global object: the top level of a script
    /// and plain functions of sloppy-mode code) used as a value, e.g. `const g = globalThis` or
    /// `const { eval: e } = window`: what is later read from it cannot be known, so only reads of a
    /// fixed name (`globalThis.Math`) are allowed.
    GlobalAlias,
    /// `arguments.callee` reaches the running function (and through it its constructor).
    ArgumentsCallee,
    /// `module` for anything but `module.exports`: in Node the module object carries `require`,
    /// its constructor's `_load` and `createRequire`, each a way around the require rules.
    ModuleObject,
    /// A function declared inside a block (or an `if`, or a `switch` case) of sloppy code with
    /// the name of a global the rules check: whether it hides the global depends on the code
    /// around it (Annex B hoisting), and the scan will not guess.
    BlockFunctionGlobal,
    /// A name of the engine's own machinery that a game has no business with: `__bootstrap`,
    /// anything starting `__v8x`, `Deno`, `primordials`, `.ops` on `core` (or on anything's
    /// `.core`), and `op_…` names read from such objects. Behind them lie the engine's ops (raw
    /// calls into the host), its print, and intrinsic tables that build code from strings. The
    /// runtime hides them too; the scan refuses what it can see so a publish says so.
    EngineInternals,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::Parse => "parse-error",
            Rule::BannedModule => "banned-module",
            Rule::RequirePackage => "require-package",
            Rule::RequireDynamic => "require-dynamic",
            Rule::Import => "import",
            Rule::ImportMeta => "import-meta",
            Rule::Eval => "eval",
            Rule::FunctionConstructor => "function-constructor",
            Rule::Process => "process",
            Rule::TimerString => "timer-string",
            Rule::With => "with-statement",
            Rule::WebAssembly => "webassembly",
            Rule::PrototypeTricks => "prototype-tricks",
            Rule::ComputedGlobal => "computed-global",
            Rule::GlobalAlias => "global-alias",
            Rule::ArgumentsCallee => "arguments-callee",
            Rule::ModuleObject => "module-object",
            Rule::BlockFunctionGlobal => "block-function-global",
            Rule::EngineInternals => "engine-internals",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Rule::Parse => "the file does not parse as JavaScript",
            Rule::BannedModule => "Node's own modules are not available to games",
            Rule::RequirePackage => "a game may require only its own files (./, ../) and squish-NNN",
            Rule::RequireDynamic => "require needs a literal module name",
            Rule::Import => "a game may import only its own files (./, ../) and squish-NNN, with a literal name",
            Rule::ImportMeta => "import.meta is not available to games",
            Rule::Eval => "eval is not allowed in any form",
            Rule::FunctionConstructor => "building functions from strings (the Function constructor) is not allowed",
            Rule::Process => "games may not use process",
            Rule::TimerString => "setTimeout/setInterval take a function, not a string of code",
            Rule::With => "with statements are not allowed",
            Rule::WebAssembly => "WebAssembly is not available to games",
            Rule::PrototypeTricks => "__proto__, Reflect, Proxy and property-descriptor reflection are not allowed",
            Rule::ComputedGlobal => "computed access to the global object must use a fixed name",
            Rule::GlobalAlias => "the global object may only be read with a fixed name, not passed around as a value (in sloppy-mode functions `this` may be the global object: use a class, an arrow function or \"use strict\")",
            Rule::ArgumentsCallee => "arguments.callee is not allowed",
            Rule::ModuleObject => "module may only be used as module.exports",
            Rule::BlockFunctionGlobal => "a function declared in a block may not be named like a checked global (eval, Function, process, require, module, …)",
            Rule::EngineInternals => "the engine's internals (__bootstrap, __v8x…, Deno, primordials, core.ops, op_… names) are not available to games",
        }
    }
}

impl From<Rule> for &'static str {
    fn from(r: Rule) -> &'static str {
        r.id()
    }
}

/// The original scanner's banned Node modules (also with the `node:` prefix).
pub const BANNED_MODULES: &[&str] = &[
    "child_process",
    "fs",
    "fs/promises",
    "net",
    "tls",
    "dns",
    "dgram",
    "http",
    "https",
    "http2",
    "cluster",
    "worker_threads",
    "vm",
    "os",
    "path",
    "crypto",
    "module",
    "repl",
    "inspector",
    "perf_hooks",
    "trace_events",
    "v8",
    "process",
];

/// Globals whose mere use is a finding, with the rule.
pub const BANNED_GLOBALS: &[(&str, Rule)] = &[
    ("eval", Rule::Eval),
    ("Function", Rule::FunctionConstructor),
    ("process", Rule::Process),
    ("WebAssembly", Rule::WebAssembly),
    ("Reflect", Rule::PrototypeTricks),
    ("Proxy", Rule::PrototypeTricks),
];

/// Property names that read a property's descriptor (and so its value or getter) without naming the
/// access in the source: `getOwnPropertyDescriptor(p, 'constr' + 'uctor').value`.
pub const DESCRIPTOR_REFLECTION: &[&str] = &[
    "getOwnPropertyDescriptor",
    "getOwnPropertyDescriptors",
    "__lookupGetter__",
    "__lookupSetter__",
    "__defineGetter__",
    "__defineSetter__",
];

/// What may be read past `.constructor` without reaching the constructor as a callable: everything
/// but the ways to call it (`call`, `apply`, `bind`) or to take it out of a descriptor (`value`,
/// `get`). `this.constructor.metadata()` and `x.constructor.name` stay fine.
pub const CALLS_PAST_CONSTRUCTOR: &[&str] = &["call", "apply", "bind", "value", "get", "set"];

/// Names of the global object.
pub const GLOBAL_OBJECTS: &[&str] = &["globalThis", "global", "window", "self"];

/// Every name a rule treats differently when it is a global rather than a local: the banned
/// globals, the global object's names, `require` and `module`. The resolver shortcut (`shadowing.rs`)
/// relies on it: a rule that checks a new global by name must have it here too.
pub fn checked_as_global(name: &str) -> bool {
    BANNED_GLOBALS.iter().any(|(n, _)| *n == name)
        || GLOBAL_OBJECTS.contains(&name)
        || name == "require"
        || name == "module"
}

/// Names of the engine's machinery refused wherever they appear: as an identifier (global or
/// local: a game has no reason to use these words), a property read, an object or class key, a
/// destructured key, or a string value on its way to a computed access.
pub fn engine_internal(name: &str) -> bool {
    name == "__bootstrap" || name.starts_with("__v8x") || name == "Deno" || name == "primordials"
}

/// The engine's ops table is reached as `.ops` of its `core` object; what is read from that
/// table (and `op_…` names read from `core` or an `ops` object) are ops.
pub const CORE_OBJECT: &str = "core";
pub const OPS_TABLE: &str = "ops";
pub const OP_PREFIX: &str = "op_";

/// `require`/`import` names a game may load.
pub fn allowed_module(name: &str) -> bool {
    name.starts_with("./")
        || name.starts_with("../")
        || name
            .strip_prefix("squish-")
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

pub fn banned_module(name: &str) -> bool {
    let bare = name.strip_prefix("node:").unwrap_or(name);
    BANNED_MODULES.contains(&bare) || name.starts_with("node:")
}
