const o = thing?.core?.ops;
