// The extends clause runs in the enclosing sloppy function, where `this` is the global object.
function f() { let g; (class extends (g = this, Object) {}); return g; }
module.exports = f().eval;
