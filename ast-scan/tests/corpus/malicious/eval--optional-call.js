eval?.('1');
