function run(ops) { let op_panic; ({ op_panic } = ops); op_panic(); }
