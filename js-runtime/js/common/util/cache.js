// A set whose entries expire after a time to live. A later put of the same value does not cancel
// the earlier timer, so that timer may remove the newer entry early (as the original does).
'use strict';

class ExpiringSet {
  constructor() {
    this.cache = {};
  }

  put(value, ttl) {
    if (ttl === null || ttl === undefined || Number(ttl) < 1) throw new Error('put() requires a TTL');
    this.cache[value] = setTimeout(() => { delete this.cache[value]; }, ttl);
  }

  has(value) {
    return value in this.cache;
  }

  remove(value) {
    if (this.cache[value]) {
      clearTimeout(this.cache[value]);
      delete this.cache[value];
    }
  }
}

module.exports = { ExpiringSet };
