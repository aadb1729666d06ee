// JSON.parse of a JSON string literal is that string.
const F = (() => {})[JSON.parse('"constructor"')];
module.exports = F('return 1');
