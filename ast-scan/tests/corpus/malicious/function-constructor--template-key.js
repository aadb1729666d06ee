// A template literal whose substitution is itself a literal.
const F = (() => 0)[`constr${'uctor'}`];
F('return 1')();
