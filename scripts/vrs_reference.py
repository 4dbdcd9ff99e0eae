"""VRS's hard mask in numpy/scipy, shared by the fixture scripts (docs/reference/vrs-level0.md "Masks").

v >= threshold (the threshold rounded like Python "%f" in vrs-compat, compared in double as Xmipp reads the map),
the largest 26-connected component (first maximum = lowest label on ties), then ceil(2/Ts) steps of 18-neighbour
dilation; in vrs-compat the outermost one-voxel shell keeps its values, as Xmipp's loops never visit it.
"""
import math
import os

import mrcfile
import numpy as np
from scipy import ndimage as ndi

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FULL = np.ones((3, 3, 3), dtype=int)
CROSS18 = ndi.generate_binary_structure(3, 2)


def read_map(name):
    """A bundled map of data/maps (axis order 1,2,3) as float32 V[z, y, x]."""
    with mrcfile.open(os.path.join(ROOT, "data", "maps", name), permissive=True) as m:
        assert tuple(int(a) for a in (m.header.mapc, m.header.mapr, m.header.maps)) == (1, 2, 3)
        return np.asarray(m.data, dtype=np.float32).copy()


def largest_component(mask):
    labels, count = ndi.label(mask, FULL)
    if count == 0:
        return np.zeros(mask.shape, dtype=bool)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(np.argmax(sizes))


def dilate18(mask, iterations, keep_border_shell):
    m = mask.copy()
    for _ in range(iterations):
        grown = ndi.binary_dilation(m, CROSS18)
        if keep_border_shell:
            grown[0, :, :], grown[-1, :, :] = m[0, :, :], m[-1, :, :]
            grown[:, 0, :], grown[:, -1, :] = m[:, 0, :], m[:, -1, :]
            grown[:, :, 0], grown[:, :, -1] = m[:, :, 0], m[:, :, -1]
        m = grown
    return m


def hard_mask(V, threshold, Ts, vrs):
    """Boolean hard mask of V[z, y, x]; `vrs` selects vrs-compat, else mapval's default mode."""
    t = float("%f" % threshold) if vrs else threshold
    raw = V.astype(np.float64) >= t
    return dilate18(largest_component(raw), math.ceil(2 / Ts), keep_border_shell=vrs)
