import { describe, expect, it } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import { centerOfMass } from "../lib/level0/section-0a-mass.js";
import { bfactorSection } from "../lib/level0/section-0d-bfactor.js";
import type { BackgroundResults } from "../lib/level0/section-0c-background.js";
import type { BFactorResults } from "../lib/level0/section-0d-bfactor.js";
import type { MaskResults } from "../lib/level0/section-0b-mask.js";
import {
  ATOM_SIGMA, addGaussians, buildSyntheticMap, filterGain, fourierFilterPair, labParameterChanges, labParametersFromQuery, labPresets,
  labQuery, lowPassSigma, type LabParameters, type LabPresetName,
} from "../lib/lab/synthetic-map.js";
import type { Vec3 } from "../lib/io/volume.js";

const clean = labPresets.clean.parameters;
/** The clean map without noise: its numbers are the rendered atoms' alone. */
const quiet: LabParameters = { ...clean, noiseSigma: 0 };
const EIGHT_PI2 = 8 * Math.PI * Math.PI;

const sum = (data: Float32Array) => data.reduce((a, d) => a + d, 0);
const level0 = (p: LabParameters) => {
  const m = buildSyntheticMap(p);
  return runLevel0(m.volume, { threshold: m.threshold, resolution: m.resolution, sections: ["0.a", "0.b", "0.c", "0.d"] });
};

describe("the synthetic map's numbers", () => {
  it("holds the mass of its atoms: 4 helices × 20 residues × 3 atoms + 4 strands × 8 × 3, each of mass 1", () => {
    const expected = 4 * 20 * 3 + 4 * 8 * 3;
    const m = buildSyntheticMap(quiet);
    expect(m.atoms).toBe(expected);
    expect(sum(m.volume.data) * quiet.voxelSize ** 3).toBeCloseTo(expected, 2);
    // The second domain adds a bundle of 4 × 20 × 3 atoms.
    const two = buildSyntheticMap({ ...quiet, secondDomain: 1 });
    expect(sum(two.volume.data) * quiet.voxelSize ** 3).toBeCloseTo(expected + 240, 2);
    expect(m.warnings).toEqual([]);
  });

  it("says how much of the particle a box edge cuts off, and how many dust blobs did not fit", () => {
    // Half the box is 60 Å: the particle's centre on the +x face leaves about half of it outside.
    const cut = buildSyntheticMap({ ...quiet, offsetX: 60 });
    const inBox = sum(cut.volume.data) * quiet.voxelSize ** 3;
    expect(inBox / cut.atoms).toBeGreaterThan(0.3);
    expect(inBox / cut.atoms).toBeLessThan(0.7);
    expect(cut.warnings).toEqual([`The box holds ${+((100 * inBox) / cut.atoms).toFixed(1)} % of the particle's mass; the rest is cut off by its edges.`]);
    const crowded = buildSyntheticMap({ ...quiet, dustCount: 500, dustSize: 4 });
    expect(crowded.dustCentres.length).toBeLessThan(500);
    expect(crowded.warnings).toEqual([`Only ${crowded.dustCentres.length} of the 500 dust blobs fit in the box away from the particle and each other.`]);
  });

  it("moves the centre of mass by the offset", () => {
    const offset: Vec3 = [6, -4.5, 3];
    const m = buildSyntheticMap({ ...quiet, offsetX: offset[0], offsetY: offset[1], offsetZ: offset[2] });
    const centre = (quiet.boxSize - 1) / 2;
    const com = centerOfMass(m.volume);
    for (let k = 0; k < 3; k++) expect(com[k]).toBeCloseTo(centre + offset[k] / quiet.voxelSize, 2);
  });

  it("gives a single Gaussian atom the B that 0.d recovers: −8π²(σ_atom² + σ_low-pass²) + B applied, within 3 %", () => {
    const n = 64, ts = 1.5, resolution = 4, applied = -100;
    const atom = new Float32Array(n ** 3);
    addGaussians(atom, n, ts, [{ position: [0, 0, 0], sigma: ATOM_SIGMA }], [(n - 1) / 2, (n - 1) / 2, (n - 1) / 2]);
    const gain = filterGain({ sigma: lowPassSigma(resolution), bfactor: applied, resolution });
    const [filtered] = fourierFilterPair(atom, new Float32Array(n ** 3), n, ts, gain);
    const volume = { nx: n, ny: n, nz: n, data: filtered, voxelSize: [ts, ts, ts] as Vec3, origin: [0, 0, 0] as Vec3 };
    const { B } = bfactorSection(volume, { voxelSize: ts, resolution }).results as BFactorResults;
    const expected = -EIGHT_PI2 * (ATOM_SIGMA ** 2 + lowPassSigma(resolution) ** 2) + applied; // −223.4 Å²
    expect(Math.abs(B! - expected)).toBeLessThan(0.03 * Math.abs(expected));
  });

  it("shifts 0.d's B of the molecule by the B-factor applied, within 5 Å²", () => {
    const bOf = (bfactor: number) => (level0({ ...quiet, bfactor }).sections["0.d"].results as BFactorResults).B!;
    const base = bOf(0);
    expect(Math.abs(bOf(-300) - base - -300)).toBeLessThan(5);
    expect(Math.abs(bOf(-150) - base - -150)).toBeLessThan(5);
  });

  it("adds noise whose rms is noiseSigma × peak, and a background offset of backgroundOffset × peak", () => {
    const without = buildSyntheticMap(quiet);
    const noisy = buildSyntheticMap({ ...quiet, noiseSigma: 0.1, backgroundOffset: 0.05 });
    expect(noisy.peak).toBe(without.peak);
    let mean = 0, squares = 0;
    const n = without.volume.data.length;
    for (let i = 0; i < n; i++) mean += (noisy.volume.data[i] - without.volume.data[i]) / n;
    for (let i = 0; i < n; i++) squares += (noisy.volume.data[i] - without.volume.data[i] - 0.05 * without.peak) ** 2;
    expect(Math.sqrt(squares / n) / without.peak).toBeCloseTo(0.1, 4);
    expect(mean / without.peak).toBeCloseTo(0.05, 2);
  });

  it("is the same map for the same seed and another noise for another seed; dust does not change the noise", () => {
    const first = buildSyntheticMap(clean).volume.data;
    expect(buildSyntheticMap(clean).volume.data).toEqual(first);
    expect(buildSyntheticMap({ ...clean, seed: 2 }).volume.data[0]).not.toBe(first[0]);
    // Voxel 0, a box corner, is beyond the reach of every dust blob (rendered out to 5σ): only the noise is there.
    const dusty = buildSyntheticMap({ ...clean, dustCount: 3 });
    expect(dusty.dustCentres).toHaveLength(3);
    expect(dusty.dustCentres.every((c) => Math.hypot(...c) > (5 * clean.dustSize) / clean.voxelSize)).toBe(true);
    expect(dusty.volume.data[0]).toBe(first[0]);
    // Four 80³ builds and a deep comparison of 512 000 voxels: well over the default 5 s on a loaded 2-core machine.
  }, 60_000);

  it("mirrors the particle in x about its centre for a hand flip, its local B gradient included", () => {
    const n = quiet.boxSize, graded = { ...quiet, localBGradient: 300 };
    const a = buildSyntheticMap(graded).volume.data, b = buildSyntheticMap({ ...graded, handFlip: 1 });
    let largest = 0;
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) largest = Math.max(largest, Math.abs(b.volume.data[x + n * (y + n * z)] - a[n - 1 - x + n * (y + n * z)]));
    expect(largest).toBeLessThan(1e-6 * b.peak);
    expect(b.volume.data).not.toEqual(a);
  });

  it("sets every voxel beyond the mask-like cut to exactly 0, and keeps the noise inside it", () => {
    const m = buildSyntheticMap({ ...clean, maskRadius: 30 });
    const n = clean.boxSize, r = 30 / clean.voxelSize, c = m.particleCentre;
    let outsideNonZero = 0, insideZero = 0;
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++, i++) {
          const inside = Math.hypot(x - c[0], y - c[1], z - c[2]) <= r;
          if (!inside && m.volume.data[i] !== 0) outsideNonZero++;
          if (inside && m.volume.data[i] === 0) insideZero++;
        }
    expect(outsideNonZero).toBe(0);
    expect(insideZero).toBe(0);
  });

  it("blurs the +x end of the particle more under a local B gradient, keeping the mass", () => {
    const flat = buildSyntheticMap(quiet), graded = buildSyntheticMap({ ...quiet, localBGradient: 400 });
    expect(sum(graded.volume.data)).toBeCloseTo(sum(flat.volume.data), 1);
    const n = quiet.boxSize, centre = (n - 1) / 2;
    const sideMax = (data: Float32Array, plus: boolean) => {
      let max = -Infinity;
      for (let i = 0; i < data.length; i++) if ((i % n > centre) === plus) max = Math.max(max, data[i]);
      return max;
    };
    // The sheet (+x) loses a large part of its peak; the helices at −x keep most of theirs.
    expect(sideMax(graded.volume.data, true) / sideMax(flat.volume.data, true)).toBeLessThan(0.6);
    expect(sideMax(graded.volume.data, false) / sideMax(flat.volume.data, false)).toBeGreaterThan(0.8);
  });
});

describe("the lab's parameters", () => {
  it("refuses values out of range or not numbers, with a named code", () => {
    const code = (p: Partial<LabParameters>) => {
      try {
        buildSyntheticMap({ ...clean, ...p });
        return "built";
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code({ boxSize: 4096 })).toBe("lab-parameter-out-of-range");
    expect(code({ boxSize: 64.5 })).toBe("bad-lab-parameter");
    expect(code({ noiseSigma: NaN })).toBe("bad-lab-parameter");
    expect(code({ dustCount: 10_000 })).toBe("lab-parameter-out-of-range");
    // Offsets are bounded by half the box (80 × 1.5 Å / 2 = 60 Å).
    expect(code({ offsetX: 61 })).toBe("lab-parameter-out-of-range");
    expect(code({ resolution: 2.5 })).toBe("resolution-beyond-nyquist");
    expect(code({ preset: "nope" as LabPresetName })).toBe("unknown-lab-preset");
    expect(code({ offsetX: 60 })).toBe("built");
  });

  it("round-trips every preset through the URL query", () => {
    for (const { parameters } of Object.values(labPresets))
      expect(labParametersFromQuery("?" + labQuery(parameters))).toEqual(parameters);
    expect(labQuery(clean)).toMatch(/^preset=clean&seed=1&box=80&voxel=1.5&/);
  });

  it("says which parameters changed, with their units, preset first", () => {
    expect(labParameterChanges(clean, clean)).toEqual([]);
    expect(labParameterChanges(clean, labPresets["tight-box"].parameters)).toEqual(["preset clean → tight-box", "box size 80 → 40 voxels"]);
    expect(labParameterChanges(clean, { ...clean, offsetX: 12.5, seed: 4_000_000_001, thresholdFraction: 0.1 / 0.7 }))
      .toEqual(["seed 1 → 4000000001", "particle offset x 0 → 12.5 Å", "threshold 0.25 → 0.142857 × peak"]);
  });

  it("starts from the preset the query names and takes the parameters it gives", () => {
    expect(labParametersFromQuery("preset=dusty&seed=3")).toEqual({ ...labPresets.dusty.parameters, seed: 3 });
    expect(labParametersFromQuery("")).toEqual(clean);
    const code = (q: string) => {
      try {
        labParametersFromQuery(q);
        return "parsed";
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code("preset=dusty&colour=red")).toBe("unknown-lab-parameter");
    expect(code("box=abc")).toBe("bad-lab-parameter");
    expect(code("box=")).toBe("bad-lab-parameter");
    expect(code("preset=toString")).toBe("unknown-lab-preset");
    expect(code("box=300")).toBe("lab-parameter-out-of-range");
  });
});

describe("each preset's lesson holds through runLevel0", () => {
  const warnings = (r: ReturnType<typeof level0>, id: "0.a" | "0.b" | "0.c" | "0.d") => r.sections[id].warnings.join(" ");

  it("every preset names its lesson and the check that catches it", () => {
    const catcher: Record<LabPresetName, string> = {
      clean: "0.a", "off-centre": "0.a", "tight-box": "0.a", dusty: "0.b", "background-offset": "0.c",
      "over-sharpened": "0.d", blurred: "0.d", "two-domains": "0.b", "masked-deposit": "0.c", "threshold-too-low": "0.b",
    };
    for (const [name, preset] of Object.entries(labPresets)) {
      expect(preset.parameters.preset).toBe(name);
      expect(preset.lesson).toContain(catcher[name as LabPresetName]);
    }
  });

  it("clean: 0.a–0.d are OK", () => {
    const r = level0(clean);
    for (const id of ["0.a", "0.b", "0.c", "0.d"] as const) expect(r.sections[id].status, id).toBe("ok");
  });

  it("off-centre: 0.a warns on x only", () => {
    const r = level0(labPresets["off-centre"].parameters);
    const w = r.sections["0.a"].warnings;
    expect(w.some((s) => /decentered in X/.test(s))).toBe(true);
    expect(w.some((s) => /center of mass in X/.test(s))).toBe(true);
    expect(w.every((s) => / X /.test(s) || / X\./.test(s))).toBe(true);
    for (const id of ["0.b", "0.c", "0.d"] as const) expect(r.sections[id].status, id).toBe("ok");
  });

  it("tight-box: 0.a finds too little space on every side of every axis", () => {
    const w = warnings(level0(labPresets["tight-box"].parameters), "0.a");
    for (const axis of ["X", "Y", "Z"]) for (const side of ["left", "right"]) expect(w).toContain(`from ${axis} ${side}`);
  });

  it("dusty: 0.b needs more than 5 components for 95 % of the mask, one per dust blob", () => {
    const r = level0(labPresets.dusty.parameters);
    const b = r.sections["0.b"].results as MaskResults;
    expect(b.rawComponents).toBe(1 + labPresets.dusty.parameters.dustCount);
    expect(b.components95).toBeGreaterThan(5);
    expect(warnings(r, "0.b")).toContain("problem of connectivity");
  });

  it("background-offset: 0.c's t-test rejects mean 0; 0.a, 0.b and 0.d stay OK", () => {
    const r = level0(labPresets["background-offset"].parameters);
    expect((r.sections["0.c"].results as BackgroundResults).p).toBeLessThan(0.001);
    expect(warnings(r, "0.c")).toContain("background mean is 0 has been rejected");
    for (const id of ["0.a", "0.b", "0.d"] as const) expect(r.sections[id].status, id).toBe("ok");
  });

  it("over-sharpened: 0.d's B is positive", () => {
    const r = level0(labPresets["over-sharpened"].parameters);
    expect((r.sections["0.d"].results as BFactorResults).B).toBeGreaterThan(0);
    expect(warnings(r, "0.d")).toContain("oversharpened");
  });

  it("blurred: 0.d's B is below −300 Å² at 4 Å", () => {
    const r = level0(labPresets.blurred.parameters);
    expect(r.input.resolution).toBe(4);
    expect((r.sections["0.d"].results as BFactorResults).B).toBeLessThan(-300);
    expect(r.sections["0.d"].status).toBe("warnings");
  });

  it("two-domains: 0.b's overlap falls below 0.75 with two components", () => {
    const r = level0(labPresets["two-domains"].parameters);
    const b = r.sections["0.b"].results as MaskResults;
    expect(b.rawComponents).toBe(2);
    expect(b.overlap).toBeLessThan(0.75);
    expect(warnings(r, "0.b")).toContain("overlap is smaller than 0.75");
  });

  it("masked-deposit: 0.c finds too many outliers though its mean is 0", () => {
    const r = level0(labPresets["masked-deposit"].parameters);
    const c = r.sections["0.c"].results as BackgroundResults;
    expect(c.outlierRatio).toBeGreaterThan(20);
    expect(c.p).toBeGreaterThan(0.001);
    expect(r.sections["0.b"].status).toBe("ok");
  });

  it("threshold-too-low: 0.b finds the noise in thousands of pieces and a poor overlap", () => {
    const r = level0(labPresets["threshold-too-low"].parameters);
    const b = r.sections["0.b"].results as MaskResults;
    expect(b.rawComponents).toBeGreaterThan(1000);
    expect(b.components95).toBeGreaterThan(5);
    expect(b.overlap).toBeLessThan(0.75);
  });
});
