function f() { return (arguments).callee; }
module.exports = f;
