const e = eval; e('1');
