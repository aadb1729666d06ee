switch (1) { case 1: { let eval = 0; } function eval() {} }
module.exports = 1;
