// super.g runs the prototype's getter with the method's `this`: the global object when the
// sloppy method is called bare.
const p = { get g() { return this; } };
const o = { m() { return super.g; } };
Object.setPrototypeOf(o, p);
const m = o.m;
module.exports = m().eval;
