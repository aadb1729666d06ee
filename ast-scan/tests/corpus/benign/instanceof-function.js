const isFn = (x) => x instanceof Function;
