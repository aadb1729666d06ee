// A computed member name runs in the enclosing code too.
function f() { let g; (class { [(g = this, 'x')]() {} }); return g; }
module.exports = f();
