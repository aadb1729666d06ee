''['sub']['constructor']('return this')();
