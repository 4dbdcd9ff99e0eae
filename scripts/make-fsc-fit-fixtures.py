#!/usr/bin/python3
"""Reference for VRS's logistic fit of the 1.a FSC and its "well preserved (FSC>0.9) up to" resolution.

Run:  /usr/bin/python3 scripts/make-fsc-fit-fixtures.py

Reads the unmasked FSC of the bundled simulated pair from test/fixtures/fsc-sim-emd-1997.json (numpy, written by
scripts/make-fsc-fixtures.py), fits 1 - a/(1 + exp(-b(f - f0)) + c) with scipy.optimize.curve_fit from
p0 = [1, 1, f05, 0] over rows 1 ... Xdim/2 at f = i/(Xdim*Ts), as validationLevel1.py does, and writes
test/fixtures/fsc-logistic-sim-emd-1997.json. See docs/reference/level1.md.
"""
import json
import os

import numpy as np
import scipy.optimize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "test", "fixtures", "fsc-sim-emd-1997.json")
OUT = os.path.join(ROOT, "test", "fixtures", "fsc-logistic-sim-emd-1997.json")
XDIM, TS = 100, 2.02


def first_cross(x, y, y0):
    """VRS's findFirstCross, mode "lesser": None when the first row below y0 is row 0 or 1."""
    below = np.where(np.asarray(y) < y0)[0]
    if below.size == 0 or below[0] <= 1:
        return None
    i0 = below[0]
    return float(np.interp(y0, [y[i0], y[i0 - 1]], [x[i0], x[i0 - 1]]))


def logistic(x, a, b, x0, c):
    return 1 - (a * np.reciprocal(1 + np.exp(-b * (x - x0)) + c))


def main():
    with open(SOURCE) as f:
        fsc = np.array(json.load(f)["fsc"][1:])
    freq = np.arange(1, fsc.size + 1) / (XDIM * TS)
    f05 = first_cross(freq, fsc, 0.5)
    opt, _ = scipy.optimize.curve_fit(logistic, freq, fsc, p0=[1, 1, f05, 0])
    fitted = logistic(freq, *opt)
    f90 = first_cross(freq, fitted, 0.9)
    out = {
        "source": "scripts/make-fsc-fit-fixtures.py (scipy.optimize.curve_fit) on the unmasked FSC of the simulated pair",
        "f05": f05,
        "params": [float(v) for v in opt],
        "fitted": [float(v) for v in fitted],
        "residual": float(np.sum((fsc - fitted) ** 2)),
        "wellPreservedResolution": 1 / f90,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(out["params"], out["residual"], out["wellPreservedResolution"])


main()
