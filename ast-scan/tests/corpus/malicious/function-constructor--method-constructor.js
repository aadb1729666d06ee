const F = [].map.constructor; F('return 1')();
