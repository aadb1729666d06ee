// `(x, require)('./a')` is a direct require of a literal; what comes before it still runs.
const a = (eval('1'), require)('./a');
module.exports = a;
