global.eval('1');
