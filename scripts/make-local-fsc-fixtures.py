#!/usr/bin/python3
"""Reference per-box FSCs for lib/level1/local-fsc.ts (1.c), computed with numpy.

Run with the Debian Python that has numpy:  /usr/bin/python3 scripts/make-local-fsc-fixtures.py

Writes test/fixtures/local-fsc-boxes.json: for two 16^3 halves regenerated in the test from seeds by the LCG of
test/helpers/random.ts (`centeredUniform`; half 2 = half 1 + 0.5 x a second draw), the FSC of shells 1 ... box/2 of a
few boxes. Each box is cut periodically from its corner, multiplied by the separable Hann window
0.5 (1 - cos(2 pi (i + 1/2) / b)), transformed by np.fft.rfftn, and binned by shell = floor(R b + 1/2) for bins with
digital radius R <= 0.5.
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "local-fsc-boxes.json")
N = 16


def lcg_values(count, seed):
    """centeredUniform(seed) of test/helpers/random.ts: uniform in [-0.5, 0.5)."""
    state = seed % 2**32
    out = np.empty(count)
    for i in range(count):
        state = (state * 1664525 + 1013904223) % 2**32
        out[i] = state / 2**32 - 0.5
    return out


def box_fsc(h1, h2, start, b):
    # start is (x, y, z); arrays are (z, y, x).
    idx = [np.arange(start[a], start[a] + b) % N for a in range(3)]
    window = 0.5 * (1 - np.cos(2 * np.pi * (np.arange(b) + 0.5) / b))
    w = window[:, None, None] * window[None, :, None] * window[None, None, :]
    a = h1[np.ix_(idx[2], idx[1], idx[0])] * w
    c = h2[np.ix_(idx[2], idx[1], idx[0])] * w
    fa, fc = np.fft.rfftn(a), np.fft.rfftn(c)
    fz = np.fft.fftfreq(b)[:, None, None]
    fy = np.fft.fftfreq(b)[None, :, None]
    fx = np.fft.rfftfreq(b)[None, None, :]
    r = np.sqrt(fz**2 + fy**2 + fx**2)
    shell = np.floor(r * b + 0.5).astype(int)
    keep = r <= 0.5
    fsc = []
    for s in range(1, b // 2 + 1):
        sel = keep & (shell == s)
        cross = np.sum((fa[sel] * np.conj(fc[sel])).real)
        fsc.append(float(cross / np.sqrt(np.sum(np.abs(fa[sel]) ** 2) * np.sum(np.abs(fc[sel]) ** 2))))
    return fsc


def main():
    # Rounded to float32, as the test's volumes hold them.
    h1 = lcg_values(N**3, 7).reshape(N, N, N).astype(np.float32).astype(np.float64)
    h2 = (h1 + 0.5 * lcg_values(N**3, 8).reshape(N, N, N)).astype(np.float32).astype(np.float64)
    cases = []
    for start, b in [((-4, 3, 10), 8), ((2, 5, 1), 12), ((0, 0, 0), 16)]:
        cases.append({"start": list(start), "box": b, "fsc": box_fsc(h1, h2, start, b)})
    with open(OUT, "w") as f:
        json.dump({"n": N, "seeds": [7, 8], "noiseScale": 0.5, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
