// `v instanceof Function` only asks a question, but the right side here does more.
module.exports = (v) => v instanceof (eval('1'), Function);
