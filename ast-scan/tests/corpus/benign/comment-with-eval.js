// eval('x') would be bad
const x = 1;
