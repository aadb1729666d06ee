// The global object passed to a helper that indexes it.
function pick(o, k) {
    return o[k];
}
pick(window, 'ev' + 'al')('1');
