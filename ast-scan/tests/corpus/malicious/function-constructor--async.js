const A = Object.getPrototypeOf(async function () {}).constructor; A('return 1');
