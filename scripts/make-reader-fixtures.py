"""Independent expectations for the MRC reader tests: writes test/fixtures/reader-expected.json.

How it was run (from the repository root, with Debian's Python, which has numpy 1.24 and mrcfile 1.4.3):

    /usr/bin/python3 scripts/make-reader-fixtures.py

It reads every map in test/fixtures/mrc-corner-cases/ and data/maps/ with mrcfile (permissive, since several files
are deliberately odd), then applies the project's rules itself, without any of the TypeScript code:
  - mrcfile returns data[s][r][c] and never permutes, so the array is transposed here using MAPC/MAPR/MAPS;
  - mode 0 is int8, except uint8 when the IMOD stamp (1146047817 at byte 152) is present with imodFlags bit 0 clear;
  - voxel size = mrcfile's float32 voxel_size (CELLA / (MX, MY, MZ)) at its shortest decimal per axis, null when any component is not finite and > 0;
  - origin = ORIGIN when finite, non-zero and |o| < 1e6 voxels; else NSTART (permuted like N) x voxel size, unless
    |NSTART| > 10 x max(M, N) or the voxel size is undefined, in which case 0;
  - min/max/mean/population std in float64 over finite voxels, and NaN/Inf counts.
Files the reader must reject get an "error" code instead. It also checks known facts from
docs/reference/mrc-format.md (the iota_yzx ramp and the EMD-3001 voxel values) and stops if they do not hold.
"""

import gzip
import json
import math
import os
import sys
import warnings

import mrcfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ["test/fixtures/mrc-corner-cases", "data/maps"]
IMOD_STAMP = 1146047817

# Files the reader must refuse, with the error code it must give, and why (checked by hand against the header).
EXPECTED_ERRORS = {
    "sfftk-test_data_corrupt_header.map": "data-truncated",  # 301x401x71 float32 declared, 84 data bytes present
}


def raw_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def as_written(value):
    """The shortest decimal that round-trips through float32 (numpy's repr), e.g. 1.05 for float32(1.05)."""
    return float(repr(np.float32(value)))


def to_xyz(data_src, file_shape, axis_order):
    """data_src is indexed [s, r, c] (mrcfile drops the section axis of single images); return it indexed [x, y, z]."""
    crs = np.asarray(data_src).reshape(file_shape[::-1]).transpose(2, 1, 0)
    inverse = [0, 0, 0]
    for file_axis, spatial in enumerate(axis_order):
        inverse[spatial - 1] = file_axis
    return crs.transpose(inverse)


def expectation(path):
    raw = raw_bytes(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mrc = mrcfile.open(path, permissive=True)
    h = mrc.header
    little = h.nx.dtype.byteorder == "<" or (h.nx.dtype.byteorder == "=" and sys.byteorder == "little")
    endian = "<" if little else ">"
    axis_order = [int(h.mapc), int(h.mapr), int(h.maps)]
    data = mrc.data
    mode = int(h.mode)
    if mode == 0:
        imod_stamp, imod_flags = np.frombuffer(raw[152:160], endian + "i4")
        if imod_stamp == IMOD_STAMP and (imod_flags & 1) == 0:
            data = data.view(np.uint8)
    xyz = to_xyz(data, [int(h.nx), int(h.ny), int(h.nz)], axis_order).astype(np.float64)
    nx, ny, nz = xyz.shape

    sampling = [int(h.mx), int(h.my), int(h.mz)]
    # mrcfile's voxel_size is a float32 record (CELLA / M); its shortest decimal repr is the spacing the writer meant.
    with np.errstate(divide="ignore", invalid="ignore"):
        vs = mrc.voxel_size
        voxel = [as_written(v) for v in (vs.x, vs.y, vs.z)]
    if not all(math.isfinite(v) and v > 0 for v in voxel) or min(sampling) <= 0:
        voxel = None

    start_crs = [int(h.nxstart), int(h.nystart), int(h.nzstart)]
    start = [0, 0, 0]
    for file_axis, spatial in enumerate(axis_order):
        start[spatial - 1] = start_crs[file_axis]
    origin_field = [as_written(h.origin.x), as_written(h.origin.y), as_written(h.origin.z)]
    steps = voxel if voxel is not None else [1.0, 1.0, 1.0]
    if any(o != 0 for o in origin_field) and all(
        math.isfinite(o) and abs(o) < 1e6 * s for o, s in zip(origin_field, steps)
    ):
        origin, source = origin_field, "ORIGIN"
    elif any(s != 0 for s in start) and voxel is not None and all(
        abs(s) <= 10 * max(sampling + [nx, ny, nz]) for s in start
    ):
        origin, source = [s * v for s, v in zip(start, voxel)], "NSTART"
    else:
        origin, source = [0.0, 0.0, 0.0], "none"

    finite = xyz[np.isfinite(xyz)]
    points = [
        (0, 0, 0),
        (nx - 1, ny - 1, nz - 1),
        (nx - 1, 0, 0),
        (0, ny - 1, 0),
        (0, 0, nz - 1),
        (nx // 2, ny // 3, (2 * nz) // 3),
    ]
    return {
        "shape": [nx, ny, nz],
        "mode": mode,
        "littleEndian": bool(little),
        "axisOrder": axis_order,
        "voxelSize": voxel,
        "origin": origin,
        "originSource": source,
        "stats": {
            "min": float(finite.min()),
            "max": float(finite.max()),
            "mean": float(finite.mean()),
            "std": float(finite.std()),
            "nanCount": int(np.isnan(xyz).sum()),
            "infCount": int(np.isinf(xyz).sum()),
        },
        "voxels": [{"xyz": list(p), "value": float(xyz[p])} for p in points],
        "xyz": xyz,
    }


def check_known_facts(results):
    iota = results["test/fixtures/mrc-corner-cases/gemmi-iota_yzx.ccp4.gz"]
    start = [1, 20, -3]  # NSTART (20,-3,1) in C,R,S order with MAPC/MAPR/MAPS 2,3,1
    xyz = iota["xyz"]
    for index in np.ndindex(*xyz.shape):
        x, y, z = (s + i for s, i in zip(start, index))
        assert xyz[index] == (x % 5) * 42 + (y % 6) * 7 + (z % 7), ("iota", index)
    emd3001 = results["test/fixtures/mrc-corner-cases/mrcfile-EMD-3001.map"]
    assert emd3001["shape"] == [43, 25, 73]
    for point, value in [((0, 0, 0), 0.042834472), ((10, 5, 30), 0.069339380), ((42, 24, 72), 0.067244977)]:
        assert abs(emd3001["xyz"][point] - value) < 1e-8, ("EMD-3001", point)
    assert abs(emd3001["xyz"].sum() - 41.824560) < 1e-4


def main():
    results = {}
    for directory in DIRS:
        for name in sorted(os.listdir(os.path.join(ROOT, directory))):
            if name.endswith((".md", ".xml")):
                continue
            key = f"{directory}/{name}"
            if name in EXPECTED_ERRORS:
                results[key] = {"error": EXPECTED_ERRORS[name]}
            else:
                results[key] = expectation(os.path.join(ROOT, key))
    check_known_facts(results)
    for entry in results.values():
        entry.pop("xyz", None)
    out = os.path.join(ROOT, "test/fixtures/reader-expected.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(results)} entries to {os.path.relpath(out, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
