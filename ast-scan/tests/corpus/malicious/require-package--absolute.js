const x = require('/etc/passwd');
