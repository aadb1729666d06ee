const k = 'x'; globalThis[k]();
