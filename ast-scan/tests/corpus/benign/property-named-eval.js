const o = { eval: 1 };
console.log(o.eval);
