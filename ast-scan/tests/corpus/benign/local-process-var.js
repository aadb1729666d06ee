const process = { step: 1 };
module.exports = process.step;
