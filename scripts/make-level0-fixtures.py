#!/usr/bin/python3
"""Reference numbers for Level 0 sections 0.a-0.c on the bundled EMDB maps (test/fixtures/level0-*.json).

Run with Debian's Python, which has numpy 1.24, scipy 1.10 and mrcfile 1.4:

    /usr/bin/python3 scripts/make-level0-fixtures.py

Independent of the TypeScript code. It re-implements, with numpy/scipy, what VRS's validationLevel0.py computes
(massAnalysis, maskAnalysis, backgroundAnalysis; scipion-em-validation 0d4d0c0) on the hard mask that
XmippProtCreateMask3D builds:
  1. xmipp_transform_threshold --select below "%f"  ->  mask = v >= float("%f" % threshold), compared in double;
  2. keepBiggest: the largest 26-connected component;
  3. ceil(2/Ts) iterations of an 18-neighbour dilation that never writes the outermost one-voxel shell of the box.
The "vrs" block is VRS's numbers, computed the way VRS's numpy 1.x code does (float32 map, comparisons with Python
floats done in float32, float32 means and standard deviations). The "default" block holds the numbers mapval's
default mode defines differently (see docs/vrs-differences.md), computed here from their definitions.
"""
import json
import math
import os
import sys

import numpy as np
import scipy.ndimage as ndi
import scipy.stats

from vrs_reference import FULL, hard_mask, read_map

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CASES = [
    # file, threshold, Ts, resolution
    ("emd_1997.map", 1.0, 2.02, 7.0),
    ("emd_1997.map", 0.5, 2.02, 7.0),
    ("emd_3488.map", 0.09, 1.05, 3.2),
    ("emd_3488.map", 0.2, 1.05, 3.2),
    ("emd_5170.map", 0.61, 2.38, None),
    ("emd_5170.map", 1.2, 2.38, None),
    ("emd_2566_crop_3j6b_chain9.mrc", 0.05, 1.34, None),  # non-cubic box (35 x 52 x 47), mask touching the edges
]



def mass_analysis(V, M, Ts, vrs):
    Z, Y, X = M.shape
    out = {"spaceLeft": [], "spaceRight": [], "decentering": []}
    for n, axes in ((X, (0, 1)), (Y, (0, 2)), (Z, (1, 2))):
        idx = np.where(np.sum(M, axis=axes) > 0)[0]
        left = Ts * idx[0]
        right = Ts * (n - idx[-1]) if vrs else Ts * (n - 1 - idx[-1])
        out["spaceLeft"].append(float(left))
        out["spaceRight"].append(float(right))
        out["decentering"].append(float(abs(right - left) / (Ts * n) * 100))
    cz, cy, cx = ndi.center_of_mass(V)
    out["centerOfMass"] = [float(cx), float(cy), float(cz)]
    centre = (lambda n: n / 2) if vrs else (lambda n: (n - 1) / 2)
    out["centerOfMassOffset"] = [float(abs(c - centre(n)) / n * 100) for c, n in ((cx, X), (cy, Y), (cz, Z))]
    return out


def mask_analysis(V, M, Ts, threshold):
    """VRS's maskAnalysis, line by line (vrs mode)."""
    Ts3 = Ts ** 3
    rawM = np.where(V >= threshold, 1, 0)  # numpy 1.x: the Python float is compared in float32
    labeled, ncomponents = ndi.label(rawM, FULL)
    sumRawM = int(np.sum(rawM))
    individualMass = np.bincount(labeled.ravel(), minlength=ncomponents + 1).astype(float)
    idx = np.argsort(-individualMass, kind="stable")
    cumulatedMass = 0
    i = 0
    listed = []
    while cumulatedMass / sumRawM < 0.95:
        if idx[i] > 0:
            cumulatedMass += individualMass[idx[i]]
            if i < 100:
                listed.append(int(individualMass[idx[i]]))
        i += 1
    ncomponents95 = i - 1
    ncomponentsRemaining = ncomponents - ncomponents95
    voxelsRemaining = sumRawM - cumulatedMass
    with np.errstate(divide="ignore", invalid="ignore"):
        avgVoxels = np.float64(voxelsRemaining) / ncomponentsRemaining if ncomponentsRemaining else float("nan")
        avgVolumeRemaining = np.float64(voxelsRemaining) / np.float64(voxelsRemaining) * Ts3
    maxVal = np.max(V)
    stepGray = maxVal / 25
    g = np.arange(stepGray, maxVal, stepGray)
    table = []
    for gi in g:
        w = int(np.sum(V > gi))
        table.append({"threshold": float(gi), "voxels": w, "kDa": w * Ts3 / (1.207 * 1000), "aminoAcids": w * Ts3 / (110 * 1.207)})
    sumM = int(np.sum(M))
    overlap = float(np.sum(np.multiply(M, rawM)) / sumRawM)
    sizes = sorted((int(s) for s in individualMass[1:]), reverse=True)
    return {
        "rawComponents": int(ncomponents),
        "rawVoxels": sumRawM,
        "rawVolume": sumRawM * Ts3,
        "componentSizes": sizes[:100],
        "listedVoxels": listed,
        "components95": int(ncomponents95),
        "remainingComponents": int(ncomponentsRemaining),
        "remainingAverageVoxels": none_if_nan(avgVoxels),
        "remainingAverageVolume": none_if_nan(avgVolumeRemaining),
        "remainingFromVoxels": int(individualMass[idx[ncomponents95]]),
        "remainingToVoxels": int(individualMass[idx[-1]]),
        "constructedVoxels": sumM,
        "constructedVolume": sumM * Ts3,
        "overlap": overlap,
        "massTable": table,
    }


def background_analysis(V, M):
    Vbg = V[(1 - M) > 0]
    t, p = scipy.stats.ttest_1samp(Vbg, 0)
    meanBg = np.mean(Vbg)
    stdBg = np.std(Vbg)
    fractionLarge = np.sum(np.abs(Vbg) > 5 * stdBg) / Vbg.size
    cdf5 = 2 * scipy.stats.norm.cdf(-5)
    return {
        "voxels": int(Vbg.size),
        "mean": float(meanBg),
        "std": float(stdBg),
        "t": float(t),
        "p": float(p),
        "outlierPercent": float(fractionLarge * 100),
        "gaussianPercent": float(cdf5 * 100),
        "outlierRatio": float(fractionLarge / cdf5),
    }


def background_float64(V, M):
    """The same statistics accumulated in float64 (mapval's default), to separate float32 rounding from bugs."""
    Vbg = V[M == 0].astype(np.float64)
    n = Vbg.size
    mean = Vbg.mean()
    s = Vbg.std(ddof=1)
    t = mean / (s / math.sqrt(n))
    std = Vbg.std()
    frac = np.sum(np.abs(Vbg) > 5 * std) / n
    return {"mean": float(mean), "std": float(std), "t": float(t), "outlierPercent": float(frac * 100)}


def max_variance_indices(V):
    return {
        "x": int(np.argmax([np.var(V[:, :, i]) for i in range(V.shape[2])])),
        "y": int(np.argmax([np.var(V[:, i, :]) for i in range(V.shape[1])])),
        "z": int(np.argmax([np.var(V[i, :, :]) for i in range(V.shape[0])])),
    }


def default_components95(V, threshold):
    labeled, count = ndi.label(V.astype(np.float64) >= threshold, FULL)
    sizes = np.sort(np.bincount(labeled.ravel())[1:])[::-1]
    total = sizes.sum()
    k = int(np.searchsorted(np.cumsum(sizes) / total, 0.95, side="left")) + 1
    remaining = sizes[k:]
    return k, (float(remaining.mean()) if remaining.size else None), (int(remaining[0]) if remaining.size else None)


def none_if_nan(x):
    x = float(x)
    return None if math.isnan(x) else x


def main():
    for name, threshold, Ts, resolution in CASES:
        V = read_map(name)
        M_vrs = hard_mask(V, threshold, Ts, vrs=True).astype(np.uint8)
        M_def = hard_mask(V, threshold, Ts, vrs=False).astype(np.uint8)
        k, avg, largest_remaining = default_components95(V, threshold)
        fixture = {
            "file": name,
            "threshold": threshold,
            "voxelSize": Ts,
            "resolution": resolution,
            "maxVarianceSlices": max_variance_indices(V),
            "hardMaskMaxVarianceSlices": max_variance_indices(M_vrs),
            "vrs": {
                "0.a": mass_analysis(V, M_vrs, Ts, vrs=True),
                "0.b": mask_analysis(V, M_vrs, Ts, threshold),
                "0.c": background_analysis(V, M_vrs),
            },
            "default": {
                "0.a": mass_analysis(V, M_def, Ts, vrs=False),
                "0.b": {
                    "components95": k,
                    "remainingAverageVolume": None if avg is None else avg * Ts ** 3,
                    "remainingFromVoxels": largest_remaining,
                    "constructedVoxels": int(M_def.sum()),
                },
                "0.c": background_float64(V, M_def),
            },
        }
        out = os.path.join(ROOT, "test", "fixtures", f"level0-{name.split('.')[0]}-t{threshold:g}.json")
        with open(out, "w") as f:
            json.dump(fixture, f, indent=1, allow_nan=False)
            f.write("\n")
        print(out, file=sys.stderr)


if __name__ == "__main__":
    main()
