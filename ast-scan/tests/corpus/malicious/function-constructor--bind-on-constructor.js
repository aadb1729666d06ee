// bind first, call later: the reference leaves the expression that names it.
const make = (() => 0).constructor.bind(null);
make('return 1')();
