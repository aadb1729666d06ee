const m = 'fs'; import(m);
