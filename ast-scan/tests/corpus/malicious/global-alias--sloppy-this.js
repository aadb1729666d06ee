// A plain function of sloppy-mode code called bare: its `this` is the global object.
const g = (function () { return this; })();
g.eval('1');
