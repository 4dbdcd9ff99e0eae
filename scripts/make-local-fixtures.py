#!/usr/bin/python3
"""
Fixtures for 0.f LocBfactor, 0.g LocOccupancy and the spiral amplitude (test/fixtures/local-*.json).

An independent numpy re-implementation of what VRS runs (docs/reference/local-methods.md "LocBFactor" and "LocOccupancy", vrs-level0.md
"Pipeline" steps 2 and 5): the map resized to Ts = res/2, its hard mask, and ucm.computations' bfactor() and
occupancy() written from the notes' formulas with full complex FFTs (numpy.fft.fftn/ifftn, no half spectra, no
Nyquist-plane trick).

VRS resizes with Xmipp's B-splines; mapval resizes by Fourier interpolation (lib/fourier/resample.ts). So that both sides
analyse the SAME resized map, this script re-implements mapval's Fourier resize (full-spectrum matrices per axis,
written from the description in lib/fourier/resample.ts) and stores checksums of the resized map and its mask, which the tests
check before comparing anything else.

Run with Debian's python (numpy 1.24, scipy 1.10, mrcfile): /usr/bin/python3 scripts/make-local-fixtures.py
"""
import json
import math
import os

import numpy as np

from vrs_reference import hard_mask, read_map

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHELL_WIDTH_BINS = 4.8


# ---- mapval's Fourier resize (lib/fourier/resample.ts), full-spectrum form -------------------------------------------------

def digital(n):
    k = np.arange(n)
    return np.where(k <= n // 2, k, k - n) / n


def axis_matrix(n, m, shift):
    """T (m × n complex): output bin j of an axis resampled n → m draws on input bins with a phase ramp."""
    T = np.zeros((m, n), dtype=complex)

    def add(j, freq, weight):
        T[j, freq % n] += weight * np.exp(2j * np.pi * freq * shift / n)

    for j in range(m):
        freq = j if j <= m / 2 else j - m
        if m < n and m % 2 == 0 and abs(freq) == m // 2:
            add(j, freq, 1)
            add(j, -freq, 1)
        elif m > n and n % 2 == 0 and abs(freq) == n // 2:
            add(j, freq, 0.5)
        elif abs(freq) <= (min(n, m) - 1) / 2 or m == n:
            add(j, freq, 1)
    return T


def fourier_resize(V, Ts, resolution):
    target = resolution / 2
    factor = Ts / target
    F = np.fft.fftn(V.astype(np.float64))
    nz, ny, nx = V.shape
    if factor < 1:
        wz, wy, wx = np.meshgrid(digital(nz), digital(ny), digital(nx), indexing="ij")
        w = np.sqrt(wz ** 2 + wy ** 2 + wx ** 2)
        cut, width = factor / 2, 0.02
        gain = np.where(w < cut, 1.0, np.where(w < cut + width, (1 + np.cos(np.pi * (w - cut) / width)) / 2, 0.0))
        F = F * gain
    dims = [nx, ny, nz]
    resized = [max(1, math.floor(n * factor)) for n in dims]
    windowed = [max(2, 2 * math.floor(n * factor / 2)) for n in dims]
    shifts = [n // 2 - (r // 2) * n / r for n, r in zip(dims, resized)]
    Tx, Ty, Tz = (axis_matrix(n, r, s) for n, r, s in zip(dims, resized, shifts))
    G = np.einsum("az,by,cx,zyx->abc", Tz, Ty, Tx, F, optimize=True)
    scale = np.prod(resized) / np.prod(dims)
    values = np.real(np.fft.ifftn(G)) * scale
    out = np.zeros(windowed[::-1])
    offs = [r // 2 - w // 2 for r, w in zip(resized, windowed)]
    # windowCentered: out[x] = in[x + offset], zero outside the input.
    src = values
    sl_out, sl_in = [], []
    for axis in (2, 1, 0):  # z, y, x in array order
        r, w, o = resized[axis], windowed[axis], offs[axis]
        lo, hi = max(0, -o), min(w, r - o)
        sl_out.append(slice(lo, hi))
        sl_in.append(slice(lo + o, hi + o))
    out[tuple(sl_out)] = src[tuple(sl_in)]
    sampling = [Ts * n / r for n, r in zip(dims, resized)]
    return out.astype(np.float32), target, sampling


# ---- ucm.computations, from the notes' formulas ---------------------------------------------------------------------

class Spiral:
    def __init__(self, V, sampling, sigma):
        nz, ny, nx = V.shape
        self.F = np.fft.fftn(V.astype(np.float64))
        tx, ty, tz = sampling
        self.f = np.meshgrid(np.fft.fftfreq(nz, tz), np.fft.fftfreq(ny, ty), np.fft.fftfreq(nx, tx), indexing="ij")
        self.R = np.sqrt(sum(c ** 2 for c in self.f))
        self.sigma = sigma

    def amplitude(self, f0):
        S = np.exp(-((self.R - f0) ** 2) / (2 * self.sigma ** 2))
        S /= S.sum()
        SF = S * self.F
        total = np.abs(np.fft.ifftn(SF)) ** 2
        for fc in self.f:
            H = np.divide(-1j * fc, self.R, out=np.zeros(self.R.shape, dtype=complex), where=self.R > 0)
            total += np.abs(np.fft.ifftn(H * SF)) ** 2
        return np.sqrt(total)


def noise_region(mask):
    nz, ny, nx = mask.shape
    assert nz == ny == nx, "the Python port's sphere is for cubes"
    n = nx
    c = np.r_[:n] - n / 2
    z, y, x = np.meshgrid(c, c, c, indexing="ij")
    return (~mask) & (np.sqrt(x ** 2 + y ** 2 + z ** 2) < n / 2)


def bfactor(spiral, mask, resolution):
    freqs = np.linspace(1 / 15, 1 / resolution, 10)
    bg = noise_region(mask)
    ys, noise = [], []
    for f0 in freqs:
        m = spiral.amplitude(f0)
        q = np.quantile(m[bg], 0.9)
        noise.append(float(q))
        ys.append(np.log(m * m / (m + q)).ravel())
    A = np.stack([freqs ** 2, np.ones_like(freqs)], axis=1)
    coefficients = np.linalg.pinv(A) @ np.stack(ys)
    bmap = 4 * coefficients[0].reshape(mask.shape)
    return bmap, freqs, noise


def occupancy(spiral, mask, resolution):
    nf = max(1, int((1 / resolution - 1 / 15) / spiral.sigma))
    freqs = np.linspace(1 / 15, 1 / resolution, nf)
    omap = np.zeros(mask.shape)
    thresholds = []
    for f0 in freqs:
        m = spiral.amplitude(f0)
        t = np.quantile(m[mask], 0.25)
        thresholds.append(float(t))
        omap += m >= t
    return omap / nf, freqs, thresholds


def percentiles(values):
    p = np.percentile(values, [2.5, 25, 50, 75, 97.5])
    return dict(zip(["p2_5", "p25", "p50", "p75", "p97_5"], map(float, p)))


def map_case(name, Ts, resolution, threshold):
    V = read_map(name)
    R, target, sampling = fourier_resize(V, Ts, resolution)
    n = R.shape[0]
    cases = {}
    for mode in ("vrs-compat", "default"):
        vrs = mode == "vrs-compat"
        mask = hard_mask(R, threshold, target, vrs)
        axes = [target] * 3 if vrs else sampling
        sigma = SHELL_WIDTH_BINS / (n * target) if vrs else SHELL_WIDTH_BINS / np.cbrt(np.prod([n * t for t in axes]))
        spiral = Spiral(R, axes, sigma)
        bmap, bfreqs, noise = bfactor(spiral, mask, resolution)
        omap, ofreqs, thresholds = occupancy(spiral, mask, resolution)
        rng = np.random.default_rng(3)
        probe = sorted(int(i) for i in rng.choice(R.size, 40, replace=False))
        amplitudes = {str(j): [float(v) for v in spiral.amplitude(bfreqs[j]).ravel()[probe]] for j in (0, 9)}
        cases[mode] = {
            "voxelSize": axes,
            "sigma": float(sigma),
            "maskVoxels": int(mask.sum()),
            "noiseRegionVoxels": int(noise_region(mask).sum()),
            "bfactor": {
                "frequencies": [float(f) for f in bfreqs],
                "noise": noise,
                "percentiles": percentiles(bmap[mask]),
                "mean": float(bmap[mask].mean()),
                "probe": [float(v) for v in bmap.ravel()[probe]],
            },
            "occupancy": {
                "frequencies": [float(f) for f in ofreqs],
                "thresholds": thresholds,
                "percentiles": percentiles(omap[mask]),
                "mean": float(omap[mask].mean()),
                # Mask voxels at each occupancy level k/n_f, k = 0 … n_f.
                "levels": [int(c) for c in np.bincount(np.rint(omap[mask] * len(ofreqs)).astype(int), minlength=len(ofreqs) + 1)],
            },
            "probe": probe,
            "amplitudes": amplitudes,
        }
    R64 = R.astype(np.float64)
    return {
        "file": name,
        "voxelSize": Ts,
        "resolution": resolution,
        "threshold": threshold,
        "resized": {
            "shape": [R.shape[2], R.shape[1], R.shape[0]],
            "targetVoxelSize": target,
            "sampling": sampling,
            "sum": float(R64.sum()),
            "sumOfSquares": float((R64 ** 2).sum()),
        },
        "modes": cases,
    }


def spiral_case():
    """A small random non-cubic map (odd and even edges, anisotropic voxels): m at three bands, every voxel."""
    rng = np.random.default_rng(11)
    nz, ny, nx = 8, 11, 12
    V = rng.standard_normal((nz, ny, nx)).astype(np.float32)
    sampling = [1.3, 1.1, 1.7]
    sigma = SHELL_WIDTH_BINS / np.cbrt(nx * sampling[0] * ny * sampling[1] * nz * sampling[2])
    spiral = Spiral(V, sampling, sigma)
    bands = [0.05, 0.2, 0.3]
    return {
        "shape": [nx, ny, nz],
        "voxelSize": sampling,
        "sigma": float(sigma),
        "data": [float(v) for v in V.ravel()],
        "bands": bands,
        "amplitudes": [[float(v) for v in spiral.amplitude(f0).ravel()] for f0 in bands],
    }


def main():
    out_dir = os.path.join(ROOT, "test/fixtures")
    cases = {
        "local-emd-3488.json": lambda: map_case("emd_3488.map", 1.05, 3.2, 0.09),
        "local-emd-1997.json": lambda: map_case("emd_1997.map", 2.02, 7.0, 1.0),
        # Resized edges with a prime factor above 7 (62 = 2·31, 52 = 4·13), which an FFT padded to a smooth length
        # would sample on a different frequency grid (mapval transforms them as they are).
        "local-emd-5170.json": lambda: map_case("emd_5170.map", 2.38, 7.6, 0.61),
        "local-emd-1997-7.6A.json": lambda: map_case("emd_1997.map", 2.02, 7.6, 1.0),
        "local-spiral-small.json": spiral_case,
    }
    for file, make in cases.items():
        with open(os.path.join(out_dir, file), "w") as f:
            json.dump(make(), f, indent=1)
            f.write("\n")
        print("wrote", file)


if __name__ == "__main__":
    main()
