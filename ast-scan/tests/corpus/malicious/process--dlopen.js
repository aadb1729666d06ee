process.dlopen({}, 'x.node');
