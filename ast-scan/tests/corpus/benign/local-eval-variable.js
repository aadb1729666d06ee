function f(evaluate) { const eval2 = evaluate; return eval2(1); }
