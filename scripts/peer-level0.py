#!/usr/bin/python3
"""The peer users would script: Level 0 sections 0.a-0.d of one map with numpy/scipy/mrcfile, in VRS's mode.

    /usr/bin/python3 scripts/peer-level0.py MAP --threshold T --resolution R

Timed against `mapval report MAP --sections 0.a,0.b,0.c,0.d --vrs-compat --json` by `npm run bench -- peer`
(bench/peer.bench.ts). It is made of the fixture generators' numpy/scipy re-implementations of VRS (the hard mask of
scripts/vrs_reference.py, 0.a-0.c of scripts/make-level0-fixtures.py, 0.d's Guinier fit of
scripts/make-fft-fixtures.py), so it computes what the fixtures check mapval against. Prints one JSON object: the
numbers the bench compares and the seconds each step took.
"""
import argparse
import hashlib
import importlib.util
import json
import os
import time

T0 = time.perf_counter()
import mrcfile  # noqa: E402  (imports are timed too: a script pays for them)
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


level0 = load("make-level0-fixtures")
fft = load("make-fft-fixtures")
vrs_reference = load("vrs_reference")


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
    mask = level0.mask_analysis(V, M, Ts, args.threshold)
    t = step("0.b", t)
    background = level0.background_analysis(V, M)
    t = step("0.c", t)
    ft = np.fft.rfftn(V.astype(np.float64)) / V.size
    nz, ny, xsize = V.shape
    guinier = fft.make_guinier_plot(ft, xsize, Ts, args.resolution, 15.0, args.resolution)
    slope, intercept = fft.least_squares_line_fit(guinier)
    corrected = fft.make_guinier_plot(fft.apply_bfactor(ft, xsize, Ts, args.resolution, 4 * slope), xsize, Ts,
                                      args.resolution, 15.0, args.resolution)
    step("0.d", t)
    seconds["total"] = time.perf_counter() - T0
    print(json.dumps({
        "sha256": sha256,
        "0.a": {"decentering": mass["decentering"], "centerOfMass": mass["centerOfMass"]},
        "0.b": {k: mask[k] for k in ("rawVoxels", "rawComponents", "components95", "constructedVoxels", "overlap")},
        "0.c": {k: background[k] for k in ("mean", "std", "t", "outlierPercent")},
        "0.d": {"B": 4 * slope, "intercept": intercept, "corrected": [p[1] for p in corrected]},
        "seconds": seconds,
    }))


if __name__ == "__main__":
    main()
