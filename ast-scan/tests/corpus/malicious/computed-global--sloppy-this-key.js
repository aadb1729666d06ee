// A computed read off `this` inside a sloppy-mode function.
function lookup(k) {
    return this[k];
}
lookup('ev' + 'al')('1');
