// The sequence's last element is the global object, so a scan that only looks at the
// property read would never visit the call before it.
const m = (eval('1 + 1'), globalThis).Math;
module.exports = m;
