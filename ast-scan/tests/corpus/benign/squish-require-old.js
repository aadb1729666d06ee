const s = require('squish-0767');
