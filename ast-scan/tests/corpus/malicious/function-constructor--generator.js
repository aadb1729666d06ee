const G = Object.getPrototypeOf(function* () {}).constructor; G('yield 1');
