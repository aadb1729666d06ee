const a = [1, 2];
const b = [...a, 3];
function f(...args) { return args.length; }
