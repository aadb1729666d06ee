const cp = require('child_' + 'process');
