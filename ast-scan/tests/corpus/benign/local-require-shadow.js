function load(require) { return require('anything'); }
