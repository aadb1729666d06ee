globalThis.require('fs');
