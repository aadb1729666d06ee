#!/usr/bin/env node
// Our acorn + acorn-walk scanner with the same rule subset as the Rust one (banned/package/dynamic
// requires, import(), eval, Function, process, with, timer strings, WebAssembly, __proto__,
// .constructor chains, import.meta). Scans the given files `rounds` times and prints JSON timing.
//   node scan.js ROUNDS FILE...
'use strict';
const fs = require('fs');
const acorn = require('acorn');
const walk = require('acorn-walk');

const [rounds, ...files] = process.argv.slice(2);
const sources = files.map((f) => fs.readFileSync(f, 'utf8'));
const BANNED = new Set(['child_process', 'fs', 'fs/promises', 'net', 'tls', 'dns', 'dgram', 'http', 'https', 'http2', 'cluster',
  'worker_threads', 'vm', 'os', 'path', 'crypto', 'module', 'repl', 'inspector', 'perf_hooks', 'trace_events', 'v8', 'process']);
const GLOBALS = new Set(['eval', 'Function', 'process', 'WebAssembly', 'Reflect', 'Proxy']);
const staticString = (n) => {
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis[0].value.cooked;
  if (n.type === 'BinaryExpression' && n.operator === '+') { const a = staticString(n.left), b = staticString(n.right); return a != null && b != null ? a + b : null; }
  return null;
};
const allowed = (m) => m.startsWith('./') || m.startsWith('../') || /^squish-\d+$/.test(m);

const scan = (src) => {
  const findings = [];
  let ast;
  try {
    ast = acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true, locations: true });
  } catch (e) {
    try { ast = acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, locations: true }); } catch (e2) { return [{ rule: 'parse-error' }]; }
  }
  // Declared names, so a local `process` is not the global one (a whole-file approximation).
  const declared = new Set();
  walk.full(ast, (n) => {
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') declared.add(n.id.name);
    if ((n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression')) for (const p of n.params) if (p.type === 'Identifier') declared.add(p.name);
  });
  walk.full(ast, (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && !declared.has('require')) {
      const m = n.arguments[0] && staticString(n.arguments[0]);
      if (m == null) findings.push({ rule: 'require-dynamic', line: n.loc.start.line });
      else if (BANNED.has(m.replace(/^node:/, ''))) findings.push({ rule: 'banned-module', line: n.loc.start.line });
      else if (!allowed(m)) findings.push({ rule: 'require-package', line: n.loc.start.line });
    }
    if (n.type === 'ImportExpression') findings.push({ rule: 'import', line: n.loc.start.line });
    if (n.type === 'Identifier' && GLOBALS.has(n.name) && !declared.has(n.name)) findings.push({ rule: n.name, line: n.loc.start.line });
    if (n.type === 'WithStatement') findings.push({ rule: 'with-statement', line: n.loc.start.line });
    if (n.type === 'MetaProperty' && n.meta.name === 'import') findings.push({ rule: 'import-meta', line: n.loc.start.line });
    if (n.type === 'MemberExpression') {
      const name = n.computed ? staticString(n.property) : n.property.name;
      if (name === '__proto__') findings.push({ rule: 'prototype-tricks', line: n.loc.start.line });
      if (name === 'constructor' && n.object.type === 'MemberExpression') findings.push({ rule: 'function-constructor', line: n.loc.start.line });
    }
    if (n.type === 'CallExpression' && n.arguments[0] && ['setTimeout', 'setInterval'].includes(n.callee.name || (n.callee.property && n.callee.property.name))) {
      if (staticString(n.arguments[0]) != null) findings.push({ rule: 'timer-string', line: n.loc.start.line });
    }
  });
  return findings;
};

let total = 0;
for (const s of sources) total += scan(s).length; // warm up
const start = process.hrtime.bigint();
for (let r = 0; r < Number(rounds); r++) for (const s of sources) total += scan(s).length;
const nanos = Number(process.hrtime.bigint() - start);
const bytes = sources.reduce((a, s) => a + Buffer.byteLength(s), 0);
console.log(JSON.stringify({ files: sources.length, bytes, nanosPerRound: nanos / Number(rounds), findings: total }));
