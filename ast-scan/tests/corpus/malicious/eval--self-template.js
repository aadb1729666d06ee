self[`eval`]('1');
