#!/usr/bin/env node
// Real-browser check of our client against a running `homegames serve`:
//   node play.js http://127.0.0.1:PORT OUT_DIR
// Two browsers open the lobby, pick Tap Race, land in the same session; player 1 taps its square;
// player 2 sees the square outlined while player 1 points at it (hover); both see the score change; screenshots are taken and the square's pixels are checked.
// Prints one JSON line with what it observed; exits non-zero on failure.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [base, outDir] = process.argv.slice(2);
const fail = (msg) => { console.error('browser test failed: ' + msg); process.exit(1); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const open = async () => {
    const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
    page.on('pageerror', (e) => fail('page error: ' + e.message));
    await page.goto(base + '/');
    await page.waitForSelector('a.game[data-slug="tap-race"]', { timeout: 10000 });
    await page.click('a.game[data-slug="tap-race"]');
    await page.waitForFunction(() => window.__homegames && window.__homegames.nodes.length > 3, null, { timeout: 10000 });
    return page;
  };
  const texts = (page) => page.evaluate(() => window.__homegames.nodes.filter((n) => n.text).map((n) => n.text.text));
  const p1 = await open();
  const p2 = await open();
  if (p1.url() !== p2.url()) fail(`the two browsers are in different sessions: ${p1.url()} ${p2.url()}`);
  await p1.waitForFunction(() => window.__homegames.nodes.some((n) => n.text && n.text.text === 'player2: 0'), null, { timeout: 10000 });
  await p1.screenshot({ path: path.join(outDir, 'before.png') });

  // Player 1's square covers game (10..28, 20..38); inside the 9% bezel that is about 13.6..30 % across.
  const box = await p1.$eval('canvas', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  const at = (px, py) => ({ x: box.x + (px / 100) * box.w, y: box.y + (py / 100) * box.h });
  const pixel = async (page, px, py) => page.evaluate(([x, y]) => {
    const c = document.querySelector('canvas');
    return Array.from(c.getContext('2d').getImageData(Math.floor((x / 100) * c.width), Math.floor((y / 100) * c.height), 1, 1).data);
  }, [px, py]);
  const squareColor = await pixel(p1, 21, 31);
  const backgroundColor = await pixel(p1, 50, 95);
  const target = at(21, 31);
  // Pointing at its own square (hover) outlines it for everyone: our client sends onhover.
  await p1.mouse.move(target.x, target.y);
  await p2.waitForFunction(() => window.__homegames.nodes.some((n) => n.border === 6), null, { timeout: 10000 });
  await p1.mouse.click(target.x, target.y);
  await p2.waitForFunction(() => window.__homegames.nodes.some((n) => n.text && n.text.text === 'player1: 1'), null, { timeout: 10000 });
  await p2.screenshot({ path: path.join(outDir, 'after.png') });
  const result = { url: p1.url(), p1: await texts(p1), p2: await texts(p2), squareColor, backgroundColor };
  if (JSON.stringify(squareColor) === JSON.stringify(backgroundColor)) fail('the square is not drawn: ' + JSON.stringify(result));
  if (backgroundColor.slice(0, 3).join() !== '238,238,238') fail('the background is not ALMOST_WHITE: ' + JSON.stringify(result));
  console.log(JSON.stringify(result));
  await browser.close();
})().catch((e) => fail(e.stack || String(e)));
