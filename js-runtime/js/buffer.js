// A small Buffer for the few things games do with Node's: decode base64 or bytes to text, and
// turn text into bytes. A Uint8Array underneath, as Node's is.
'use strict';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]).concat([['-', 62], ['_', 63]]));

const utf8Encode = (s) => {
  const out = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
};

// Malformed sequences become U+FFFD, one per bad byte.
const utf8Decode = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;
    if (need === 0) { s += String.fromCharCode(b); i++; continue; }
    let cp = need === 1 ? b & 31 : need === 2 ? b & 15 : b & 7;
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 63);
    }
    if (!ok || cp > 0x10ffff) { s += '\ufffd'; i++; continue; }
    s += String.fromCodePoint(cp);
    i += need + 1;
  }
  return s;
};

const base64Decode = (s) => {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const c of s) {
    const v = B64_INDEX.get(c);
    if (v === undefined) continue; // whitespace and padding
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 255);
    }
  }
  return out;
};

const base64Encode = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    s += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    s += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return s;
};

class Buffer extends Uint8Array {
  static from(value, encoding = 'utf8') {
    if (typeof value === 'string') {
      const enc = String(encoding).toLowerCase();
      if (enc === 'base64' || enc === 'base64url') return new Buffer(base64Decode(value));
      if (enc === 'hex') return new Buffer((value.match(/../g) || []).map((h) => parseInt(h, 16)));
      if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return new Buffer([...value].map((c) => c.charCodeAt(0) & 255));
      return new Buffer(utf8Encode(value));
    }
    if (value instanceof ArrayBuffer) return new Buffer(new Uint8Array(value));
    return new Buffer(Array.from(value, (v) => Number(v) & 255));
  }

  static alloc(size, fill = 0) {
    return new Buffer(size).fill(fill);
  }

  static isBuffer(v) {
    return v instanceof Buffer;
  }

  static byteLength(s) {
    return utf8Encode(String(s)).length;
  }

  static concat(list) {
    return Buffer.from(list.flatMap((b) => Array.from(b)));
  }

  toString(encoding = 'utf8', start = 0, end = this.length) {
    const bytes = Array.from(this.subarray(start, end));
    const enc = String(encoding).toLowerCase();
    if (enc === 'base64') return base64Encode(bytes);
    if (enc === 'hex') return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return String.fromCharCode(...bytes);
    return utf8Decode(bytes);
  }

  toJSON() {
    return { type: 'Buffer', data: Array.from(this) };
  }
}

module.exports = Buffer;
