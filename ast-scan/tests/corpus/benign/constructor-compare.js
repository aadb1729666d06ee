function isA(x, A) { return x.constructor === A; }
