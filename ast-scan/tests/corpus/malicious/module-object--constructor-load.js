// Module._load is the loader behind require.
module.exports = module.constructor._load('child_process');
