{ let require = 1; { function require() {} } }
module.exports = require('child_process');
