#!/usr/bin/python3
"""Reference figures for test/masks.test.ts, computed independently of the TypeScript kernel.

Needs numpy, scipy and mrcfile (Debian: /usr/bin/python3 with python3-numpy, python3-scipy, python3-mrcfile).
Run from the repository root:  /usr/bin/python3 scripts/make-mask-fixtures.py
Writes test/fixtures/masks-<map>.json.

What it reproduces, step by step, as VRS does it:
* 0.b raw mask: V >= threshold with V the float32 map (numpy compares in float32), scipy.ndimage.label with a
  3x3x3 structure (26-connectivity).
* hard mask: threshold printed with "%f" (6 decimals) and compared in double, as xmipp_transform_threshold does;
  keep the largest component (first label on ties); ceil(2/Ts) steps of Xmipp's dilate3D_step: 18 neighbours,
  synchronous, the outermost one-voxel shell never written.
* "default" hard mask: full-precision threshold and scipy.ndimage.binary_dilation with the 18-neighbour structure
  (a plain dilation clipped to the box).
* soft mask: the VRS hard mask times exp(-pi^2 f^2 sigma^2), sigma = 2, f from numpy.fft.fftfreq on each axis,
  through a 3-D FFT (periodic), negatives set to 0.
Arrays are (z, y, x), so C order is the kernel's x-fastest order and hashes compare directly.
"""
import hashlib
import json
import math
import os

import mrcfile
import numpy as np
from scipy import ndimage

CASES = [
    ("emd_1997", "data/maps/emd_1997.map", 1.0, 2.02),
    ("emd_3488", "data/maps/emd_3488.map", 0.09, 1.05),
]
SWEEP_STEPS = 6
SOFT_SIGMA = 2.0
SOFT_SAMPLES = 300


def xmipp_dilate_step(m):
    """One dilate3D_step: interior 0-voxels with any of 18 neighbours set become 1 (reads the input only)."""
    out = m.copy()
    core = (slice(1, -1),) * 3
    total = np.zeros(tuple(s - 2 for s in m.shape), dtype=np.int32)
    nz, ny, nx = m.shape
    for dz in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                steps = abs(dz) + abs(dy) + abs(dx)
                if steps in (1, 2):
                    total += m[1 + dz:nz - 1 + dz, 1 + dy:ny - 1 + dy, 1 + dx:nx - 1 + dx]
    grow = (m[core] == 0) & (total > 0)
    out[core][grow] = 1
    return out


def largest(labels, n):
    if n == 0:
        return np.zeros(labels.shape, np.uint8)
    sizes = np.bincount(labels.ravel())
    keep = 1 + int(np.argmax(sizes[1:]))  # first maximum = lowest label
    return (labels == keep).astype(np.uint8)


def sha256(m):
    return hashlib.sha256(np.ascontiguousarray(m, dtype=np.uint8).tobytes()).hexdigest()


def components95(sizes_desc, raw):
    cum, taken = 0, 0
    while raw > 0 and cum / raw < 0.95:
        cum += int(sizes_desc[taken])
        taken += 1
    return taken


def soft_mask(hard):
    nz, ny, nx = hard.shape
    fz, fy, fx = np.meshgrid(np.fft.fftfreq(nz), np.fft.fftfreq(ny), np.fft.fftfreq(nx), indexing="ij")
    transfer = np.exp(-np.pi ** 2 * (fx ** 2 + fy ** 2 + fz ** 2) * SOFT_SIGMA ** 2)
    soft = np.real(np.fft.ifftn(np.fft.fftn(hard.astype(np.float64)) * transfer))
    soft[soft < 0] = 0
    return soft


def small_soft_case(root):
    """A box whose axes are all short enough (<= 15) for the kernel to apply the whole circular kernel: exact."""
    nz, ny, nx = 9, 10, 12
    z, y, x = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    hard = (((x - 3) ** 2 + (y - 4) ** 2 + (z - 4) ** 2 <= 6) | ((x == 11) & (y == 0))).astype(np.uint8)
    soft = soft_mask(hard)
    out = {
        "shape": {"nx": nx, "ny": ny, "nz": nz},
        "rule": "sphere (x-3)^2+(y-4)^2+(z-4)^2 <= 6, plus the column x = 11, y = 0 (touches the box, wraps)",
        "hard": [int(b) for b in hard.ravel()],
        "soft": [float(s) for s in soft.ravel()],
    }
    target = os.path.join(root, "test", "fixtures", "masks-soft-small.json")
    with open(target, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"{target}: {int(hard.sum())} voxels, soft sum {soft.sum():.6f}")


def main():
    root = os.getcwd()
    small_soft_case(root)
    for name, path, threshold, ts in CASES:
        with mrcfile.open(os.path.join(root, path), permissive=True) as f:
            v = np.array(f.data, dtype=np.float32)
        raw = v >= threshold
        labels, n = ndimage.label(raw, structure=np.ones((3, 3, 3)))
        sizes = np.sort(np.bincount(labels.ravel())[1:])[::-1]
        raw_voxels = int(raw.sum())

        iterations = math.ceil(2 / ts)
        applied = float("%f" % threshold)
        raw_hard = v.astype(np.float64) >= applied
        hard_labels, hard_n = ndimage.label(raw_hard, structure=np.ones((3, 3, 3)))
        keep = largest(hard_labels, hard_n)
        hard = keep.copy()
        for _ in range(iterations):
            hard = xmipp_dilate_step(hard)

        full_labels, full_n = ndimage.label(v.astype(np.float64) >= threshold, structure=np.ones((3, 3, 3)))
        default = ndimage.binary_dilation(
            largest(full_labels, full_n), structure=ndimage.generate_binary_structure(3, 2), iterations=iterations
        ).astype(np.uint8)

        soft = soft_mask(hard)
        edge = np.flatnonzero((soft.ravel() > 1e-4) & (soft.ravel() < 0.9999))
        rng = np.random.default_rng(1997)
        picked = np.sort(rng.choice(edge, size=min(SOFT_SAMPLES, edge.size), replace=False))
        far = np.flatnonzero(soft.ravel() == 0)  # clipped ringing, must come out as exact zeros
        far_picked = np.sort(rng.choice(far, size=min(50, far.size), replace=False))

        steps = np.linspace(threshold * 0.5, float(v.max()), SWEEP_STEPS)
        sweep = []
        for t in [float(x) for x in steps]:
            m = v >= t
            lab, cnt = ndimage.label(m, structure=np.ones((3, 3, 3)))
            s = np.sort(np.bincount(lab.ravel())[1:])[::-1]
            sweep.append({
                "threshold": t,
                "rawVoxels": int(m.sum()),
                "componentCount": int(cnt),
                "largestComponentVoxels": int(s[0]) if cnt else 0,
                "components95": components95(s, int(m.sum())),
            })

        out = {
            "source": path,
            "shape": {"nx": int(v.shape[2]), "ny": int(v.shape[1]), "nz": int(v.shape[0])},
            "threshold": threshold,
            "voxelSize": ts,
            "raw": {
                "voxels": raw_voxels,
                "componentCount": int(n),
                "sizesDescending": [int(s) for s in sizes],
                "components95": components95(sizes, raw_voxels),
            },
            "vrsCompat": {
                "appliedThreshold": applied,
                "largestComponentVoxels": int(keep.sum()),
                "dilationIterations": iterations,
                "voxels": int(hard.sum()),
                "sha256": sha256(hard),
                "voxelsPerZ": [int(x) for x in hard.sum(axis=(1, 2))],
            },
            "default": {
                "voxels": int(default.sum()),
                "sha256": sha256(default),
            },
            "soft": {
                "sigma": SOFT_SIGMA,
                "sum": float(soft.sum()),
                "max": float(soft.max()),
                "nonZero": int((soft > 0).sum()),
                "sumPerZ": [float(x) for x in soft.sum(axis=(1, 2))],
                "sampleIndex": [int(i) for i in picked],
                "sampleValue": [float(soft.ravel()[i]) for i in picked],
                "zeroIndex": [int(i) for i in far_picked],
            },
            "sweep": sweep,
        }
        target = os.path.join(root, "test", "fixtures", f"masks-{name}.json")
        with open(target, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"{target}: raw {raw_voxels} in {n} components, hard {int(hard.sum())}, default {int(default.sum())}")


if __name__ == "__main__":
    main()
