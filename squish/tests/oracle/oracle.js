#!/usr/bin/env node
// Our oracle: drives the real squishjs packages (installed here by npm, never committed) so the
// Rust tests can compare bytes and decoded values with the original. Releases npm does not serve
// (1.3.6, 1.4.3) are loaded from the package folders in $SQUISH_SHARED_ORACLE
// (../shared/oracle next to the workspace), read in place, never copied.
//
// Protocol: one JSON request per line on stdin, one JSON response per line on stdout.
//   {"op":"encode","package":"1.3.5","scale":null|{"x":..,"y":..},"tree":<node>}
//     -> {"frames":[{"hex":".."} | {"error":".."}, ...]}   one entry per node, depth-first pre-order
//   {"op":"decode","package":"0.7.62","hex":".."}
//     -> {"decoded":{...}} | {"error":".."}                 fields that had a sub-frame, as unsquish sets them
//   {"op":"bench","package":"1.3.5","scale":..,"tree":<node>,"iterations":N}
//     -> {"nanosPerTree":..}
// Numbers that JSON cannot hold travel as the strings "NaN", "Infinity", "-Infinity".
'use strict';
const path = require('path');
const readline = require('readline');

console.warn = () => {}; // unsquish warns on unknown tags; the walk below records that itself

const fs = require('fs');
const packages = {};
const packageDir = (version) => {
    const installed = path.join(__dirname, 'node_modules', `squishjs-${version}`);
    if (fs.existsSync(installed) || !process.env.SQUISH_SHARED_ORACLE) return installed;
    return path.join(process.env.SQUISH_SHARED_ORACLE, `squishjs-${version}`);
};
const load = (version) => {
    if (!packages[version]) {
        packages[version] = require(path.join(packageDir(version), 'src', 'squish.js'));
    }
    return packages[version];
};

const num = (v) => {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (v === null) return undefined;
    return v;
};
const nums = (a) => a.map(num);
const vec2 = (p) => (p && typeof p === 'object' ? { x: num(p.x), y: num(p.y) } : p);

// JSON node -> the object squish() reads: fields in `.node`, class picked by constructor name.
const classes = {
    Shape: class Shape { constructor(node) { this.node = node; } },
    Text: class Text { constructor(node) { this.node = node; } },
    Asset: class Asset { constructor(node) { this.node = node; } },
};
const toInternal = (j) => {
    const n = {};
    if ('id' in j) n.id = num(j.id);
    if ('color' in j) n.color = j.color && nums(j.color);
    if ('playerIds' in j) n.playerIds = j.playerIds && nums(j.playerIds);
    if ('pos' in j) n.pos = vec2(j.pos);
    if ('fill' in j) n.fill = j.fill && nums(j.fill);
    if ('size' in j) n.size = vec2(j.size);
    if ('text' in j && j.text) {
        const t = Object.assign({}, j.text);
        for (const k of ['x', 'y', 'size']) if (k in t) t[k] = num(t[k]);
        if (t.color) t.color = nums(t.color);
        n.text = t;
    } else if ('text' in j) n.text = j.text;
    if ('asset' in j && j.asset) {
        n.asset = {};
        for (const key of Object.keys(j.asset)) {
            const a = Object.assign({}, j.asset[key]);
            if ('pos' in a) a.pos = vec2(a.pos);
            if ('size' in a) a.size = vec2(a.size);
            for (const k of ['startTime', 'cropLeft', 'cropTop', 'cropRight', 'cropBottom']) if (k in a) a[k] = num(a[k]);
            n.asset[key] = a;
        }
    } else if ('asset' in j) n.asset = j.asset;
    if ('effects' in j && j.effects) {
        const e = Object.assign({}, j.effects);
        if (e.shadow) {
            e.shadow = Object.assign({}, e.shadow);
            if (e.shadow.color) e.shadow.color = nums(e.shadow.color);
            if ('blur' in e.shadow) e.shadow.blur = num(e.shadow.blur);
        }
        n.effects = e;
    } else if ('effects' in j) n.effects = j.effects;
    if ('handleClick' in j) n.handleClick = j.handleClick ? () => {} : j.handleClick;
    if ('border' in j) n.border = num(j.border);
    if ('subType' in j) n.subType = num(j.subType);
    if ('input' in j) n.input = j.input;
    if ('coordinates2d' in j) {
        n.coordinates2d = j.coordinates2d && j.coordinates2d.map((c) => (Array.isArray(c) ? nums(c) : num(c)));
    }
    const Cls = classes[j.kind];
    return Cls ? new Cls(n) : { node: n };
};

const walk = (j, f) => {
    f(j);
    for (const c of j.children || []) walk(c, f);
};

const hex = (arr) => Buffer.from(arr).toString('hex');

const encode = (req) => {
    const { squish } = load(req.package);
    const frames = [];
    walk(req.tree, (j) => {
        try {
            frames.push({ hex: hex(squish(toInternal(j), req.scale || null)) });
        } catch (e) {
            frames.push({ error: String(e && e.message) });
        }
    });
    return { frames };
};

// The tags every version knows, to find which fields unsquish filled from the bytes.
const TAGS = { 43: 'id', 42: 'color', 44: 'playerIds', 45: 'pos', 53: 'fill', 46: 'size', 47: 'text', 48: 'asset',
    49: 'effects', 50: 'handleClick', 54: 'border', 55: 'subType', 51: 'input', 52: 'coordinates2d' };
const KINDS = { 1: 'Asset', 2: 'Shape', 3: 'Text' };

const decode = (req) => {
    const { unsquish } = load(req.package);
    const bytes = Array.from(Buffer.from(req.hex, 'hex'));
    let result;
    try {
        result = unsquish(bytes);
    } catch (e) {
        return { error: String(e && e.message) };
    }
    const present = new Set();
    for (let i = 5; i < bytes.length;) {
        const name = TAGS[bytes[i]];
        if (!name) break;
        present.add(name);
        const n = bytes[i + 1] + bytes[i + 2];
        if (!(n > 0)) break;
        i += n;
    }
    const decoded = { kind: KINDS[bytes[4]] || 'plain' };
    for (const name of present) decoded[name] = result.node[name];
    return { decoded };
};

const bench = (req) => {
    const { squish } = load(req.package);
    const nodes = [];
    walk(req.tree, (j) => nodes.push(toInternal(j)));
    const run = () => {
        let bytes = 0;
        for (const n of nodes) bytes += Buffer.from(squish(n, req.scale || null)).length;
        return bytes;
    };
    for (let i = 0; i < Math.min(50, req.iterations); i++) run(); // warm up the JIT
    const start = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < req.iterations; i++) sink += run();
    const nanos = Number(process.hrtime.bigint() - start);
    return { nanosPerTree: nanos / req.iterations, bytes: sink / req.iterations };
};

const replacer = (k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : (v > 0 ? 'Infinity' : '-Infinity');
    if (v === undefined) return null;
    if (typeof v === 'function') return true;
    return v;
};

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
    if (!line.trim()) return;
    let out;
    try {
        const req = JSON.parse(line);
        const op = { encode, decode, bench }[req.op];
        out = op ? op(req) : { error: `unknown op ${req.op}` };
    } catch (e) {
        out = { error: `oracle failed: ${e && e.stack}` };
    }
    process.stdout.write(JSON.stringify(out, replacer) + '\n');
});
