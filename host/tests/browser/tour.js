#!/usr/bin/env node
// Every game the server lists, in real browsers: two players open it, press keys and click, and
// the canvas must show a real picture (several distinct colours) with frames still arriving.
//   node tour.js http://127.0.0.1:PORT OUT_DIR
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [base, outDir] = process.argv.slice(2);
const fail = (msg) => { console.error('tour failed: ' + msg); process.exit(1); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const games = await (await fetch(base + '/api/games')).json();
  const report = {};
  for (const g of games) {
    const pages = [];
    for (let i = 0; i < 2; i++) {
      const page = await browser.newPage({ viewport: { width: 800, height: 450 } });
      page.on('pageerror', (e) => fail(`${g.slug}: page error: ${e.message}`));
      await page.goto(`${base}/play/${g.slug}`);
      await page.waitForFunction(() => window.__homegames && window.__homegames.nodes.length > 0, null, { timeout: 10000 });
      pages.push(page);
    }
    const [p1] = pages;
    const box = await p1.$eval('canvas', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
    const framesBefore = await p1.evaluate(() => window.__homegames.frames);
    for (const key of ['ArrowRight', 'ArrowDown', 'd']) {
      await p1.keyboard.down(key);
      await p1.waitForTimeout(150);
      await p1.keyboard.up(key);
    }
    // Tap the first clickable node this player can see (its bounding box centre), if any.
    const target = await p1.evaluate(() => {
      const n = window.__homegames.nodes.find((m) => m.handleClick && m.coords && m.coords.length >= 6);
      if (!n) return { x: 30, y: 40 };
      const xs = n.coords.filter((_, i) => i % 2 === 0), ys = n.coords.filter((_, i) => i % 2 === 1);
      return { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
    });
    await p1.mouse.click(box.x + (box.w * target.x) / 100, box.y + (box.h * target.y) / 100);
    await p1.waitForTimeout(300);
    const colours = await p1.evaluate(() => {
      const c = document.querySelector('canvas');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return seen.size;
    });
    const framesAfter = await p1.evaluate(() => window.__homegames.frames);
    await p1.screenshot({ path: path.join(outDir, `${g.slug}.png`) });
    if (colours < 3) fail(`${g.slug}: the canvas is blank (${colours} colours)`);
    if (!(framesAfter > framesBefore)) fail(`${g.slug}: no frames after input`);
    report[g.slug] = { colours, frames: framesAfter };
    for (const p of pages) await p.close();
  }
  console.log(JSON.stringify(report));
  await browser.close();
})().catch((e) => fail(e.stack || String(e)));
