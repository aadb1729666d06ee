function f() { return arguments.callee; }
