// The usual guard against prototype pollution names the keys it refuses.
function safeAssign(target, source) {
  for (const k of Object.keys(source)) {
    if (k === '__proto__' || k === 'constructor' || 'prototype' === k) continue;
    target[k] = source[k];
  }
  return target;
}
module.exports = safeAssign;
