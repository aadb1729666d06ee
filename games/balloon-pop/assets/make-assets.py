#!/usr/bin/env python3
"""Draws balloon.png and synthesises pop.wav for Balloon Pop (no third-party art or sound).
Run from this folder: python3 make-assets.py"""
import math, random, struct, wave, zlib

def png(path, w, h, pixel):
    rows = b''.join(b'\x00' + b''.join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))

def balloon(x, y):
    cx, cy, rx, ry = 32, 34, 26, 32
    d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
    if d <= 1:
        shine = max(0, 1 - math.hypot(x - 22, y - 20) / 12)
        return (min(255, 220 + int(35 * shine)), int(40 + 180 * shine), int(60 + 170 * shine), 255)
    if 64 <= y < 70 and abs(x - 32) <= (70 - y) // 2:  # the knot
        return (180, 20, 40, 255)
    if y >= 70 and abs(x - 32 - 2 * math.sin(y / 3)) < 1:  # the string
        return (90, 90, 90, 255)
    return (0, 0, 0, 0)

png('balloon.png', 64, 96, balloon)

random.seed(7)
rate, n = 22050, 2600
with wave.open('pop.wav', 'wb') as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b''.join(struct.pack('<h', int(12000 * math.exp(-i / 300) * (random.random() * 2 - 1))) for i in range(n)))
