#!/usr/bin/env node
// The ORIGINAL browser client (homegames-web 1.4.2) against our server, beside ours:
//   node classic.js http://homegames.test:PORT OUT_DIR
// Our client joins a Tap Race session as player 1, the original client joins the same session as
// player 2 and taps its own square; our client must see the score change, and the two clients'
// pictures of the same frame must agree at sample points. ("homegames.test" is mapped to loopback
// so the page is an ordinary http origin, where the original client uses ws:// as on a LAN.)
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [base, outDir] = process.argv.slice(2);
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
  // The same frame in both clients: compare colours at points away from text.
  const sample = async (page) => {
    const b = await canvasBox(page);
    const shot = await page.screenshot({ clip: { x: b.x, y: b.y, width: b.w, height: b.h } });
    return { b, shot };
  };
  const points = [[21, 31], [41.8, 30.9], [50, 70], [90, 90], [2, 2]];
  const colours = async (page) => page.evaluate(async (pts) => {
    const c = document.querySelector('canvas');
    const ctx = c.getContext('2d');
    return pts.map(([x, y]) => Array.from(ctx.getImageData(Math.floor((x / 100) * c.width), Math.floor((y / 100) * c.height), 1, 1).data));
  }, points);
  await sample(ours);
  const a = await colours(ours);
  const b = await colours(old);
  const close = (p, q) => p.every((v, i) => Math.abs(v - q[i]) <= 8);
  const mismatches = points.filter((_, i) => !close(a[i], b[i])).map((pt, i) => ({ pt, ours: a[i], original: b[i] }));
  if (mismatches.length) fail('the clients draw the frame differently: ' + JSON.stringify({ ours: a, original: b }));
  console.log(JSON.stringify({ session, ours: a, original: b }));
  await browser.close();
})().catch((e) => fail(e.stack || String(e)));
