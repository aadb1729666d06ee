const t = `Function(${1})`;
