#!/usr/bin/env node
// Our client draws a squish 1.4 crop: one browser opens Sprite Sheet from the lobby (a 2x2 sheet,
// red/green/blue/yellow, of which the Asset node shows one frame), reads the canvas inside the
// node's rectangle, clicks the node (next frame) and reads it again:
//   node sprite.js http://127.0.0.1:PORT OUT_DIR
// The points are the rectangle's centre and four points at 20%/80% of its width and height: with
// the crop applied all five show the frame's colour; were the whole sheet drawn instead they would
// fall in four different quadrants. Prints one JSON line ({before, after, …: [r, g, b]});
// the Rust test judges the colours. Exits non-zero only when the page does not get that far.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [base, outDir] = process.argv.slice(2);
const fail = (msg) => { console.error('sprite test failed: ' + msg); process.exit(1); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  page.on('pageerror', (e) => fail('page error: ' + e.message));
  await page.goto(base + '/');
  await page.waitForSelector('a.game[data-slug="sprite-sheet"]', { timeout: 10000 });
  await page.click('a.game[data-slug="sprite-sheet"]');
  await page.waitForFunction(() => window.__homegames && window.__homegames.nodes.some((n) => n.asset && n.asset.key === 'sheet'), null, { timeout: 10000 });

  // The node's rectangle as the client placed it: pos/size are percent of the canvas (the server
  // already put them inside the bezel), as client.js's X()/Y() draw them.
  const rect = await page.evaluate(() => {
    const a = window.__homegames.nodes.find((n) => n.asset && n.asset.key === 'sheet').asset;
    return { x: a.pos.x, y: a.pos.y, w: a.size.x, h: a.size.y, crop: a.crop || null };
  });
  const points = { centre: [0.5, 0.5], topLeft: [0.2, 0.2], topRight: [0.8, 0.2], bottomLeft: [0.2, 0.8], bottomRight: [0.8, 0.8] };
  // [r, g, b] of the canvas at each point (fractions of the rectangle).
  const sample = () => page.evaluate(([r, pts]) => {
    const c = document.querySelector('canvas');
    const ctx = c.getContext('2d');
    const out = {};
    for (const [name, [fx, fy]] of Object.entries(pts)) {
      const x = Math.floor(((r.x + fx * r.w) / 100) * c.width), y = Math.floor(((r.y + fy * r.h) / 100) * c.height);
      out[name] = Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
    }
    return out;
  }, [rect, points]);
  // The image arrives in the bundle and is drawn when it has decoded: wait until a point shows a
  // saturated colour (neither the background nor the grey placeholder has a channel that high).
  const drawn = async () => {
    try {
      await page.waitForFunction(([r, pts]) => {
        const c = document.querySelector('canvas');
        const ctx = c.getContext('2d');
        return Object.values(pts).some(([fx, fy]) => {
          const px = ctx.getImageData(Math.floor(((r.x + fx * r.w) / 100) * c.width), Math.floor(((r.y + fy * r.h) / 100) * c.height), 1, 1).data;
          return Math.max(px[0], px[1], px[2]) >= 200;
        });
      }, [rect, points], { timeout: 10000 });
    } catch (e) {
      fail(`the image was not drawn: ${JSON.stringify(await sample())} in ${JSON.stringify(rect)}`);
    }
  };
  await drawn();
  const first = await sample();
  const captionBefore = await page.evaluate(() => window.__homegames.nodes.filter((n) => n.text).map((n) => n.text.text));
  await page.screenshot({ path: path.join(outDir, 'sprite-before.png') });

  // Click the node's centre: the game moves to the next frame and sends a new frame.
  const box = await page.$eval('canvas', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  const framesBefore = await page.evaluate(() => window.__homegames.frames);
  await page.mouse.click(box.x + (box.w * (rect.x + rect.w / 2)) / 100, box.y + (box.h * (rect.y + rect.h / 2)) / 100);
  // The frame of the click is the one whose caption names the next frame (a hover may send one too).
  await page.waitForFunction(([n, before]) => window.__homegames.frames > n
    && JSON.stringify(window.__homegames.nodes.filter((m) => m.text).map((m) => m.text.text)) !== before,
  [framesBefore, JSON.stringify(captionBefore)], { timeout: 10000 });
  // client.js draws as each frame arrives; one animation frame later the canvas holds it.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  await drawn();
  const second = await sample();
  const captionAfter = await page.evaluate(() => window.__homegames.nodes.filter((n) => n.text).map((n) => n.text.text));
  const cropAfter = await page.evaluate(() => (window.__homegames.nodes.find((n) => n.asset && n.asset.key === 'sheet').asset.crop || null));
  await page.screenshot({ path: path.join(outDir, 'sprite-after.png') });

  console.log(JSON.stringify({
    url: page.url(), rect, cropAfter,
    before: first.centre, after: second.centre,
    beforePoints: first, afterPoints: second,
    captionBefore, captionAfter,
  }));
  await browser.close();
})().catch((e) => fail(e.stack || String(e)));
