#!/usr/bin/python3
"""Reference fixtures for the FFT kernel and section 0.d, computed with numpy.

Run with the Debian Python that has numpy and mrcfile:  /usr/bin/python3 scripts/make-fft-fixtures.py

Writes
  test/fixtures/fft-rfftn.json        np.fft.rfftn of small seeded volumes (inputs are regenerated from the seed by
                                      the same LCG in the tests, so only the spectra are stored)
  test/fixtures/bfactor-<map>.json    Guinier plot and line fit for bundled EMDB maps, re-implementing Xmipp's
                                      make_guinier_plot, least_squares_line_fit and apply_bfactor
                                      (xmipp_volume_correct_bfactor --auto, as VRS 0.d runs it)
"""
import json
import math
import os

import mrcfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")


def lcg_values(count, seed):
    """Same generator as lcgValues() in test/fft3d.test.ts: uniform in [-0.5, 0.5)."""
    state = seed % 2**32
    out = np.empty(count)
    for i in range(count):
        state = (state * 1664525 + 1013904223) % 2**32
        out[i] = state / 2**32 - 0.5
    return out


def rfftn_cases():
    cases = []
    # (nz, ny, nx): odd, even, prime, degenerate and mixed boxes.
    for seed, shape in enumerate([(1, 1, 1), (1, 1, 2), (7, 6, 5), (3, 13, 12), (5, 2, 17), (10, 12, 16), (11, 1, 9)]):
        values = lcg_values(int(np.prod(shape)), 1000 + seed).reshape(shape)
        spectrum = np.fft.rfftn(values)
        interleaved = np.empty(spectrum.size * 2)
        interleaved[0::2] = spectrum.real.ravel()
        interleaved[1::2] = spectrum.imag.ravel()
        cases.append({"shape": list(shape), "seed": 1000 + seed, "spectrum": [float(v) for v in interleaved]})
    return {"generator": "scripts/make-fft-fixtures.py (numpy %s)" % np.__version__, "cases": cases}


def digital_frequencies(n):
    """Xmipp FFT_IDX2DIGFREQ: k/n for k <= n/2 (integer half), else (k-n)/n."""
    if n <= 1:
        return np.zeros(n)
    k = np.arange(n)
    return np.where(k <= n // 2, k, k - n) / float(n)


def make_guinier_plot(ft, xsize, sampling, apply_maxres, fit_minres, fit_maxres):
    """Xmipp make_guinier_plot on the half spectrum ft[(k, i, j)] (already divided by the voxel count)."""
    nz, ny, hx = ft.shape
    fz = digital_frequencies(nz)
    fy = digital_frequencies(ny)
    fx = digital_frequencies(xsize)[:hx]
    y2z2 = (fz * fz)[:, None, None] + (fy * fy)[None, :, None]
    r2 = y2z2 + (fx * fx)[None, None, :]
    keep = r2 <= 0.25
    r = np.sqrt(r2[keep])
    idx = np.floor(r * xsize + 0.5).astype(np.int64)  # ROUND(x) = (int)(x + 0.5) for x >= 0
    lnf = np.bincount(idx, weights=np.abs(ft[keep]), minlength=xsize)[:xsize]
    count = np.bincount(idx, minlength=xsize)[:xsize]
    points = []
    for i in range(xsize):
        res = (xsize * sampling) / float(i) if i > 0 else math.inf
        if res >= apply_maxres:
            x = 1.0 / (res * res)
            if lnf[i] > 0.0:
                y = math.log(lnf[i] / count[i])
                w = 1.0 if (res <= fit_minres and res >= fit_maxres) else 0.0
            else:
                y, w = 0.0, 0.0
            points.append((x, y, w))
    return points


def least_squares_line_fit(points):
    """Xmipp least_squares_line_fit (core/geometry.cpp), same accumulation order."""
    sumx = sumy = sumxy = sumxx = sumw = 0.0
    for x, y, w in points:
        w2 = w * w
        sumx += x * w
        sumy += y * w
        sumxx += x * x * w2
        sumxy += x * y * w2
        sumw += w
    a = (sumx * sumy - sumw * sumxy) / (sumx * sumx - sumw * sumxx)
    b = (sumy - a * sumx) / sumw
    return a, b


def apply_bfactor(ft, xsize, sampling, apply_maxres, bfactor):
    """Xmipp apply_bfactor: F *= exp(-B R^2 / 4) where 1/R >= maxres, R = |f_digital| / Ts in 1/A."""
    nz, ny, hx = ft.shape
    fz = digital_frequencies(nz)[:, None, None]
    fy = digital_frequencies(ny)[None, :, None]
    fx = digital_frequencies(xsize)[:hx][None, None, :]
    r = np.sqrt(fx * fx + fy * fy + fz * fz) / sampling
    with np.errstate(divide="ignore"):
        inside = (1.0 / r) >= apply_maxres
    return np.where(inside, ft * np.exp(-0.25 * bfactor * r * r), ft)


def bfactor_case(name, path, sampling, resolution, crop=None):
    with mrcfile.open(path, permissive=True) as m:
        volume = np.asarray(m.data, dtype=np.float64)  # (z, y, x), x fastest as in our Volume
    if crop is not None:
        volume = volume[:crop[0], :crop[1], :crop[2]]  # a non-cubic box checks which axis sets the shells
    nz, ny, xsize = volume.shape
    ft = np.fft.rfftn(volume) / volume.size
    guinier = make_guinier_plot(ft, xsize, sampling, resolution, 15.0, resolution)
    slope, intercept = least_squares_line_fit(guinier)
    bfactor = 4.0 * slope
    corrected = make_guinier_plot(apply_bfactor(ft, xsize, sampling, resolution, bfactor), xsize, sampling,
                                  resolution, 15.0, resolution)
    return {
        "map": "data/maps/" + os.path.basename(path),
        "crop": list(crop) if crop is not None else None,
        "voxelSize": sampling,
        "resolution": resolution,
        "B": bfactor,
        "slope": slope,
        "intercept": intercept,
        "points": int(sum(w for _, _, w in guinier)),
        "x": [p[0] for p in guinier],
        "lnF": [p[1] for p in guinier],
        "fitted": [p[2] == 1.0 for p in guinier],
        "corrected": [p[1] for p in corrected],
        "generator": "scripts/make-fft-fixtures.py (numpy %s, mrcfile %s)" % (np.__version__, mrcfile.__version__),
    }


def write(name, payload):
    with open(os.path.join(FIXTURES, name), "w") as fh:
        json.dump(payload, fh, separators=(",", ":"))
        fh.write("\n")


def main():
    write("fft-rfftn.json", rfftn_cases())
    for name, sampling, resolution, crop, fixture in [
        ("emd_3488", 1.05, 3.2, None, "bfactor-emd-3488.json"),
        ("emd_1997", 2.02, 7.0, None, "bfactor-emd-1997.json"),
        ("emd_3488", 1.05, 3.2, (70, 80, 90), "bfactor-emd-3488-crop.json"),
    ]:
        case = bfactor_case(name, os.path.join(ROOT, "data", "maps", name + ".map"), sampling, resolution, crop)
        print("%s: B = %.4f, slope = %.6f, intercept = %.6f, %d points" %
              (fixture, case["B"], case["slope"], case["intercept"], case["points"]))
        write(fixture, case)


if __name__ == "__main__":
    main()
