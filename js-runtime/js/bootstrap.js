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
  delete globalThis.Deno;
  delete globalThis.WebAssembly;
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
  class SessionDate extends OriginalDate {
    constructor(...args) {
      if (args.length === 0) super(currentMs());
      else super(...args);
    }
    static now() { return currentMs(); }
  }
  globalThis.Date = SessionDate;
  globalThis.performance = { now: () => now, timeOrigin: epochMs };

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
  const timers = new Map();
  let nextTimerId = 1;
  let armSeq = 0;
  const arm = (fn, delay, args, repeat) => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    let d = Number(delay);
    if (!(d >= 1 && d <= 2147483647)) d = 1;
    const id = nextTimerId++;
    timers.set(id, { id, fn, args, delay: d, due: now + d, seq: armSeq++, repeat });
    return id;
  };
  const disarm = (id) => { timers.delete(typeof id === 'object' && id ? id.id : id); };
  globalThis.setTimeout = (fn, delay, ...args) => arm(fn, delay, args, false);
  globalThis.setInterval = (fn, delay, ...args) => arm(fn, delay, args, true);
  globalThis.setImmediate = (fn, ...args) => arm(fn, 0, args, false);
  globalThis.clearTimeout = disarm;
  globalThis.clearInterval = disarm;
  globalThis.clearImmediate = disarm;
  const nextTimer = () => {
    let best = null;
    for (const t of timers.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  };

  // --- CommonJS ------------------------------------------------------------------------------
  const factories = new Map(); // absolute virtual path -> { factory } | { json }
  const builtins = new Map(); // module name -> () => exports
  const cache = new Map();
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
  const resolveFile = (p) => {
    for (const candidate of [p, p + '.js', p + '.json', p + '/index.js', p + '/index.json']) {
      if (factories.has(candidate)) return candidate;
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
  const load = (path) => {
    if (cache.has(path)) return cache.get(path).exports;
    const entry = factories.get(path);
    const module = { id: path, filename: path, exports: {}, loaded: false, children: [] };
    cache.set(path, module);
    try {
      if ('json' in entry) {
        module.exports = JSON.parse(entry.json);
      } else {
        entry.factory.call(module.exports, module.exports, makeRequire(path), module, path, dirname(path));
      }
    } catch (e) {
      cache.delete(path);
      throw e;
    }
    module.loaded = true;
    return module.exports;
  };
  const makeRequire = (from) => {
    const require = (name) => {
      if (typeof name !== 'string') throw new TypeError('require() takes a string');
      if (builtins.has(name)) {
        if (!cache.has(name)) cache.set(name, { exports: builtins.get(name)() });
        return cache.get(name).exports;
      }
      const bare = name.startsWith('node:') ? name.slice(5) : name;
      if (NODE_BUILTINS.has(bare)) return unavailableModule(name);
      if (name.startsWith('./') || name.startsWith('../') || name.startsWith('/') || name === '.' || name === '..') {
        const target = resolveFile(normalize(dirname(from) + '/' + name));
        if (target) return load(target);
      }
      throw notAvailable(name, from);
    };
    require.resolve = (name) => {
      if (builtins.has(name)) return name;
      const target = resolveFile(normalize(dirname(from) + '/' + name));
      if (!target) throw notAvailable(name, from);
      return target;
    };
    require.cache = {};
    return require;
  };

  // The handle the Rust side keeps. Every entry point catches and reports game exceptions itself.
  const hg = {
    cfg,
    opState,
    reportException,
    define(path, factory) { factories.set(path, { factory }); },
    defineJson(path, json) { factories.set(path, { json }); },
    defineBuiltin(name, make) { builtins.set(name, make); },
    require: (path) => load(path),
    makeRequire,
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
        t.fn.apply(undefined, t.args);
      } catch (e) {
        reportException('timer', e);
      }
      // Node re-inserts an interval after its callback ran (unless the callback cleared it), so
      // timers armed inside the callback for the same moment come first.
      if (t.repeat && timers.get(t.id) === t) { t.due += t.delay; t.seq = armSeq++; }
      return true;
    },
    clearAllTimers() { timers.clear(); },
    // Builtins: one `squish-NNN` module per alias, built from our implementation and its profile.
    defineProfiles(profiles) {
      for (const alias of Object.keys(profiles)) {
        builtins.set('squish-' + alias, () => load('/.homegames/squishjs/index.js')(profiles[alias], hg));
      }
    },
    // Module definitions arrive as scripts calling this global; sealing removes it for good.
    seal() {
      delete globalThis.__hg_loader;
      globalThis.Buffer = load('/.homegames/buffer.js');
      hg.driver = load('/.homegames/driver.js')(hg);
    },
    drive(method, ...args) { return hg.driver[method](...args); },
  };
  Object.defineProperty(globalThis, '__hg_loader', {
    value: Object.freeze({ define: hg.define, defineJson: hg.defineJson }),
    configurable: true,
    enumerable: false,
  });
  return hg;
})(globalThis);
