// Every way a game uses module: module.exports, read or written, and typeof module.
const exported = { a: 1 };
module.exports = exported;
module.exports.b = 2;
if (typeof module !== 'undefined') module.exports.c = 3;
