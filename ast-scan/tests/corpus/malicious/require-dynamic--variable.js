const name = 'fs'; require(name);
