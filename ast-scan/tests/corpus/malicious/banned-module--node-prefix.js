const fs = require('node:fs');
