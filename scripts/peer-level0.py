#!/usr/bin/python3
"""The peer users would script: Level 0 sections 0.a-0.d of one map with numpy/scipy/mrcfile, in VRS's mode.

    /usr/bin/python3 scripts/peer-level0.py MAP --threshold T --resolution R

Timed against `mapval report MAP --sections 0.a,0.b,0.c,0.d --vrs-compat --json` by `npm run bench -- peer`
(bench/peer.bench.ts). The hard mask, 0.a and 0.c are the fixture generators' numpy/scipy re-implementations of VRS
(scripts/vrs_reference.py, scripts/make-level0-fixtures.py); 0.b and 0.d are written here as a numpy user would write
them for speed, with the fixture generators' definitions: boolean masks and counts instead of VRS's int64 arrays, and
one radius index and one |F| for both Guinier plots instead of a second pass over a B-corrected spectrum (the Guinier
points and the line fit are scripts/make-fft-fixtures.py's). Prints one JSON object: the numbers the bench compares
and the seconds each step took.
"""
import argparse
import hashlib
import importlib.util
import json
import math
import os
import time

T0 = time.perf_counter()
import mrcfile  # noqa: E402  (imports are timed too: a script pays for them)
import numpy as np  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


level0 = load("make-level0-fixtures")
fft = load("make-fft-fixtures")
vrs_reference = load("vrs_reference")


def mask_numbers(V, M, Ts, threshold):
    """0.b as VRS's maskAnalysis defines it (scripts/make-level0-fixtures.py mask_analysis), with boolean masks."""
    raw = V >= threshold  # numpy 1.x compares with the Python float in float32, as VRS does
    labels, count = ndi.label(raw, vrs_reference.FULL)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    raw_voxels = int(np.count_nonzero(raw))
    # VRS's count of the largest components holding 95 % of the raw voxels (label 0, the background, is skipped but
    # counted in i, as VRS's loop does).
    order = np.argsort(-sizes.astype(float), kind="stable")
    cumulated, i = 0, 0
    while cumulated / raw_voxels < 0.95:
        if order[i] > 0:
            cumulated += sizes[order[i]]
        i += 1
    max_value = np.max(V)
    step = max_value / 25
    table = [int(np.count_nonzero(V > g)) for g in np.arange(step, max_value, step)]
    return {
        "rawVoxels": raw_voxels,
        "rawComponents": int(count),
        "components95": int(i - 1),
        "constructedVoxels": int(np.count_nonzero(M)),
        "overlap": float(np.count_nonzero(M & raw) / raw_voxels),
        "massTable": table,
    }


def guinier_bfactor(V, Ts, resolution):
    """0.d: Xmipp's Guinier plot, its line fit, and the plot of the B-corrected spectrum, from one |F| and one index."""
    ft = np.fft.rfftn(V.astype(np.float64)) / V.size
    nz, ny, hx = ft.shape
    xsize = V.shape[2]
    fz = fft.digital_frequencies(nz)
    fy = fft.digital_frequencies(ny)
    fx = fft.digital_frequencies(xsize)[:hx]
    r2 = ((fz * fz)[:, None, None] + (fy * fy)[None, :, None]) + (fx * fx)[None, None, :]
    keep = r2 <= 0.25
    r = np.sqrt(r2[keep])
    shell = np.floor(r * xsize + 0.5).astype(np.int64)
    amplitude = np.abs(ft[keep])

    def plot(weights):
        lnf = np.bincount(shell, weights=weights, minlength=xsize)[:xsize]
        count = np.bincount(shell, minlength=xsize)[:xsize]
        points = []
        for i in range(xsize):
            res = (xsize * Ts) / float(i) if i > 0 else math.inf
            if res >= resolution:
                if lnf[i] > 0.0:
                    w = 1.0 if (res <= 15.0 and res >= resolution) else 0.0
                    points.append((1.0 / (res * res), math.log(lnf[i] / count[i]), w))
                else:
                    points.append((1.0 / (res * res), 0.0, 0.0))
        return points

    guinier = plot(amplitude)
    slope, intercept = fft.least_squares_line_fit(guinier)
    s = r / Ts
    with np.errstate(divide="ignore"):
        gain = np.where(1.0 / s >= resolution, np.exp(-0.25 * (4 * slope) * s * s), 1.0)
    corrected = plot(amplitude * gain)
    return {"B": 4 * slope, "intercept": intercept, "corrected": [p[1] for p in corrected]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("map")
    parser.add_argument("--threshold", type=float, required=True)
    parser.add_argument("--resolution", type=float, required=True)
    args = parser.parse_args()
    seconds = {"imports": time.perf_counter() - T0}

    def step(name, start):
        seconds[name] = time.perf_counter() - start
        return time.perf_counter()

    t = time.perf_counter()
    with open(args.map, "rb") as fh:
        sha256 = hashlib.sha256(fh.read()).hexdigest()
    with mrcfile.open(args.map, permissive=True) as m:
        V = np.asarray(m.data, dtype=np.float32).copy()
        Ts = float(m.voxel_size.x)
    t = step("read and hash", t)
    M = vrs_reference.hard_mask(V, args.threshold, Ts, vrs=True).astype(np.uint8)
    t = step("hard mask", t)
    mass = level0.mass_analysis(V, M, Ts, vrs=True)
    t = step("0.a", t)
    mask = mask_numbers(V, M, Ts, args.threshold)
    t = step("0.b", t)
    background = level0.background_analysis(V, M)
    t = step("0.c", t)
    bfactor = guinier_bfactor(V, Ts, args.resolution)
    step("0.d", t)
    seconds["total"] = time.perf_counter() - T0
    print(json.dumps({
        "sha256": sha256,
        "0.a": {"decentering": mass["decentering"], "centerOfMass": mass["centerOfMass"]},
        "0.b": {k: mask[k] for k in ("rawVoxels", "rawComponents", "components95", "constructedVoxels", "overlap")},
        "0.c": {k: background[k] for k in ("mean", "std", "t", "outlierPercent")},
        "0.d": bfactor,
        "seconds": seconds,
    }))


if __name__ == "__main__":
    main()
