// The first script of every isolate. It takes what the runtime needs from the engine, removes
// everything a game must not reach (the engine's own API, eval, the Function constructors,
// WebAssembly), installs the deterministic clock, timers and Math.random, and the CommonJS
// loader. Its completion value is the runtime's private handle; no global names it afterwards.
(function bootstrap(globalThis) {
  'use strict';
  const ops = globalThis.Deno.core.ops;
  const opState = ops.op_hg_state;
  const opLog = ops.op_hg_log;
  const opConfig = ops.op_hg_config;
  const cfg = JSON.parse(opConfig());

  // --- Lock the sandbox down -------------------------------------------------------------------
  // Every global that is not on this list goes: the engine's own (Deno, __bootstrap, the backend's
  // intrinsic tables), WebAssembly, SharedArrayBuffer (its memory is outside the heap cap and
  // Atomics.wait sleeps through every watchdog) and what makes a run depend on the collector
  // (WeakRef, FinalizationRegistry). js-runtime/tests/sandbox.rs walks what is left.
  const KEEP = new Set([
    'globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
    'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
    'AggregateError', 'Array', 'ArrayBuffer', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Boolean', 'DataView',
    'Date', 'Error', 'EvalError', 'Float16Array', 'Float32Array', 'Float64Array', 'Function', 'Int8Array', 'Int16Array',
    'Int32Array', 'Iterator', 'Map', 'Number', 'Object', 'Promise', 'Proxy', 'RangeError', 'ReferenceError', 'RegExp',
    'Set', 'String', 'Symbol', 'SyntaxError', 'TypeError', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array',
    'Uint32Array', 'URIError', 'WeakMap', 'WeakSet', 'Atomics', 'JSON', 'Math', 'Reflect', 'Intl', 'SuppressedError',
    'DisposableStack', 'AsyncDisposableStack', 'queueMicrotask',
  ]);
  for (const key of Reflect.ownKeys(globalThis)) {
    if (typeof key === 'string' && KEEP.has(key)) continue;
    if (!Reflect.deleteProperty(globalThis, key)) throw new Error(`cannot remove the global ${String(key)}`);
  }
  if (typeof Atomics === 'object') {
    for (const name of ['wait', 'waitAsync']) {
      if (name in Atomics && !Reflect.deleteProperty(Atomics, name)) throw new Error(`cannot remove Atomics.${name}`);
    }
  }
  // Kept for compiling nothing: module bodies are compiled by the engine from Rust.
  const refuse = (what) => function refused() {
    throw new EvalError(`${what} is not available in the game sandbox`);
  };
  const evalRefused = refuse('eval');
  Object.defineProperty(globalThis, 'eval', { value: evalRefused, writable: false, configurable: false });
  // Every way to reach a function constructor from an existing function goes through these
  // prototypes' `constructor` properties.
  const lockConstructor = (proto, name) => {
    const refused = refuse(name);
    refused.prototype = proto;
    Object.defineProperty(proto, 'constructor', { value: refused, writable: false, configurable: false });
    return refused;
  };
  const FunctionRefused = lockConstructor(Function.prototype, 'the Function constructor');
  Object.defineProperty(globalThis, 'Function', { value: FunctionRefused, writable: false, configurable: false });
  lockConstructor(Object.getPrototypeOf(async function () {}), 'the AsyncFunction constructor');
  lockConstructor(Object.getPrototypeOf(function* () {}), 'the GeneratorFunction constructor');
  lockConstructor(Object.getPrototypeOf(async function* () {}), 'the AsyncGeneratorFunction constructor');

  // --- Logging ------------------------------------------------------------------------------
  const show = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.stack || String(v);
    try { return JSON.stringify(v); } catch (_) { return String(v); }
  };
  const log = (level) => (...args) => opLog(level, args.map(show).join(' '));
  globalThis.console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), trace: log('debug') };
  const reportException = (where, e) => {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : show(e);
    opLog('exception', JSON.stringify({ where, message, stack: (e && e.stack) || '' }));
  };

  // --- Clock, timers and Math.random -------------------------------------------------------
  let now = 0; // virtual milliseconds since the session started
  const epochMs = cfg.epochMs;
  const OriginalDate = Date;
  const currentMs = () => epochMs + Math.floor(now);
  // Date keeps its identity (Date.prototype.constructor === Date, subclasses work) but no path to
  // the real clock remains: the constructor and Date() without arguments, Date.now, and Intl's
  // formatters with no date all read the session clock.
  const SessionDate = new Proxy(OriginalDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [currentMs()] : args, newTarget);
    },
    apply() {
      return new OriginalDate(currentMs()).toString();
    },
  });
  Object.defineProperty(OriginalDate, 'now', { value: function now() { return currentMs(); }, writable: true, configurable: true });
  Object.defineProperty(OriginalDate.prototype, 'constructor', { value: SessionDate, writable: true, configurable: true });
  globalThis.Date = SessionDate;
  if (typeof Intl === 'object' && Intl.DateTimeFormat) {
    const proto = Intl.DateTimeFormat.prototype;
    const format = Object.getOwnPropertyDescriptor(proto, 'format');
    const formatToParts = proto.formatToParts;
    // V8 has `format` as a getter of a bound function; other engines as a plain method.
    const realFormat = (dtf) => (format.get ? format.get.call(dtf) : format.value.bind(dtf));
    Object.defineProperty(proto, 'format', {
      configurable: true,
      get() {
        const real = realFormat(this);
        return (date) => real(date === undefined ? currentMs() : date);
      },
    });
    if (formatToParts) proto.formatToParts = function formatToPartsAt(date) { return formatToParts.call(this, date === undefined ? currentMs() : date); };
  }
  globalThis.performance = Object.freeze({ now: () => now, timeOrigin: epochMs });

  // mulberry32: the generator the reference harness seeds too, so draws line up one for one.
  let seed = cfg.seed >>> 0;
  Math.random = function random() {
    seed = (seed + 0x6D2B79F5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  // Timers as Node runs them: a delay below 1 ms (or not a number) is 1 ms; timers due at the
  // same moment run in the order they were armed; an interval is re-armed at due + delay.
  // At most MAX_TIMERS pending at once: past that, arming throws, so a loop of setInterval calls
  // cannot make the host hold a timer table without end.
  const MAX_TIMERS = 1000;
  const timers = new Map();
  let nextTimerId = 1;
  let armSeq = 0;
  const arm = (fn, delay, args, repeat) => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    let d = Number(delay);
    if (!(d >= 1 && d <= 2147483647)) d = 1;
    if (timers.size >= MAX_TIMERS) throw new RangeError(`a game may have at most ${MAX_TIMERS} pending timers`);
    const id = nextTimerId++;
    timers.set(id, { id, fn, args, delay: d, due: now + d, seq: armSeq++, repeat });
    return id;
  };
  const disarm = (id) => { timers.delete(typeof id === 'object' && id ? id.id : id); };
  globalThis.setTimeout = (fn, delay, ...args) => arm(fn, delay, args, false);
  globalThis.setInterval = (fn, delay, ...args) => arm(fn, delay, args, true);
  // setImmediate: a timer of 1 ms (the game-only semantics of the older games), or, once a
  // session on squish 1.4.x turns on the check phase, its own queue that runs after each turn of
  // the loop (bounded like the timer table).
  let checkPhase = false;
  const immediates = new Map();
  let nextImmediateId = 1;
  const setImmediateFn = (fn, ...args) => {
    if (!checkPhase) return arm(fn, 0, args, false);
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    if (immediates.size >= MAX_TIMERS) throw new RangeError(`a game may have at most ${MAX_TIMERS} pending immediates`);
    const id = -(nextImmediateId++);
    immediates.set(id, { fn, args });
    return id;
  };
  const clearImmediateFn = (id) => {
    const key = typeof id === 'object' && id ? id.id : id;
    if (!immediates.delete(key)) disarm(id);
  };
  globalThis.setImmediate = setImmediateFn;
  globalThis.clearTimeout = disarm;
  globalThis.clearInterval = disarm;
  globalThis.clearImmediate = clearImmediateFn;
  const nextTimer = () => {
    let best = null;
    for (const t of timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  };

  // --- CommonJS ------------------------------------------------------------------------------
  // Two registries: the game's (its own files and the shared helpers games import) and ours (the
  // driver, squishjs, Buffer). A game's require resolves only in the first; ours are reached only
  // through the runtime's handle. Every module arrives compiled by the engine as a function body.
  const gameModules = new Map(); // absolute virtual path -> { factory } | { json } | { broken }
  const runtimeModules = new Map();
  const builtins = new Map(); // module name -> () => exports
  const cache = new Map(); // registry -> path -> module
  cache.set(gameModules, new Map());
  cache.set(runtimeModules, new Map());
  const builtinCache = new Map();
  const normalize = (path) => {
    const out = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  };
  const dirname = (p) => p.slice(0, p.lastIndexOf('/')) || '/';
  const resolveFile = (registry, p) => {
    for (const candidate of [p, p + '.js', p + '.json', p + '/index.js', p + '/index.json']) {
      if (registry.has(candidate)) return candidate;
    }
    return null;
  };
  // Node's own modules: some real games import one (never using it). Such a require succeeds and
  // returns a module whose every use fails, naming what is missing.
  const NODE_BUILTINS = new Set(['assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'constants', 'crypto',
    'dgram', 'diagnostics_channel', 'dns', 'domain', 'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'inspector',
    'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'punycode', 'querystring', 'readline', 'repl', 'stream',
    'string_decoder', 'sys', 'timers', 'tls', 'trace_events', 'tty', 'url', 'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib']);
  const unavailableModule = (name) => new Proxy(Object.create(null), {
    get(_, key) {
      if (typeof key === 'symbol') return undefined;
      throw new Error(`${name}.${key} is not available: module '${name}' is not available in game sandbox`);
    },
    set() { throw new Error(`module '${name}' is not available in game sandbox`); },
    has() { return false; },
    ownKeys() { return []; },
  });
  const notAvailable = (name, from) => {
    const e = new Error(`Cannot find module '${name}' (required from ${from}): module not available in game sandbox. ` +
      `A game may require only its own files (./ or ../) and squish-NNN.`);
    e.code = 'MODULE_NOT_FOUND';
    return e;
  };
  const apply = Reflect.apply;
  const load = (registry, path) => {
    const modules = cache.get(registry);
    if (modules.has(path)) return modules.get(path).exports;
    const entry = registry.get(path);
    const module = { id: path, filename: path, exports: {}, loaded: false, children: [] };
    modules.set(path, module);
    try {
      if ('json' in entry) {
        module.exports = JSON.parse(entry.json);
      } else if ('broken' in entry) {
        throw new SyntaxError(entry.broken);
      } else {
        apply(entry.factory, module.exports, [module.exports, makeRequire(registry, path), module, path, dirname(path)]);
      }
    } catch (e) {
      modules.delete(path);
      throw e;
    }
    module.loaded = true;
    return module.exports;
  };
  const makeRequire = (registry, from) => {
    const require = (name) => {
      if (typeof name !== 'string') throw new TypeError('require() takes a string');
      if (builtins.has(name)) {
        if (!builtinCache.has(name)) builtinCache.set(name, builtins.get(name)());
        return builtinCache.get(name);
      }
      const bare = name.startsWith('node:') ? name.slice(5) : name;
      if (NODE_BUILTINS.has(bare)) return unavailableModule(name);
      if (name.startsWith('./') || name.startsWith('../') || name.startsWith('/') || name === '.' || name === '..') {
        const target = resolveFile(registry, normalize(dirname(from) + '/' + name));
        if (target) return load(registry, target);
      }
      throw notAvailable(name, from);
    };
    require.resolve = (name) => {
      if (builtins.has(name)) return name;
      const target = resolveFile(registry, normalize(dirname(from) + '/' + name));
      if (!target) throw notAvailable(name, from);
      return target;
    };
    require.cache = {};
    return require;
  };
  const registryOf = (internal) => (internal ? runtimeModules : gameModules);

  // Nothing a game can change on a prototype reaches the handle: it has no prototype, and no
  // function of ours is strict-mode-less (stack-trace call sites give no `this` or function).
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });

  // The handle the Rust side keeps; nothing in the sandbox names it. Every entry point catches
  // and reports game exceptions itself.
  const hg = Object.assign(Object.create(null), {
    cfg,
    opState,
    reportException,
    define(path, factory, internal) { registryOf(internal).set(path, { factory }); },
    defineJson(path, json, internal) { registryOf(internal).set(path, { json }); },
    defineBroken(path, message, internal) { registryOf(internal).set(path, { broken: message }); },
    require: (path) => load(gameModules, path),
    makeRequire: (from) => makeRequire(gameModules, from),
    now: () => now,
    setNow(t) { if (t > now) now = t; },
    nextTimerDue() { const t = nextTimer(); return t ? t.due : -1; },
    // Runs the next due timer; returns false when none is due by `limit`.
    runNextTimer(limit) {
      const t = nextTimer();
      if (!t || t.due > limit) return false;
      if (t.due > now) now = t.due;
      if (!t.repeat) timers.delete(t.id);
      try {
        apply(t.fn, undefined, t.args);
      } catch (e) {
        reportException('timer', e);
      }
      // Node re-inserts an interval after its callback ran (unless the callback cleared it), so
      // timers armed inside the callback for the same moment come first.
      if (t.repeat && timers.get(t.id) === t) { t.due += t.delay; t.seq = armSeq++; }
      return true;
    },
    clearAllTimers() { timers.clear(); immediates.clear(); },
    setImmediate: setImmediateFn,
    useCheckPhase() { checkPhase = true; },
    // Runs the oldest queued immediate; false when none is left.
    runImmediate() {
      const first = immediates.keys().next();
      if (first.done) return false;
      const entry = immediates.get(first.value);
      immediates.delete(first.value);
      try {
        apply(entry.fn, undefined, entry.args);
      } catch (e) {
        reportException('immediate', e);
      }
      return true;
    },
    // Builtins: one `squish-NNN` module per alias, built from our implementation and its profile.
    defineProfiles(profiles) {
      for (const alias of Object.keys(profiles)) {
        builtins.set('squish-' + alias, () => load(runtimeModules, '/.homegames/squishjs/index.js')(profiles[alias], hg));
      }
    },
    // Our own globals and the driver, before any game file is compiled.
    seal() {
      globalThis.Buffer = load(runtimeModules, '/.homegames/buffer.js');
      load(runtimeModules, '/.homegames/array_sort.js')(Array.prototype);
      hg.driver = load(runtimeModules, '/.homegames/driver.js')(hg);
    },
    drive(method, ...args) { return hg.driver[method](...args); },
  });
  return hg;
})(globalThis);
