const r = /eval\(/g;
r.test('eval(');
