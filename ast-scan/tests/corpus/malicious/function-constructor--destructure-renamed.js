const { constructor: make } = function () {}; make('return 1')();
