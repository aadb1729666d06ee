// The global object in a variable: its reads are out of sight of the global rules.
const g = globalThis;
g.eval('1');
