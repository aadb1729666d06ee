// One descriptor by a computed name: no `.constructor` appears in the source.
const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(() => 0), ['constr', 'uctor'].join(''));
d.value('return 1')();
