const k = '__boot' + 'strap';
const b = Object.getOwnPropertyNames(globalThis).includes(k);
