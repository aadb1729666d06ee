globalThis['pro' + 'cess'].exit(1);
