// String.raw`constructor` is the string 'constructor', built by a tag instead of quotes.
const F = (() => {})[String.raw`constructor`];
module.exports = F('return 1');
