#!/usr/bin/env node
// The ORIGINAL browser client (homegames-web 1.4.2) against our server, beside ours:
//   node classic.js http://homegames.test:PORT OUT_DIR
// Our client joins a Tap Race session as player 1, the original client joins the same session as
// player 2 and taps its own square; our client must see the score change, and the two clients'
// pictures of the same frame must agree over the whole canvas. ("homegames.test" is mapped to loopback
// so the page is an ordinary http origin, where the original client uses ws:// as on a LAN.)
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [base, outDir] = process.argv.slice(2);
// The share of the picture that must agree (see the comparison below; measured: 99.6%, the rest
// being the edges of text).
const MIN_SHARE = 0.98;
const fail = (msg) => { console.error('classic client test failed: ' + msg); process.exit(1); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--host-resolver-rules=MAP homegames.test 127.0.0.1'],
  });
  const viewport = { width: 960, height: 540 };
  const ours = await browser.newPage({ viewport });
  await ours.goto(base + '/play/tap-race');
  await ours.waitForFunction(() => window.__homegames && window.__homegames.nodes.length > 3, null, { timeout: 10000 });
  const session = ours.url().split('/').pop();
  const old = await browser.newPage({ viewport });
  await old.goto(`${base}/classic/${session}/`);
  await ours.waitForFunction(() => window.__homegames.nodes.some((n) => n.text && n.text.text === 'player2: 0'), null, { timeout: 15000 });
  await old.waitForTimeout(500);
  // Player 2's square is game (32..50, 20..38): inside the 9% bezel its centre is at (41.8%, 30.9%).
  const canvasBox = async (page) => page.$eval('canvas', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  const box = await canvasBox(old);
  // The original client sends clicks from its animation loop while the button is held.
  await old.mouse.move(box.x + 0.418 * box.w, box.y + 0.309 * box.h);
  await old.mouse.down();
  await old.waitForTimeout(120);
  await old.mouse.up();
  await ours.waitForFunction(() => window.__homegames.nodes.some((n) => n.text && n.text.text === 'player2: 1'), null, { timeout: 10000 });
  await old.waitForTimeout(500);
  await ours.screenshot({ path: path.join(outDir, 'ours.png') });
  await old.screenshot({ path: path.join(outDir, 'original.png') });
  // The same frame in both clients, compared over the whole canvas: each canvas is scaled to the
  // same 192x108 grid and a cell matches when no channel differs by more than 40. Text is drawn
  // by each client's own font stack, so its edges may differ; everything else must agree.
  const grid = async (page) => page.evaluate(() => {
    const c = document.querySelector('canvas');
    const small = document.createElement('canvas');
    small.width = 192; small.height = 108;
    const ctx = small.getContext('2d');
    ctx.drawImage(c, 0, 0, small.width, small.height);
    return Array.from(ctx.getImageData(0, 0, small.width, small.height).data);
  });
  const [a, b] = [await grid(ours), await grid(old)];
  let same = 0;
  for (let i = 0; i < a.length; i += 4) {
    if ([0, 1, 2, 3].every((k) => Math.abs(a[i + k] - b[i + k]) <= 40)) same += 1;
  }
  const share = same / (a.length / 4);
  const at = (px, x, y) => { const i = 4 * (Math.floor((y / 100) * 108) * 192 + Math.floor((x / 100) * 192)); return px.slice(i, i + 4); };
  const squares = { ours: [at(a, 21, 31), at(a, 41.8, 30.9)], original: [at(b, 21, 31), at(b, 41.8, 30.9)] };
  console.log(JSON.stringify({ session, matchingShare: share, squares }));
  if (share < MIN_SHARE) fail(`the clients draw the frame differently: only ${(share * 100).toFixed(1)}% of the picture agrees`);
  await browser.close();
})().catch((e) => fail(e.stack || String(e)));
