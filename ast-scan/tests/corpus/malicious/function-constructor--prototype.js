const F = Function.prototype.constructor; F('x');
