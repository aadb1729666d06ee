setTimeout(`x()`, 1);
