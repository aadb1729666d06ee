function run(ops) { ops.op_set_timeout(1); }
