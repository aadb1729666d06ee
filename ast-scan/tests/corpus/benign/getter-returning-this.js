// An object literal getter: its `this` is the object.
const counter = {
    n: 0,
    get self() { return this; },
};
counter.self.n += 1;
