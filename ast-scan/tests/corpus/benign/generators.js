function* g() { yield 1; }
for (const x of g()) console.log(x);
