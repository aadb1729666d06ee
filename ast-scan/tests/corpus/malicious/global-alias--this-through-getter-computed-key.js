// A getter's computed key belongs to the enclosing scope, not to the getter.
function f() { let g; ({ get [(g = this, 'x')]() { return 1; } }); return g; }
module.exports = f();
