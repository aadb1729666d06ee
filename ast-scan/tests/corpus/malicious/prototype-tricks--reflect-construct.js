Reflect.construct(Array, []);
