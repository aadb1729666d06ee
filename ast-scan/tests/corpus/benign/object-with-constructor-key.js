const o = { constructor: 1 };
console.log(o);
