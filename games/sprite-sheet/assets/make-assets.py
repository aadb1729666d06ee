#!/usr/bin/env python3
"""Draws sheet.png for Sprite Sheet: a 64x64 sheet of four flat 32x32 frames (no third-party art).
Top-left red, top-right green, bottom-left blue, bottom-right yellow; opaque, so a crop that
leaks into a neighbouring frame shows its colour. Run from this folder: python3 make-assets.py"""
import struct, zlib

def png(path, w, h, pixel):
    rows = b''.join(b'\x00' + b''.join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))

FRAMES = [[(255, 0, 0, 255), (0, 255, 0, 255)],
          [(0, 0, 255, 255), (255, 255, 0, 255)]]

png('sheet.png', 64, 64, lambda x, y: FRAMES[y // 32][x // 32])
