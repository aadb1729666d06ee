const f = (() => 1).constructor.constructor('return 1');
