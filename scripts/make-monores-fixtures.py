#!/usr/bin/python3
"""Reference numbers for 0.e (MonoRes-style local resolution) on bundled EMDB maps (test/fixtures/monores-*.json).

Run with Debian's Python, which has numpy 1.24, scipy 1.10 and mrcfile 1.4:

    /usr/bin/python3 scripts/make-monores-fixtures.py

An independent numpy re-implementation of the algorithm in docs/reference/local-methods.md "Local resolution" (Xmipp's
single-map MonoRes), written from that description, not from the TypeScript. It checks the TypeScript port of the
same algorithm; it does not check MonoRes itself against Xmipp, which is not available here.

All maps are analysed at their own sampling (resolution/4 is finer than Ts for both), so no resampling is involved.
The hard mask is mapval's default-mode one: v >= threshold, largest 26-connected component, ceil(2/Ts) dilations
with the 18-neighbourhood, clipped to the box. The sweep is default mode's "fine" one: the 0.5 A steps themselves
(not snapped to Fourier bins as Xmipp does) and every Fourier bin, by frequency, each a quarter bin past the previous.
"""
import json
import math
import os

import numpy as np

from vrs_reference import hard_mask, read_map

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CASES = [
    # file, Ts, threshold, resolution
    ("emd_3488.map", 1.05, 0.09, 3.2),
    ("emd_1997.map", 2.02, 1.0, 7.0),
    # Non-cubic box (35 x 52 x 47): checks the axis order (cliff and sweep use the x edge, as Xmipp's XSIZE).
    ("emd_2566_crop_3j6b_chain9.mrc", 1.34, 0.05, 3.2),
]

LOWEST_RESOLUTION = 30.0
STEP = 0.5
SIGNIFICANCE = 0.95
Z_CRITICAL = 1.6448536269514722  # standard normal quantile at 0.95
EDGE = 0.02
FINE_SWEEP_BINS = 0.25


def digital(n):
    """Digital frequency of bins 0..n-1 with the even-n Nyquist bin at +0.5 (Xmipp's FFT_IDX2DIGFREQ)."""
    k = np.arange(n)
    return np.where(k <= n // 2, k, k - n) / n


def geometry(shape):
    nz, ny, nx = shape
    fz = digital(nz)[:, None, None]
    fy = digital(ny)[None, :, None]
    fx = digital(nx)[: nx // 2 + 1][None, None, :]
    u = np.sqrt((fz * fz + fy * fy) + fx * fx)
    return fx, fy, fz, u


def amplitude(F, shape, weights):
    fx, fy, fz, u = geometry(shape)
    band = F * weights
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(u > 0, 1 / u, 0.0)
    total = np.fft.irfftn(band, s=shape) ** 2
    for f in (fx, fy, fz):
        total += np.fft.irfftn(-1j * (f * inv) * band, s=shape) ** 2
    return np.sqrt(total)


def gaussian(values, sigma):
    shape = values.shape
    u = geometry(shape)[3]
    return np.fft.irfftn(np.fft.rfftn(values) * np.exp(-(math.pi ** 2) * sigma * sigma * u * u), s=shape)


def low_pass(values, freq, freq_l):
    shape = values.shape
    u = geometry(shape)[3]
    if freq_l > freq:
        gain = np.where(u < freq, 1.0, np.where(u > freq_l, 0.0, 0.5 * (1 + np.cos(math.pi / (freq_l - freq) * (u - freq)))))
    else:
        gain = np.where(u <= freq, 1.0, 0.0)
    return np.fft.irfftn(np.fft.rfftn(values) * gain, s=shape)


def high_pass(u, freq, freq_h):
    cosine = 0.5 * (1 + np.cos((u - freq) * (math.pi / (freq - freq_h))))
    return np.where(u > freq, 1.0, np.where(u >= freq_h, cosine, 0.0))


def xmipp_quantile(values, q):
    return np.sort(values)[int(math.floor(len(values) * q))]


def sweep(nx, ts, spacing="fine"):
    out, last = [], -1
    c = 0
    while True:
        requested = LOWEST_RESOLUTION - c * STEP
        c += 1
        if requested <= 0:
            break
        if spacing == "fine":
            if requested < 2 * ts:
                break
            out.append((requested, ts / requested))
            continue
        x = ts / requested * nx
        b = int(math.floor(x + 0.5))
        if b == last or b == 0:
            continue
        last = b
        freq = (b if b <= nx // 2 else b - nx) / nx
        res = ts / freq
        if res < 2 * ts:
            break
        out.append((res, freq))
    if spacing != "fine" or not out:
        return out
    # The steps and every Fourier bin from the first step to Nyquist, by frequency, a quarter bin apart at least.
    bins = [(ts / (b / nx), b / nx) for b in range(1, nx // 2 + 1) if b / nx >= out[0][1]]
    merged = sorted(out + bins, key=lambda band: band[1])
    kept = [merged[0]]
    for band in merged:
        if band[1] - kept[-1][1] >= FINE_SWEEP_BINS / nx:
            kept.append(band)
    return kept


def cliff_labels(v, mask):
    nz, ny, nx = v.shape
    z, y, x = np.meshgrid(np.arange(nz) - nz // 2, np.arange(ny) - ny // 2, np.arange(nx) - nx // 2, indexing="ij")
    r2 = x * x + y * y + z * z
    labels = mask.astype(np.int8)
    start = int(math.floor(math.sqrt(r2[mask].max())))
    limit = nx // 2
    shell = np.floor(np.sqrt(r2)).astype(int)
    last_var = 1e-38
    for rad in range(start, limit):
        vals = v[shell == rad]
        mean = vals.sum() / vals.size
        var = (vals * vals).sum() / vals.size - mean * mean
        if var / last_var < 0.01:
            limit = rad - 1
            break
        last_var = var
    labels[r2 >= limit * limit] = -1
    return labels, limit


def monores(v, mask, ts):
    shape = v.shape
    labels, cliff = cliff_labels(v, mask)
    mask_voxels = int((labels == 1).sum())
    F = np.fft.rfftn(v)
    u = geometry(shape)[3]

    full = gaussian(amplitude(F, shape, np.ones_like(u)), 4)
    thr0 = xmipp_quantile(full[labels == 0], 0.95)
    refine = (labels >= 1) & (full < thr0)
    labels[refine] = 0
    refined = int((labels >= 1).sum())
    assert refined >= 0.1 * mask_voxels, "the mask is not told apart from the noise (mapval reports not-measured)"
    noise_count = int((labels == 0).sum())

    res_map = np.zeros(shape)
    resolutions, thresholds = [], []
    max_mean = -1e38
    stop = "nyquist"
    for it, (res, freq) in enumerate(sweep(shape[2], ts)):
        resolutions.append(res)
        previous = resolutions[0] if it < 2 else resolutions[it - 2]
        freq_l = min(freq + EDGE, 0.5)
        freq_h = max(freq - EDGE, 0.0)
        a = low_pass(amplitude(F, shape, high_pass(u, freq, freq_h)), freq, freq_l)
        sig = a[labels >= 1]
        noise = a[labels == 0]
        if sig.size / refined < 0.025:
            stop = "mask-completed"
            break
        thr = xmipp_quantile(noise, SIGNIFICANCE)
        thresholds.append(float(thr))
        mean_s, mean_n = sig.mean(), noise.mean()
        var_s = (sig * sig).sum() / sig.size - mean_s ** 2
        var_n = (noise * noise).sum() / noise.size - mean_n ** 2
        max_mean = max(max_mean, mean_s)
        if mean_s < 0.001 * max_mean:
            stop = "signal-collapse"
            break
        active = labels >= 1
        above = active & (a > thr)
        below = active & ~above
        res_map[above] = res
        labels[above] = 1
        labels[below] += 1
        frozen = below & (labels > 2)
        labels[frozen] = -1
        res_map[frozen] = previous
        z = (mean_s - mean_n) / math.sqrt(var_s / sig.size + var_n / noise.size)
        if z < Z_CRITICAL:
            stop = "hypothesis-test"
            break

    assigned = res_map > 0
    filling = xmipp_quantile(res_map[assigned], 0.5)
    smooth = gaussian(np.where(assigned, res_map, filling), 3)
    out = np.where(smooth < 2 * ts, res_map, np.minimum(smooth, res_map))
    out[~assigned] = 0
    diagnostics = {
        "resolutions": resolutions,
        "noiseThresholds": thresholds,
        "stop": stop,
        "cliffRadius": int(cliff),
        "maskVoxels": mask_voxels,
        "refinedMaskVoxels": refined,
        "noiseVoxels": noise_count,
    }
    return out.astype(np.float32), diagnostics


def histogram(values):
    counts, edges = np.histogram(values, 25)
    return {"edges": edges.tolist(), "counts": counts.tolist()}


def main():
    for name, ts, threshold, resolution in CASES:
        v = read_map(name).astype(np.float64)
        mask = hard_mask(v, threshold, ts, vrs=False)
        out, diagnostics = monores(v, mask, ts)
        r = out[out > 0].astype(np.float64)
        p = np.percentile(r, [2.5, 25, 50, 75, 97.5])
        # A few voxels spread over the assigned ones, by (x, y, z) index.
        zs, ys, xs = np.nonzero(out > 0)
        picks = np.linspace(0, zs.size - 1, 12).astype(int)
        fixture = {
            "map": name,
            "voxelSize": ts,
            "threshold": threshold,
            "resolution": resolution,
            "hardMaskVoxels": int(mask.sum()),
            "percentiles": {"p2_5": p[0], "p25": p[1], "p50": p[2], "p75": p[3], "p97_5": p[4]},
            "resolutionPercentile": float(100 * np.mean(r < resolution)),
            "voxels": int(r.size),
            "histogram": histogram(r),
            "diagnostics": diagnostics,
            "samples": [
                {"x": int(xs[i]), "y": int(ys[i]), "z": int(zs[i]), "value": float(out[zs[i], ys[i], xs[i]])} for i in picks
            ],
        }
        path = os.path.join(ROOT, "test", "fixtures", "monores-" + os.path.splitext(name)[0] + ".json")
        with open(path, "w") as f:
            json.dump(fixture, f, indent=1)
            f.write("\n")
        print(path, p, diagnostics["stop"], len(diagnostics["resolutions"]))


if __name__ == "__main__":
    main()
