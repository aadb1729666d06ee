import('http').then((h) => h.get('x'));
