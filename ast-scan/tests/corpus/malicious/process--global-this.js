globalThis.process.exit(1);
