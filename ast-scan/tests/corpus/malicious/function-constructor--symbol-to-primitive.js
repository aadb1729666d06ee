// An object whose Symbol.toPrimitive produces the key when it is used as a property name.
const key = { [Symbol.toPrimitive]() { return 'constr' + 'uctor'; } };
(() => 0)[key]('return 1')();
