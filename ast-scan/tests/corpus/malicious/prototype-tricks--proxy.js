new Proxy({}, { get: () => 1 });
