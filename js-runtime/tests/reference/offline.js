// What both reference harnesses (harness.js, harness-2026.js) set up the same way: no network
// (every http/https request fails as with no connection, fetch rejects; each attempt logged), a
// private home folder, and the seeded Math.random our runtime uses too (mulberry32).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

// Makes a temporary HOME and works in it; returns its path (the harness removes it at the end).
exports.privateHome = () => {
  process.env.HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'hg-ref-home-'));
  process.chdir(process.env.HOME);
  return process.env.HOME;
};

// `network` is the log's list of attempts; `realSetImmediate` the real one (harnesses replace it).
exports.refuseNetwork = (network, realSetImmediate) => {
  for (const mod of ['http', 'https']) {
    const m = require(mod);
    const refuse = (opts) => {
      network.push(typeof opts === 'string' ? opts : `${mod}://${opts && opts.hostname}${opts && opts.path}`);
      const { EventEmitter } = require('events');
      const req = new EventEmitter();
      req.write = () => {};
      req.end = () => {};
      req.setTimeout = () => req;
      req.destroy = () => {};
      // With no network a request fails; one nobody listens to would take the process down, which
      // is recorded instead.
      realSetImmediate(() => {
        const err = new Error('network unavailable in the reference harness');
        if (req.listenerCount('error') > 0) req.emit('error', err);
        else network.push('unhandled request error');
      });
      return req;
    };
    m.request = refuse;
    m.get = refuse;
  }
  globalThis.fetch = (url) => {
    network.push(`fetch ${String(url && url.url ? url.url : url)}`);
    return Promise.reject(new TypeError('fetch failed: network unavailable in the reference harness'));
  };
};

// Date and performance on the harness's virtual clock: `now()` gives its milliseconds, Date.now() is
// epochMs + floor(now) (the same rule as our runtime).
exports.virtualClock = (epochMs, now) => {
  const RealDate = Date;
  const currentMs = () => epochMs + Math.floor(now());
  class SessionDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(currentMs()); else super(...args); }
    static now() { return currentMs(); }
  }
  globalThis.Date = SessionDate;
  Object.defineProperty(globalThis, 'performance', { value: { now, timeOrigin: epochMs }, configurable: true, writable: true });
};

exports.mulberry32 = (seedArg) => {
  let seed = seedArg >>> 0;
  return function random() {
    seed = (seed + 0x6D2B79F5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
