#!/usr/bin/env node
// Our reference harness: runs one real game with the REAL squishjs Squisher of its version over
// the game's own layers (no server chrome), under the same seeded Math.random and virtual clock as
// our runtime, drives the same script, and records every frame each player receives.
//
//   node harness.js GAME_DIR SCRIPT.json OUT_DIR
//
// Output: OUT_DIR/p<id>.bin (u32le length + frame bytes, in emission order) and OUT_DIR/log.json.
// The packages come from ./node_modules (installed at test time: homegames-core@1.4.3 and the
// squishjs versions its aliases name). Game-only semantics follow ../../../docs/scripted-runs.md.
'use strict';
const fs = require('fs');
const path = require('path');

const [gameDir, scriptPath, outDir] = process.argv.slice(2).map((p) => path.resolve(p));
const script = JSON.parse(fs.readFileSync(scriptPath, 'utf8'));
const core = path.join(__dirname, 'node_modules', 'homegames-core');

const log = { events: [], exceptions: [], console: [], noFrame: [], network: [] };
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => { if (log.console.length < 10000) log.console.push({ level, message: args.map(String).join(' ') }); };
}
const record = (where, e) => log.exceptions.push({ where, message: e && e.name ? `${e.name}: ${e.message}` : String(e) });

// --- No network, a private home --------------------------------------------------------------
const offline = require('./offline.js');
offline.privateHome();
const realSetImmediate = setImmediate;
offline.refuseNetwork(log.network, realSetImmediate);
process.on('unhandledRejection', (e) => record('unhandledRejection', e));

// --- squish-136/138/139 (games written for squish-138 outside homegames-core) ------------------
// npm does not serve these; they resolve to the squishjs-1.3.6 oracle of the shared folder (the
// repository's parent `../shared`, or $HG_SHARED), for the game's own require too.
{
  const Module = require('module');
  const shared = process.env.HG_SHARED ? path.resolve(process.env.HG_SHARED) : path.resolve(__dirname, '../../../../shared');
  const oracle136 = path.join(shared, 'oracle', 'squishjs-1.3.6');
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function harnessResolve(request, ...rest) {
    if (/^squish-(136|138|139)$/.test(request)) return resolveFilename.call(this, oracle136, ...rest);
    return resolveFilename.call(this, request, ...rest);
  };
}

// --- Tooling loads first (it draws from Math.random; the game's stream starts after) ----------
const GameSession = require(path.join(core, 'src', 'GameSession.js'));
const { getService } = (() => { try { return { getService: require(path.join(core, 'src', 'services')).getService }; } catch (e) { return {}; } })();
require(require.resolve('homegames-common', { paths: [core] }));

// --- Virtual clock, Node timer ordering, mulberry32 -------------------------------------------
let now = 0;
offline.virtualClock(script.epochMs, () => now);
const timers = new Map();
let nextId = 1;
let armSeq = 0;
class Timeout { constructor(id) { this.id = id; } ref() { return this; } unref() { return this; } hasRef() { return true; } [Symbol.toPrimitive]() { return this.id; } }
const arm = (fn, delay, args, repeat) => {
  let d = Number(delay);
  if (!(d >= 1 && d <= 2147483647)) d = 1;
  const id = nextId++;
  timers.set(id, { id, fn, args, delay: d, due: now + d, seq: armSeq++, repeat });
  return new Timeout(id);
};
const disarm = (t) => { if (t !== undefined && t !== null) timers.delete(typeof t === 'object' ? t.id : Number(t)); };
globalThis.setTimeout = (fn, d, ...a) => arm(fn, d, a, false);
globalThis.setInterval = (fn, d, ...a) => arm(fn, d, a, true);
globalThis.setImmediate = (fn, ...a) => arm(fn, 0, a, false);
globalThis.clearTimeout = disarm;
globalThis.clearInterval = disarm;
globalThis.clearImmediate = disarm;
const nextTimer = () => {
  let best = null;
  for (const t of timers.values()) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
  return best;
};
const drain = () => new Promise((resolve) => realSetImmediate(resolve));
const advanceTo = async (t) => {
  for (;;) {
    const next = nextTimer();
    if (!next || next.due > t) break;
    if (next.due > now) now = next.due;
    if (!next.repeat) timers.delete(next.id);
    try { next.fn.apply(undefined, next.args); } catch (e) { record('timer', e); }
    if (next.repeat && timers.get(next.id) === next) { next.due += next.delay; next.seq = armSeq++; }
    await drain();
  }
  if (t > now) now = t;
};
Math.random = offline.mulberry32(script.seed);

// --- The game and the real Squisher -------------------------------------------------------
const GameClass = require(path.join(gameDir, 'index.js'));
const meta = GameClass.metadata ? GameClass.metadata() : {};
const squishPath = require.resolve('squish-' + meta.squishVersion, { paths: [gameDir] });
const services = {};
for (const name of meta.services || []) services[name] = getService ? getService(name) : undefined;
let squisher = null;
const addAsset = (key, asset) => new Promise((res, rej) => {
  if (!squisher) return rej(new Error('no squisher yet'));
  squisher.handleNewAsset(key, asset).then(res).catch(rej);
});
const saveGame = () => new Promise(() => {});
const game = new GameClass({ addAsset, saveGame, saveData: script.saveData, services });
squisher = new (require(squishPath).Squisher)({ game });

const connected = new Set();
const frames = [];
const sortedPlayers = () => [...connected].sort((a, b) => a - b);
// Every connected player gets an (empty) entry at each top-level squishHelper call, as the
// server's own bottom layer would give it.
const helper = squisher.squishHelper;
squisher.squishHelper = function squishHelper(...args) {
  if (args.length === 4) for (const id of sortedPlayers()) if (!args[3][id]) args[3][id] = [];
  return helper.apply(this, args);
};
const emit = (p, cause) => {
  const f = squisher.getPlayerFrame(p);
  if (!f) { log.noFrame.push({ player: p, t: now }); return; }
  frames.push({ player: p, t: now, cause, bytes: Buffer.from(f.flat()) });
};
squisher.addListener(() => { for (const p of sortedPlayers()) emit(p, 'state'); });

const ctx = { game, scale: { x: 1, y: 1 }, customBottomLayer: null, customTopLayer: null, findClickHelper: GameSession.prototype.findClickHelper };
const dispatch = (e) => {
  const rec = Object.assign({}, e);
  const p = e.player;
  if (e.type !== 'join' && e.type !== 'leave' && !connected.has(p)) { rec.error = `player ${p} has not joined`; return rec; }
  try {
    switch (e.type) {
      case 'join': {
        if (connected.has(p)) { rec.error = `player ${p} has already joined`; break; }
        connected.add(p);
        const name = typeof e.name === 'string' ? e.name : `player${p}`;
        try {
          game.handleNewPlayer && game.handleNewPlayer({ playerId: p, info: { name }, settings: {}, clientInfo: JSON.parse(JSON.stringify(e.clientInfo || {})) });
        } catch (err) { record('handleNewPlayer', err); }
        try { squisher.state = squisher.squish(game.getLayers()); } catch (err) { record('join squish', err); }
        emit(p, 'join');
        break;
      }
      case 'leave':
        if (!connected.has(p)) { rec.error = `player ${p} is not connected`; break; }
        connected.delete(p);
        game.handlePlayerDisconnect && game.handlePlayerDisconnect(p);
        break;
      case 'click': {
        if (e.x >= 100 || e.y >= 100) { rec.hit = null; break; }
        const hit = GameSession.prototype.findClick.call(ctx, e.x, e.y, false, p);
        rec.hit = null;
        if (hit) {
          const real = game.findNode(hit.id);
          rec.hit = { nodeId: hit.id, hasHandler: !!(real && real.node.handleClick), found: !!real };
          if (real && real.node.handleClick) real.node.handleClick(p, e.x, e.y);
        }
        break;
      }
      case 'mouseup': game.handleMouseUp && game.handleMouseUp(p, { x: e.x, y: e.y }); break;
      case 'keydown': game.handleKeyDown && game.handleKeyDown(p, e.key); break;
      case 'keyup': game.handleKeyUp && game.handleKeyUp(p, e.key); break;
      case 'input': {
        const msg = JSON.parse(JSON.stringify({ input: e.input }));
        const node = game.findNode(e.nodeId);
        rec.inputNode = null;
        if (node && node.node.input) {
          rec.inputNode = e.nodeId;
          if (node.node.input.type === 'file') node.node.input.oninput(p, Object.values(msg.input));
          else node.node.input.oninput(p, msg.input);
        }
        break;
      }
      case 'onhover': case 'offhover': {
        const node = game.findNode(e.nodeId);
        const fn = node && node.node[e.type === 'onhover' ? 'onHover' : 'offHover'];
        if (fn) fn(p);
        break;
      }
      case 'gamepad':
        game.handleGamepadInput && game.handleGamepadInput(p, JSON.parse(JSON.stringify({ type: 'input', gamepad: true, input: e.input })));
        break;
      default: rec.error = `unknown event type ${e.type}`;
    }
  } catch (err) {
    record(e.type, err);
  }
  return rec;
};

(async () => {
  for (const e of script.events) {
    await advanceTo(e.t);
    const before = frames.length;
    const rec = dispatch(e);
    await drain();
    rec.frames = frames.length - before;
    log.events.push(rec);
  }
  await advanceTo(script.endMs);
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
})();
