// A sequence ending in the global object, then a fixed, harmless name: the earlier parts are
// visited and are innocent here.
let reads = 0;
const max = (reads++, globalThis).Math.max;
const isFn = (v) => v instanceof (reads++, Function);
module.exports = { max, isFn, reads };
