module.exports = (module).require('child_process');
