// Reading a fixed, harmless name off the global object.
const M = globalThis.Math;
const n = globalThis.Number('3');
