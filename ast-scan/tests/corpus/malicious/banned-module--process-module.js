const p = require('process');
