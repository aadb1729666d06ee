// Functions declared in blocks with ordinary names are fine.
if (true) { function helper() { return 1; } }
switch (2) { case 2: function other() { return 2; } }
module.exports = { a: typeof helper, b: typeof other };
