// The bootstrap object deno_core leaves behind: every op is one property away.
const ops = __bootstrap.core.ops;
ops.op_panic('bye');
