// Destructuring eval out of the global object.
const { eval: run } = globalThis;
run('1');
