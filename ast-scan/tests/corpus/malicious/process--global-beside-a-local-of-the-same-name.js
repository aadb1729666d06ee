// A local `process` in one function does not make the global one elsewhere harmless.
function fake() { const process = { env: {} }; return process.env; }
module.exports = () => [fake(), process.env];
