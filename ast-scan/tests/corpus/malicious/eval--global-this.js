globalThis.eval('1');
