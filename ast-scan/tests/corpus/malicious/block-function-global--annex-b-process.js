// The let blocks Annex B hoisting, so the function stays in its block and the `process` below
// is the global one (swc's resolver would bind it to the function).
{ let process = 1; { function process() {} } }
module.exports = process.pid;
