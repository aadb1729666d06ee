function run(process) { return process.step + 1; }
const process2 = 1;
