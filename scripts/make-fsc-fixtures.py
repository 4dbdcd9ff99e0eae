#!/usr/bin/python3
"""Reference fixture for 1.a (FSC, DPR, SSNR from two half maps), computed with numpy on the bundled simulated pair.

Run with the Debian Python that has numpy and mrcfile:  /usr/bin/python3 scripts/make-fsc-fixtures.py

Writes test/fixtures/fsc-sim-emd-1997.json: per shell 0 ... Xdim/2 the unmasked FSC, the FSC of the halves times
data/halfmaps/sim-emd-1997/mask.mrc.gz and the DPR, re-implementing Xmipp's frc_dpr (r2c half space, digital radius
R <= 0.5, shell round(R*Xdim)); and VRS's SSNR curve written as validationLevel1.py does it (full complex FFT,
fftshift, per-voxel |F(S)|/|F(N)| averaged over shells int(distance from the centre)). See docs/reference/level1.md.
"""
import json
import os

import mrcfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIR = os.path.join(ROOT, "data", "halfmaps", "sim-emd-1997")
OUT = os.path.join(ROOT, "test", "fixtures", "fsc-sim-emd-1997.json")


def load(name):
    with mrcfile.open(os.path.join(PAIR, name), permissive=True) as m:  # mrcfile reads gzip by its magic bytes
        return m.data.astype(np.float64)


def frc_dpr(a, b):
    n = a.shape[2]
    fa, fb = np.fft.rfftn(a), np.fft.rfftn(b)
    fz = np.fft.fftfreq(a.shape[0])[:, None, None]
    fy = np.fft.fftfreq(a.shape[1])[None, :, None]
    fx = np.fft.rfftfreq(n)[None, None, :]
    radius = np.sqrt(fz**2 + fy**2 + fx**2)
    keep = radius <= 0.5
    shell = np.floor(radius[keep] * n + 0.5).astype(int)
    za, zb = fa[keep], fb[keep]
    count = n // 2 + 1
    sums = lambda w: np.bincount(shell, w, minlength=count)[:count]
    fsc = sums((za * np.conj(zb)).real) / np.sqrt(sums(np.abs(za) ** 2) * sums(np.abs(zb) ** 2))
    phase = np.degrees(np.angle(za) - np.angle(zb))
    phase = (phase + 180) % 360 - 180
    weight = np.abs(za) + np.abs(zb)
    dpr = np.sqrt(sums(weight * phase**2) / sums(weight))
    return fsc, dpr


def vrs_ssnr(a, b):
    n = a.shape[0]
    signal = np.fft.fftshift(np.fft.fftn((a + b) / 2))
    noise = np.fft.fftshift(np.fft.fftn((a - b) / 2))
    ratio = np.abs(signal) / np.abs(noise)
    grid = np.indices(a.shape) - n // 2
    shell = np.sqrt((grid**2).sum(axis=0)).astype(int)
    count = n // 2 + 1
    keep = shell < count
    mean = np.bincount(shell[keep], ratio[keep], minlength=count) / np.bincount(shell[keep], minlength=count)
    return mean


def main():
    h1, h2, mask = load("half1.mrc.gz"), load("half2.mrc.gz"), load("mask.mrc.gz")
    fsc, dpr = frc_dpr(h1, h2)
    fsc_masked, _ = frc_dpr(h1 * mask, h2 * mask)
    fixture = {
        "source": "scripts/make-fsc-fixtures.py on data/halfmaps/sim-emd-1997 (simulated half maps)",
        "shells": list(range(len(fsc))),
        "fsc": fsc.tolist(),
        "fscMasked": fsc_masked.tolist(),
        "dpr": dpr.tolist(),
        "ssnrMeanRatio": vrs_ssnr(h1, h2).tolist(),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
