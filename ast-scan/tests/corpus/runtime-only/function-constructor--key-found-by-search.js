// No string is built at all: the key is found among the prototype's own names.
const k = Object.getOwnPropertyNames(Object.prototype).find((n) => n.length === 11 && n[0] === 'c');
const { [k]: { [k]: F } } = {};
F('return 1')();
