// __proto__ held in a constant and used as a computed key.
const k = '__proto__';
const proto = (() => 0)[k];
