eval.call(null, '1');
