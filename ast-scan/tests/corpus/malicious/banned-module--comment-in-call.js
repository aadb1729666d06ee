const vm = require(/* hi */ 'vm' /* there */);
