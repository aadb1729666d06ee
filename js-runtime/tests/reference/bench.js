#!/usr/bin/env node
// The original stack's side of the js-runtime benchmark: one Node process running one game with
// its real squishjs Squisher. Prints JSON: resident memory after load + 2 players, and the cost of
// one broadcast (squish of the game's layers, then each player's frame as a Buffer).
//   node bench.js GAME_DIR ITERATIONS
'use strict';
const path = require('path');
const [gameDir, iterations] = [path.resolve(process.argv[2]), Number(process.argv[3] || 200)];
console.log = console.info = console.warn = () => {};
const GameClass = require(path.join(gameDir, 'index.js'));
const meta = GameClass.metadata();
const { Squisher } = require(require.resolve('squish-' + meta.squishVersion, { paths: [gameDir] }));
const game = new GameClass({ addAsset: () => new Promise(() => {}), saveGame: () => new Promise(() => {}), services: {} });
const squisher = new Squisher({ game });
const players = [1, 2];
let bytes = 0;
squisher.addListener(() => { for (const p of players) bytes += Buffer.from((squisher.getPlayerFrame(p) || []).flat()).length; });
for (const p of players) {
  try { game.handleNewPlayer && game.handleNewPlayer({ playerId: p, info: { name: 'p' + p }, settings: {}, clientInfo: {} }); } catch (e) {}
}
const helper = squisher.squishHelper;
squisher.squishHelper = function (...a) { if (a.length === 4) for (const p of players) if (!a[3][p]) a[3][p] = []; return helper.apply(this, a); };
global.gc && global.gc();
const rss = process.memoryUsage().rss;
for (let i = 0; i < 20; i++) squisher.handleStateChange();
bytes = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) squisher.handleStateChange();
const nanos = Number(process.hrtime.bigint() - start);
process.stdout.write(JSON.stringify({ rss, nanosPerBroadcast: nanos / iterations, bytesPerBroadcast: bytes / iterations }) + '\n');
process.exit(0);
