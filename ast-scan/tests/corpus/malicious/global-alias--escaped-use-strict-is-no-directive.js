'use\x20strict';
// With an escape the string is not a "use strict" directive: the code stays sloppy and f()
// returns the global object.
function f() { return this; }
module.exports = f();
