Reflect.get(() => 1, 'constructor');
