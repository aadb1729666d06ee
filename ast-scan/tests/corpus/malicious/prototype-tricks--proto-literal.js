const o = { __proto__: null };
