// The name held in a constant, the access computed.
const key = 'constructor';
const F = (() => 0)[key];
F('return 1')();
