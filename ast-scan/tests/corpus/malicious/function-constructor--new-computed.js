new (() => 1).constructor('return 1');
