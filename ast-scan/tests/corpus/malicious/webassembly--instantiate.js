WebAssembly.instantiate(new Uint8Array(8));
