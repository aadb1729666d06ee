module.exports = module.constructor.createRequire(__filename)('child_process');
