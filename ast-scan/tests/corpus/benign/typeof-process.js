const inNode = typeof process !== 'undefined';
