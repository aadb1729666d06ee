// Function.prototype.call on the constructor of a function: the Function constructor by another name.
const run = (function () {}).constructor.call(null, 'return 1');
run();
