// A non-strict function's `this` may be the global object; the sequence still runs first.
module.exports = function () { return (eval('2'), this).Math; };
