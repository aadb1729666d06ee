const scorer = { eval(x) { return x * 2; } };
scorer.eval(3);
