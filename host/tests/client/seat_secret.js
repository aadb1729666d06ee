// Runs host/client/client.js against a fake WebSocket: the seat secret the server gives is sent back
// on the reconnect after a drop (and kept in sessionStorage).
const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
const sockets = [];
class FakeSocket {
  constructor(url) { this.url = url; this.sent = []; this.readyState = 1; sockets.push(this); }
  send(m) { this.sent.push(JSON.parse(m)); }
}
const el = () => new Proxy({ style: {}, addEventListener() {}, append() {}, click() {}, getBoundingClientRect: () => ({ left: 0, top: 0, width: 100, height: 100 }),
  getContext: () => new Proxy({}, { get: () => () => ({}) }) }, { get: (t, k) => (k in t ? t[k] : undefined), set: (t, k, v) => { t[k] = v; return true; } });
const store = {};
const timers = [];
const g = {
  document: { getElementById: el, createElement: el, body: el() },
  location: { pathname: '/session/abcd1234', protocol: 'http:', host: 'x' },
  WebSocket: FakeSocket, navigator: { userAgent: 'node' }, innerWidth: 160, innerHeight: 90, devicePixelRatio: 1,
  sessionStorage: { getItem: (k) => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = String(v); } },
  addEventListener() {}, requestAnimationFrame() {}, setTimeout: (f) => timers.push(f), prompt: () => null, Image: class {}, Audio: class {}, Blob: class {},
  URL: { createObjectURL: () => '' },
};
g.window = g;
new Function(...Object.keys(g), src)(...Object.values(g));
const out = {};
const a = sockets[0];
a.onopen();
out.first = a.sent[0];
a.onmessage({ data: new Uint8Array([2, 7, 16, 9, 9, 9, 3, 49, 51, 53]).buffer });
a.onmessage({ data: JSON.stringify({ type: 'seat', player: 7, secret: 's3cret' }) });
a.onclose({ code: 1006 });
timers.shift()();
const b = sockets[1];
b.onopen();
out.again = b.sent[0];
out.stored = store['homegames-seat-abcd1234'];
console.log(JSON.stringify(out));
