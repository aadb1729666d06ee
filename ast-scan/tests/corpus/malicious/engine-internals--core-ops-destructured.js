function run(core) { const { ops } = core; return ops; }
