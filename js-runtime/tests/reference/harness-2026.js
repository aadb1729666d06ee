#!/usr/bin/env node
// Our reference harness for the 2026 Homegames platform: runs one game under the REAL
// `GameSession` of homegames-common@1.6.0 (no frame: `new GameSession(game, squishVersion)`, as
// homegames-core's `startServerNoFrame` does) with the squishjs oracle of its version, under the
// same seeded Math.random and virtual event loop as our runtime, drives a script, and records
// every frame each player receives.
//
//   node harness-2026.js GAME_DIR SCRIPT.json OUT_DIR
//
// Output: OUT_DIR/p<id>.bin (u32le length + frame bytes, in emission order, frames only) and
// OUT_DIR/log.json {events, exceptions, caughtBySession, console, leaks, network}. The script
// format is harness.js's. Semantics: ../../../../shared/spec/game-only-frames.md, last section,
// with the choices below. A game that fails on the original (load, constructor) is recorded
// (`exceptions`, `where: 'load'`), and the harness still writes log.json and exits 0. Other
// `exceptions`: `timer`, `immediate` (thrown by a callback of the virtual loop: uncaught on a real
// server), `initialize` (its promise rejected), `unhandledRejection`, `uncaughtException`, and the
// event type when a dispatch throws past the session. `caughtBySession`: every console.error
// the session makes with its `[GameSession]` prefix (handler exceptions it catches), as the
// message string. `network`: refused http/https requests and fetch calls.
//
// Packages: ./node_modules (scripts/install-oracle): homegames-common@1.6.0 unpacked without its
// dependencies in node_modules/.homegames-common-1.6.0, homegames-common@1.4.2 and
// homegames-core@1.4.3. The squishjs oracles and the corpus are read from the shared folder
// (the repository's parent `../shared`, or $HG_SHARED), never copied.
//
// Module resolution (Module._resolveFilename):
//   squish-136|138|139 -> <shared>/oracle/squishjs-1.3.6, squish-140|142|143 ->
//   <shared>/oracle/squishjs-1.4.3 (from the game and from game-session.js; SQUISH_PATH is also
//   set to the game's oracle, which GameSession prefers); `ws` -> a stub `{ OPEN: 1 }`;
//   `homegames-common` -> the installed 1.4.2 (the corpus's src/common helpers use its `log`);
//   and a relative require of a file under the corpus's `src/common` (GAME_DIR/../../common) that
//   does not exist there falls back to the same path under
//   node_modules/homegames-core/src/common (homegames-core@1.4.3, identical where both exist).
//
// Deliberate differences from the bare 1.6.0 session, both applied here so that our runtime can
// be compared with it:
//   * File inputs are decoded as the platform at 2026-07-15 does (homegames-common 4ae06e3, which
//     our runtime implements): base64 string or {"0":..} object -> Buffer (null, and no oninput
//     call, when empty or > 8 MiB), `oninput(pid, buffer, { kind, contentType, fileName })`.
//     1.6.0 passes `Object.values(input)` instead. This is the one shim over 1.6.0's code.
//   * No leak of private nodes: `_sendPlayerFrame` sends `getPlayerFrame(id) || squisher.state`,
//     so a player no node names receives the whole state, other players' private nodes included.
//     We send such a player what the Squisher would build for a player in its map: the shared
//     nodes of the last squish (every node whose path filter was empty, in traversal order).
//     `leaks` in log.json counts the frames where the original would have sent other bytes.
//     Only for 1.4.x squishers (squishHelper takes the sharedNodes list); 1.3.6 keeps the
//     original behaviour.
//
// Virtual event loop (our runtime implements the same):
//   * setTimeout/setInterval: delay < 1, > 2^31-1 or NaN -> 1; due = now + delay; run in (due,
//     arming order); an interval is re-armed at due + delay right after its callback (a new
//     arming number). setImmediate is a separate FIFO queue, not a timer.
//   * An iteration at time T (one per distinct due time): now = T; every timer due <= T in
//     (due, arming) order, microtasks drained after each; then the check phase: the queued
//     immediates FIFO, microtasks after each, including immediates queued meanwhile, until none
//     is left.
//   * After setup one check phase runs. Each script event is its own iteration: first every timer
//     iteration with due <= t, then now = max(now, t), the event, microtasks, a check phase.
//     At the end, timer iterations up to endMs.
//   * Asset data (`Asset.getData()` of the squishjs oracles) never touches the network: an asset
//     with data resolves it, a download never answers (as with no connection, and as in our
//     runtime, where asset bytes are the host's business); the bundle is not compared.
//
// Setup: tooling (game-session.js, homegames-common@1.4.2, both squishjs oracles), then
// Math.random = mulberry32(seed) (no draw discarded) and the virtual clock, then the game module,
// `new GameClass({ addAsset })` (addAsset = session.handleNewAsset; no saveGame, saveData,
// services), `new GameSession(game, squishVersion)`, `session.initialize()`, microtasks, one
// check phase.
//
// Dispatch (one fake ws per player, readyState 1; frames = its sends inside _sendPlayerFrame;
// every message goes through JSON.parse(JSON.stringify(...))):
//   join      session.addPlayer(p, ws, { clientInfo: e.clientInfo || {}, info: e.name ? { name } : undefined })
//   leave     session.removePlayer(p), then the ws records nothing more
//   click     handleInput {type:'click', data:{x,y}}; `hit` = session._findClick(x, y, false, p)
//             probed before the click when x, y are numbers in [0, 100) ({nodeId, hasHandler,
//             found} via game.findNode), else null
//   mouseup   {type:'mouseup', data:{x,y}};  keydown/keyup {type, key}
//   input     {type:'input', nodeId, input, contentType?, fileName?} (the last two from the
//             event, for file inputs); `inputNode` = nodeId if game.findNode finds a node with
//             .node.input, else null
//   onhover/offhover {type, nodeId};  gamepad {type:'input', gamepad:true, input}
// An event for a player not connected (or a second join) gets `error` and is skipped. Each event
// record: the event plus `frames` (sent by it and its check phase), `hit`, `inputNode`, `error`.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const [gameDir, scriptPath, outDir] = process.argv.slice(2).map((p) => path.resolve(p));
const script = JSON.parse(fs.readFileSync(scriptPath, 'utf8'));

const shared = process.env.HG_SHARED ? path.resolve(process.env.HG_SHARED) : path.resolve(__dirname, '../../../../shared');
const oracle136 = path.join(shared, 'oracle', 'squishjs-1.3.6');
const oracle143 = path.join(shared, 'oracle', 'squishjs-1.4.3');
const squishFolders = { 136: oracle136, 138: oracle136, 139: oracle136, 140: oracle143, 142: oracle143, 143: oracle143 };
const nodeModules = path.join(__dirname, 'node_modules');
const common160 = path.join(nodeModules, '.homegames-common-1.6.0');
const common142 = path.join(nodeModules, 'homegames-common');
const coreCommon = path.join(nodeModules, 'homegames-core', 'src', 'common');
const corpusCommon = path.resolve(gameDir, '..', '..', 'common');
for (const [what, p] of [['homegames-common@1.6.0', path.join(common160, 'game-session.js')], ['homegames-common@1.4.2', path.join(common142, 'package.json')], ['homegames-core@1.4.3', coreCommon], ['squishjs-1.3.6 oracle', oracle136], ['squishjs-1.4.3 oracle', oracle143]]) {
  if (!fs.existsSync(p)) {
    process.stderr.write(`harness-2026: ${what} not found at ${p} (run scripts/install-oracle; set HG_SHARED for the shared folder)\n`);
    process.exit(2);
  }
}

const log = { events: [], exceptions: [], caughtBySession: [], console: [], leaks: 0, network: [] };
const describe = (e) => (e && e.name ? `${e.name}: ${e.message}` : String(e));
const record = (where, e) => log.exceptions.push({ where, message: describe(e) });
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => {
    const message = args.map(String).join(' ');
    // The session catches exceptions of the game's handlers and logs them with this prefix.
    if (level === 'error' && typeof args[0] === 'string' && args[0].startsWith('[GameSession]')) log.caughtBySession.push(message);
    if (log.console.length < 10000) log.console.push({ level, message });
  };
}

// --- No network, a private home --------------------------------------------------------------
const offline = require('./offline.js');
offline.privateHome();
const realSetImmediate = setImmediate;
offline.refuseNetwork(log.network, realSetImmediate);
process.on('unhandledRejection', (e) => record('unhandledRejection', e));
process.on('uncaughtException', (e) => record('uncaughtException', e));

// --- Module resolution -------------------------------------------------------------------------
const WS_STUB = path.join(__dirname, '[ws stub of harness-2026]');
{
  const stub = new Module(WS_STUB, null);
  stub.filename = WS_STUB;
  stub.loaded = true;
  stub.exports = { OPEN: 1 };
  Module._cache[WS_STUB] = stub;
}
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function harnessResolve(request, parent, isMain, options) {
  const squish = /^squish-(\d+)$/.exec(request);
  if (squish && squishFolders[squish[1]]) return resolveFilename.call(this, squishFolders[squish[1]], parent, isMain, options);
  if (request === 'ws') return WS_STUB;
  if (request === 'homegames-common') return resolveFilename.call(this, common142, parent, isMain, options);
  try {
    return resolveFilename.call(this, request, parent, isMain, options);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && /^\.\.?(\/|$)/.test(request) && parent && parent.filename) {
      const rel = path.relative(corpusCommon, path.resolve(path.dirname(parent.filename), request));
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return resolveFilename.call(this, path.join(coreCommon, rel), parent, isMain, options);
    }
    throw err;
  }
};

// --- Tooling loads first (the game's Math.random stream starts after it) -----------------------
const GameSession = require(path.join(common160, 'game-session.js'));
require(common142);
const squishLibs = [require(oracle136), require(oracle143)];
for (const lib of squishLibs) {
  // No download: data an asset holds, else a request that never answers.
  const getData = lib.Asset.prototype.getData;
  lib.Asset.prototype.getData = function harnessGetData() {
    if (this.data) return getData.call(this);
    return new Promise(() => {});
  };
}

// The shared nodes of the latest squish, captured from the sharedNodes list the 1.4.x Squisher
// passes to its top-level squishHelper calls. Patched on the prototype (of whichever class the
// session ends up using) so the squish the Squisher constructor runs is covered too.
let sharedFrame = [];
let sharedCapable = false; // set when a squish passes the list: a 1.3.6 squisher never does
for (const lib of squishLibs) {
  const proto = lib.Squisher.prototype;
  const squish = proto.squish;
  const helper = proto.squishHelper;
  let depth = 0;
  let capture = null;
  proto.squishHelper = function harnessSquishHelper(...args) {
    if (depth === 0 && Array.isArray(args[5])) { capture = args[5]; sharedCapable = true; }
    depth++;
    try { return helper.apply(this, args); } finally { depth--; }
  };
  proto.squish = function harnessSquish(...args) {
    const outer = capture;
    capture = null;
    const saveDepth = depth;
    depth = 0;
    try {
      const out = squish.apply(this, args);
      // A squish that throws leaves state and playerFrames as they were, and so sharedFrame.
      sharedFrame = capture ? capture.map((s) => s.squished) : [];
      return out;
    } finally {
      capture = outer;
      depth = saveDepth;
    }
  };
}

// --- Virtual clock, event loop, mulberry32 ------------------------------------------------------
let now = 0;
offline.virtualClock(script.epochMs, () => now);
const timers = new Map();
let nextId = 1;
let armSeq = 0;
class Timeout { constructor(id) { this.id = id; } ref() { return this; } unref() { return this; } hasRef() { return true; } refresh() { return this; } [Symbol.toPrimitive]() { return this.id; } }
class Immediate { constructor(id) { this.id = id; } ref() { return this; } unref() { return this; } hasRef() { return true; } }
const arm = (fn, delay, args, repeat) => {
  let d = Number(delay);
  if (!(d >= 1 && d <= 2147483647)) d = 1;
  const id = nextId++;
  timers.set(id, { id, fn, args, delay: d, due: now + d, seq: armSeq++, repeat });
  return new Timeout(id);
};
const disarm = (t) => { if (t !== undefined && t !== null) timers.delete(typeof t === 'object' ? t.id : Number(t)); };
let immediates = [];
let nextImmediateId = 1;
globalThis.setTimeout = (fn, d, ...a) => arm(fn, d, a, false);
globalThis.setInterval = (fn, d, ...a) => arm(fn, d, a, true);
globalThis.setImmediate = (fn, ...a) => {
  const id = nextImmediateId++;
  immediates.push({ id, fn, args: a });
  return new Immediate(id);
};
globalThis.clearTimeout = disarm;
globalThis.clearInterval = disarm;
globalThis.clearImmediate = (im) => {
  if (im === undefined || im === null) return;
  const id = typeof im === 'object' ? im.id : Number(im);
  immediates = immediates.filter((q) => q.id !== id);
};
const nextTimer = () => {
  let best = null;
  for (const t of timers.values()) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
  return best;
};
const drain = () => new Promise((resolve) => realSetImmediate(resolve));
const checkPhase = async () => {
  while (immediates.length > 0) {
    const im = immediates.shift();
    try { im.fn.apply(undefined, im.args); } catch (e) { record('immediate', e); }
    await drain();
  }
};
// Every timer iteration with due <= limit.
const advanceTo = async (limit) => {
  for (;;) {
    const first = nextTimer();
    if (!first || first.due > limit) return;
    const T = first.due;
    if (T > now) now = T;
    for (;;) {
      const next = nextTimer();
      if (!next || next.due > T) break;
      if (!next.repeat) timers.delete(next.id);
      try { next.fn.apply(undefined, next.args); } catch (e) { record('timer', e); }
      if (next.repeat && timers.get(next.id) === next) { next.due += next.delay; next.seq = armSeq++; }
      await drain();
    }
    await checkPhase();
  }
};
Math.random = offline.mulberry32(script.seed);

// --- File inputs as homegames-common 4ae06e3 decodes them -------------------------------------
const MAX_FILE_INPUT_BYTES = 8 * 1024 * 1024;
const decodeFileInput = (raw) => {
  if (typeof raw === 'string') {
    const buf = Buffer.from(raw, 'base64');
    if (buf.length === 0 || buf.length > MAX_FILE_INPUT_BYTES) return null;
    return buf;
  }
  if (raw && typeof raw === 'object') {
    const bytes = Object.values(raw);
    if (bytes.length === 0 || bytes.length > MAX_FILE_INPUT_BYTES) return null;
    return Buffer.from(bytes);
  }
  return null;
};
const sniffFileKind = (b) => {
  if (b.length > 3 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4E && b[3] === 0x47) return 'image'; // PNG
  if (b.length > 2 && b[0] === 0xFF && b[1] === 0xD8 && b[2] === 0xFF) return 'image'; // JPEG
  if (b.length > 2 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image'; // GIF
  if (b.length > 11 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46) { // RIFF
    if (b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'image'; // WEBP
    if (b[8] === 0x57 && b[9] === 0x41 && b[10] === 0x56 && b[11] === 0x45) return 'audio'; // WAVE
  }
  if (b.length > 2 && b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) return 'audio'; // ID3
  if (b.length > 1 && b[0] === 0xFF && (b[1] & 0xE0) === 0xE0) return 'audio'; // MP3 frame sync
  if (b.length > 3 && b[0] === 0x4F && b[1] === 0x67 && b[2] === 0x67 && b[3] === 0x53) return 'audio'; // Ogg
  if (b.length > 3 && b[0] === 0x66 && b[1] === 0x4C && b[2] === 0x61 && b[3] === 0x43) return 'audio'; // FLAC
  if (b.length > 11 && b[4] === 0x66 && b[5] === 0x74 && b[6] === 0x79 && b[7] === 0x70) return 'audio'; // ftyp
  return null;
};
const buildFileMeta = (bytes, input) => {
  const contentType = (typeof input.contentType === 'string' && input.contentType.length <= 100) ? input.contentType : null;
  let kind = sniffFileKind(bytes);
  if (!kind && contentType) {
    if (contentType.indexOf('image/') === 0) kind = 'image';
    else if (contentType.indexOf('audio/') === 0) kind = 'audio';
  }
  const fileName = typeof input.fileName === 'string' ? input.fileName.slice(0, 128) : null;
  return { kind, contentType, fileName };
};

// --- Output --------------------------------------------------------------------------------------
const frames = [];
const finish = () => {
  fs.mkdirSync(outDir, { recursive: true });
  const perPlayer = {};
  for (const f of frames) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(f.bytes.length);
    (perPlayer[f.player] = perPlayer[f.player] || []).push(len, f.bytes);
  }
  for (const p of Object.keys(perPlayer)) fs.writeFileSync(path.join(outDir, `p${p}.bin`), Buffer.concat(perPlayer[p]));
  fs.writeFileSync(path.join(outDir, 'log.json'), JSON.stringify(log, null, 1) + '\n');
  fs.rmSync(process.env.HOME, { recursive: true, force: true });
  process.exit(0);
};

// --- The game under the real GameSession ---------------------------------------------------------
let game = null;
let session = null;
try {
  const GameClass = require(path.join(gameDir, 'index.js'));
  const meta = typeof GameClass.metadata === 'function' ? GameClass.metadata() : {};
  const squishVersion = meta.squishVersion;
  if (squishFolders[String(squishVersion)]) process.env.SQUISH_PATH = squishFolders[String(squishVersion)];
  const addAsset = (key, asset) => session.handleNewAsset(key, asset);
  game = new GameClass({ addAsset });
  session = new GameSession(game, squishVersion);
} catch (e) {
  record('load', e);
  session = null;
}

if (!session) {
  for (const e of script.events) log.events.push(Object.assign({}, e, { error: 'the game failed to load', frames: 0 }));
  finish();
} else {
  const squisher = session.squisher;
  // Frames: the sends made inside _sendPlayerFrame.
  let inFrameSend = 0;
  let pendingLeak = false;
  const sendPlayerFrame = session._sendPlayerFrame;
  session._sendPlayerFrame = function harnessSendPlayerFrame(...args) {
    inFrameSend++;
    pendingLeak = false;
    try { return sendPlayerFrame.apply(this, args); } finally { inFrameSend--; pendingLeak = false; }
  };
  {
    // A 1.4.x squisher: no whole-state fallback (see the header). A 1.3.6 one: the original.
    const sameBytes = (a, b) => Buffer.from(a.flat()).equals(Buffer.from(b.flat()));
    const getPlayerFrame = squisher.getPlayerFrame;
    squisher.getPlayerFrame = function harnessGetPlayerFrame(id) {
      if (!sharedCapable) return getPlayerFrame.call(this, id);
      const own = squisher.playerFrames[id];
      if (own) return own;
      if (inFrameSend > 0) {
        const original = squisher.state;
        pendingLeak = original ? !sameBytes(original, sharedFrame) : true;
      }
      return sharedFrame;
    };
  }
  // File inputs as 4ae06e3 handles them; every other message goes to 1.6.0's handleInput.
  const handleInput = session.handleInput;
  session.handleInput = function harnessHandleInput(playerId, input) {
    if (!input || typeof input !== 'object' || input.type !== 'input' || input.gamepad) return handleInput.call(this, playerId, input);
    if (!this.players[playerId] && !this.spectators[playerId]) return undefined;
    const pid = Number(playerId);
    try {
      const topLayer = this.frameEnabled ? this.frame.topLayerRoot : null;
      const node = this.game.findNode(input.nodeId) || (topLayer && topLayer.findChild(input.nodeId));
      if (node && node.node && node.node.input) {
        if (node.node.input.type === 'file') {
          const fileBytes = decodeFileInput(input.input);
          if (fileBytes) node.node.input.oninput(pid, fileBytes, buildFileMeta(fileBytes, input));
        } else {
          node.node.input.oninput(pid, input.input);
        }
      }
    } catch (e) {
      console.error(`[GameSession] Error handling input type="${input.type}" for player ${pid}:`, e);
    }
    return undefined;
  };

  const sockets = {};
  const makeSocket = (p) => {
    const ws = {
      readyState: 1,
      recording: true,
      send(buf) {
        if (inFrameSend === 0 || !ws.recording) return;
        frames.push({ player: p, bytes: Buffer.from(buf) });
        if (pendingLeak) log.leaks++;
      },
      close() { ws.readyState = 3; },
      terminate() { ws.readyState = 3; },
      on() { return ws; },
    };
    return ws;
  };
  const connected = new Set();
  const copy = (msg) => JSON.parse(JSON.stringify(msg));

  const dispatch = (e) => {
    const rec = Object.assign({}, e);
    const p = e.player;
    if (e.type !== 'join' && e.type !== 'leave' && !connected.has(p)) { rec.error = `player ${p} has not joined`; return rec; }
    try {
      switch (e.type) {
        case 'join': {
          if (connected.has(p)) { rec.error = `player ${p} has already joined`; break; }
          const ws = makeSocket(p);
          sockets[p] = ws;
          try {
            session.addPlayer(p, ws, { clientInfo: copy(e.clientInfo || {}), info: e.name ? { name: e.name } : undefined });
          } finally {
            // Connected when the session holds it, even if addPlayer threw after registering it.
            if (Object.prototype.hasOwnProperty.call(session.players, p)) connected.add(p);
            else ws.recording = false;
          }
          break;
        }
        case 'leave':
          if (!connected.has(p)) { rec.error = `player ${p} is not connected`; break; }
          connected.delete(p);
          try { session.removePlayer(p); } finally { sockets[p].recording = false; sockets[p].readyState = 3; }
          break;
        case 'click': {
          const msg = copy({ type: 'click', data: { x: e.x, y: e.y } });
          const { x, y } = msg.data;
          rec.hit = null;
          if (typeof x === 'number' && typeof y === 'number' && x >= 0 && y >= 0 && x < 100 && y < 100) {
            // The probe, before the click (the session's own hit test throws alike, caught).
            try {
              const hit = session._findClick(x, y, false, p);
              if (hit) {
                const real = game.findNode(hit.id);
                rec.hit = { nodeId: hit.id, hasHandler: !!(real && real.node.handleClick), found: !!real };
              }
            } catch (err) { rec.hit = null; }
          }
          session.handleInput(p, msg);
          break;
        }
        case 'mouseup': session.handleInput(p, copy({ type: 'mouseup', data: { x: e.x, y: e.y } })); break;
        case 'keydown': case 'keyup': session.handleInput(p, copy({ type: e.type, key: e.key })); break;
        case 'input': {
          const msg = copy({ type: 'input', nodeId: e.nodeId, input: e.input, contentType: e.contentType, fileName: e.fileName });
          rec.inputNode = null;
          try {
            const node = game.findNode(msg.nodeId);
            if (node && node.node && node.node.input) rec.inputNode = msg.nodeId;
          } catch (err) { rec.inputNode = null; }
          session.handleInput(p, msg);
          break;
        }
        case 'onhover': case 'offhover': session.handleInput(p, copy({ type: e.type, nodeId: e.nodeId })); break;
        case 'gamepad': session.handleInput(p, copy({ type: 'input', gamepad: true, input: e.input })); break;
        default: rec.error = `unknown event type ${e.type}`;
      }
    } catch (err) {
      record(e.type, err);
    }
    return rec;
  };

  (async () => {
    try {
      session.initialize().catch((e) => record('initialize', e));
    } catch (e) {
      record('initialize', e);
    }
    await drain();
    await checkPhase();
    for (const e of script.events) {
      await advanceTo(e.t);
      if (e.t > now) now = e.t;
      const before = frames.length;
      const rec = dispatch(e);
      await drain();
      await checkPhase();
      rec.frames = frames.length - before;
      log.events.push(rec);
    }
    await advanceTo(script.endMs);
    finish();
  })().catch((e) => {
    process.stderr.write(`harness-2026: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
}
