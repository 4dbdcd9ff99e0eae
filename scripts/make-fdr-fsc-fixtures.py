#!/usr/bin/python3
"""Reference for 1.b FDR-FSC (lib/level1/fdr-fsc.ts): SPOC's permutation test with Benjamini-Yekutieli control at 1 % FDR,
re-implemented in numpy from the method's description (docs/reference/level1.md), on small synthetic pairs.

Run:  /usr/bin/python3 scripts/make-fdr-fsc-fixtures.py

Each pair is made from the LCG of test/helpers/random.ts (uniform in [-0.5, 0.5), as scripts/make-fft-fixtures.py):
a signal whose spectrum is kept up to shell `cutoff` (round(|k|), Fourier pixels) and scaled by `gain`, plus
independent noise in each half; both halves are rounded to float32, as the test's volumes are. numpy's random
stream (seed 3, reset in every shell, as SPOC) differs from mapval's, so the p-values differ by sampling error; the
test compares the FSC, the per-shell decisions and the resolution. Writes test/fixtures/fdr-fsc-synthetic.json.
"""
import json
import math
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "fdr-fsc-synthetic.json")


def lcg_values(count, seed):
    state = seed % 2**32
    out = np.empty(count)
    for i in range(count):
        state = (state * 1664525 + 1013904223) % 2**32
        out[i] = state / 2**32 - 0.5
    return out


def make_pair(n, cutoff, gain, seeds):
    shape = (n, n, n)  # z, y, x: x fastest, as the test's volumes
    signal_ft = np.fft.rfftn(lcg_values(n**3, seeds[0]).reshape(shape))
    kz = np.fft.fftfreq(n)[:, None, None] * n
    ky = np.fft.fftfreq(n)[None, :, None] * n
    kx = np.fft.rfftfreq(n)[None, None, :] * n
    shell = np.floor(np.sqrt(kz**2 + ky**2 + kx**2) + 0.5)
    signal = np.fft.irfftn(signal_ft * np.where(shell <= cutoff, gain, 0.0), s=shape)
    halves = [(signal + lcg_values(n**3, s).reshape(shape)).astype(np.float32).astype(np.float64) for s in seeds[1:]]
    return halves


def sphere_mask(shape, radius, sigma=2.0):
    axes = [np.linspace(-math.floor(n / 2.0), -math.floor(n / 2.0) + n, n) for n in shape]
    zz, yy, xx = np.meshgrid(*axes, indexing="ij")
    beyond = np.sqrt(xx**2 + yy**2 + zz**2) - radius
    mask = np.exp(-(beyond**2) / (2 * sigma**2))
    mask[mask < 1e-6] = 0.0
    mask[beyond < 0] = 1.0
    return mask


def fsc_of(a, b):
    den = math.sqrt(np.sum(np.abs(a) ** 2) * np.sum(np.abs(b) ** 2))
    return float(np.sum((a * np.conj(b)).real) / den) if den != 0 else 0.0


def permutation_p(a, b, fsc, rng):
    count = a.size
    m = max(1, int(min(0.7 * count, 200000)))
    if m < 10:
        return (1.0 if fsc < 0.9 else 0.0), m, 0
    pick = rng.choice(count, m, replace=False)
    sa, sb = a[pick], np.copy(b[pick])
    den = math.sqrt(np.sum(np.abs(sa) ** 2) * np.sum(np.abs(sb) ** 2))
    above, made, previous = 0, 0, 0.0
    for _ in range(1000 // 200):
        for _ in range(200):
            perm = rng.permutation(m)
            above += int(np.sum((sa * np.conj(sb[perm])).real) / den > fsc)
            made += 1
        p = above / made
        if p - previous < 0.001:
            break
        previous = p
    return above / made, m, made


def by_adjust(p):
    p = np.asarray(p, dtype=float)
    m = p.size
    harmonic = math.log(m) + 0.5772 + 0.5 / m - 1.0 / (12 * m**2) + 1.0 / (120 * m**4)
    order = np.argsort(p, kind="stable")
    q = np.empty(m)
    previous = 1.0
    for rank in range(m - 1, -1, -1):
        previous = min(previous, p[order[rank]] * (m / (rank + 1.0)) * harmonic)
        q[order[rank]] = previous
    return q


def fdr_fsc(h1, h2, apix):
    n = h1.shape[0]
    mask = sphere_mask(h1.shape, min(h1.shape) / 2.0 - 4.0)
    f1, f2 = np.fft.rfftn(h1 * mask), np.fft.rfftn(h2 * mask)
    kz = np.fft.fftfreq(h1.shape[0])[:, None, None]
    ky = np.fft.fftfreq(h1.shape[1])[None, :, None]
    kx = np.fft.rfftfreq(h1.shape[2])[None, None, :]
    freq = np.sqrt(kz**2 + ky**2 + kx**2) / apix
    res = np.fft.rfftfreq(n) / apix
    half = (res[1] - res[0]) / 2
    rows = []
    for i, r in enumerate(res):
        inside = (r - half < freq) & (freq < r + half)
        a, b = f1[inside], f2[inside]
        fsc = fsc_of(a, b)
        rng = np.random.RandomState(3)
        if i == 0:
            p, m, made = 0.0, a.size, 0
        else:
            p, m, made = permutation_p(a, b, fsc, rng)
        rows.append({"index": i, "coefficients": int(a.size), "sampleSize": m, "permutations": made, "fsc": fsc, "pValue": p})
    q = by_adjust([row["pValue"] for row in rows])
    for row, qi in zip(rows, q):
        row["qValue"] = float(qi)
        row["significant"] = bool(qi <= 0.01)
    first_not = next((i for i, row in enumerate(rows) if not row["significant"]), None)
    if first_not is None:
        resolution = 2 * apix
    elif first_not - 1 <= 0:
        resolution = None
    else:
        resolution = float(1 / res[first_not - 1])
    return rows, resolution


def main():
    cases = []
    for name, n, cutoff, gain, seeds, apix in [
        ("signal to shell 9", 32, 9, 3.0, (11, 12, 13), 1.5),
        ("signal to shell 5, weak", 32, 5, 1.0, (21, 22, 23), 2.0),
    ]:
        h1, h2 = make_pair(n, cutoff, gain, seeds)
        rows, resolution = fdr_fsc(h1, h2, apix)
        cases.append({"name": name, "n": n, "cutoff": cutoff, "gain": gain, "seeds": list(seeds), "voxelSize": apix,
                      "shells": rows, "resolution": resolution})
        print(name, resolution, [round(r["fsc"], 3) for r in rows], [r["significant"] for r in rows])
    with open(OUT, "w") as f:
        json.dump({"source": "scripts/make-fdr-fsc-fixtures.py (numpy re-implementation of SPOC's FDR-FSC)", "cases": cases}, f, indent=1)
        f.write("\n")


main()
