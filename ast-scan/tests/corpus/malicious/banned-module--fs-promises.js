const fsp = require('fs/promises');
