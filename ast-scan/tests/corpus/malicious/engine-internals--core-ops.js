// However `core` was obtained, its ops table is off limits.
function run(core) { return core.ops.op_panic(); }
