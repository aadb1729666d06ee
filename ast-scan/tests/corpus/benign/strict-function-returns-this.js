'use strict';
// In strict code a bare call's `this` is undefined, never the global object.
function self() {
    return this;
}
module.exports = self;
