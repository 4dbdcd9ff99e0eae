/**
 * Level 1 on 256³ halves: the bundled simulated EMD-1997 pair and its RELION mask Fourier-upsampled to 256³
 * (0.789 Å/voxel, bench/upsample.ts; the mask clamped back to [0, 1] after the resampling's ringing).
 * - 1.a (lib/level1/fsc.ts) unmasked (FSC, DPR, SSNR) and with the mask (adding the masked and the phase-randomised
 *   corrected FSC). Target: ≤ 2 s.
 * - The same two on two worker threads (`fscAnalysisWith` on a BandPool of 2, data-loaders/workers/band-pool.ts): the
 *   pool is warmed first on an 8³ pair, as the CLI's pool is by 1.e, which runs just before 1.a. Target: ≤ 2 s.
 * - 1.a on a threshold move: `fscWithMask` with another mask (Level 0's soft mask of the mask ≥ 0.5, lib/masks/masks.ts)
 *   given the part a first run keeps (`fscUnmaskedPart`, not timed). Target: ≤ 1.5 s (the issue's, in Chromium).
 * - 1.b FDR-FSC (lib/level1/fdr-fsc.ts), SPOC's sphere mask. Target: ≤ 30 s.
 * - 1.g/1.h directional FSC and FSO (lib/level1/directional-fsc.ts) with the mask, 321 directions. Target: ≤ 60 s.
 * - 1.e MonoRes on the halves (lib/level1/level1-local.ts), hard mask = the mask ≥ 0.5, reported resolution 5.7 Å (about
 *   the pair's own 0.143 FSC crossing), so 0.e's working grid resamples the halves to 1.4 Å. Target: ≤ 90 s.
 * - 1.c local FSC (lib/level1/level1-local.ts `localFscSection`), box 20, over the same hard mask, the stride raised until
 *   at most MAX_LOCAL_FSC_BOXES boxes are computed. Target: ≤ 90 s.
 * Memory target: ≤ 8× one half map's bytes. Each case runs in its own child process holding only the three grids (and,
 * for the threshold move, the part), so its peak resident-set growth is the call's (an upper bound: it includes
 * garbage not yet collected; the workers' memory is the process's). Single thread but the "2 workers" cases. Each case is also a bench step (bench/steps.ts, one run), compared with
 * bench/baseline.json. Measured figures: docs/reference/level1.md "Speed and memory".
 * `npm run bench -- level1`; MAPVAL_LEVEL1_BENCH_ONLY="1.e,1.b" runs only the cases named.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { directionalFsc } from "../lib/level1/directional-fsc.js";
import { fdrFsc } from "../lib/level1/fdr-fsc.js";
import { fscAnalysis, fscAnalysisWith, fscUnmaskedPart, fscWithMask } from "../lib/level1/fsc.js";
import { makeVolume } from "../lib/io/volume.js";
import { withBandPool } from "../data-loaders/workers/band-pool.js";
import { halfMapLocalResolutionSection, localFscSection } from "../lib/level1/level1-local.js";
import { readMap } from "../lib/io/mrc-reader.js";
import { softMask } from "../lib/masks/masks.js";
import { measured, runInChild, withMapFile } from "./child.js";
import { recordStep } from "./steps.js";
import { benchMapFromFile, mib, upsample } from "./upsample.js";

const size = 256;
const variables = { half1: "MAPVAL_LEVEL1_BENCH_HALF1", half2: "MAPVAL_LEVEL1_BENCH_HALF2", mask: "MAPVAL_LEVEL1_BENCH_MASK", movedMask: "MAPVAL_LEVEL1_BENCH_MOVED_MASK", case: "MAPVAL_LEVEL1_BENCH_CASE" };
type BenchCase =
  | "1.a unmasked" | "1.a masked" | "1.a unmasked 2 workers" | "1.a masked 2 workers" | "1.a threshold move" | "1.b" | "1.g/1.h" | "1.e" | "1.c";
const allCases: BenchCase[] = [
  "1.a unmasked", "1.a masked", "1.a unmasked 2 workers", "1.a masked 2 workers", "1.a threshold move", "1.b", "1.g/1.h", "1.e", "1.c",
];
const only = process.env.MAPVAL_LEVEL1_BENCH_ONLY?.split(",").map((c) => c.trim());
const cases = only ? allCases.filter((c) => only.includes(c)) : allCases;
/** The reported resolution 1.e is given (Å). */
const reportedResolution = 5.7;

async function loadPairFile(name: string) {
  const url = new URL(`../data/halfmaps/sim-emd-1997/${name}`, import.meta.url);
  return upsample((await readMap(new Uint8Array(readFileSync(url)))).volume, size);
}

async function child(): Promise<void> {
  const half1 = benchMapFromFile(process.env[variables.half1]!);
  const half2 = benchMapFromFile(process.env[variables.half2]!);
  const which = process.env[variables.case] as BenchCase;
  const unmasked = which === "1.a unmasked" || which === "1.a unmasked 2 workers" || which === "1.b";
  const mask = unmasked ? undefined : benchMapFromFile(process.env[variables.mask]!);
  const halfBytes = half1.data.byteLength;
  if (which === "1.c") {
    const hardMask = Uint8Array.from(mask!.data, (m) => (m >= 0.5 ? 1 : 0));
    const { value, ms, cpuMs, peakGrowth } = await measured(() =>
      localFscSection(half1, half2, { threshold: 0, resolution: reportedResolution, hardMask }),
    );
    const r = value.results;
    const summary = r && { percentiles: r.percentiles, box: r.box, stride: r.stride, boxes: r.boxes, atBoxEdge: r.atBoxEdge, atNyquist: r.atNyquist };
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, status: value.status, reason: value.reason, summary }));
  } else if (which === "1.e") {
    const hardMask = Uint8Array.from(mask!.data, (m) => (m >= 0.5 ? 1 : 0));
    const { value, ms, cpuMs, peakGrowth } = await measured(() =>
      halfMapLocalResolutionSection(half1, half2, { threshold: 0, resolution: reportedResolution, hardMask }),
    );
    const r = value.results;
    const summary = r && { percentiles: r.percentiles, grid: r.workingGrid, resolutions: r.sweep.resolutions.length, stop: r.sweep.stop };
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, status: value.status, reason: value.reason, summary }));
  } else if (which === "1.a threshold move") {
    const moved = benchMapFromFile(process.env[variables.movedMask]!);
    const part = fscUnmaskedPart(half1, half2);
    const { value, ms, cpuMs, peakGrowth } = await measured(() => fscWithMask(part, moved));
    const { fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution } = value;
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution }));
  } else if (which === "1.b") {
    const { value, ms, cpuMs, peakGrowth } = await measured(() => fdrFsc(half1, half2));
    const permutations = value.shells.reduce((s, shell) => s + shell.permutations, 0);
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, resolution: value.resolution, permutations }));
  } else if (which === "1.g/1.h") {
    const { value, ms, cpuMs, peakGrowth } = await measured(() => directionalFsc(half1, half2, { mask }));
    const { fsoResolution, axisResolution, sphericity, anisotropic } = value;
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, fsoResolution, axisResolution, sphericity, anisotropic }));
  } else if (which.endsWith("2 workers")) {
    const { value, ms, cpuMs, peakGrowth } = await withBandPool(async (pool) => {
      const tiny = makeVolume(8, 8, 8, (x, y, z) => Math.sin(x + 2 * y + 3 * z), [1, 1, 1]);
      const ones = makeVolume(8, 8, 8, () => 1, [1, 1, 1]);
      await fscAnalysisWith(pool.execute, tiny, { ...tiny, data: tiny.data.map((v) => v + 0.1) }, { mask: ones });
      return measured(() => fscAnalysisWith(pool.execute, half1, half2, { mask }));
    }, { size: 2 });
    const { fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution } = value;
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution }));
  } else {
    const { value, ms, cpuMs, peakGrowth } = await measured(() => fscAnalysis(half1, half2, { mask }));
    const { fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution } = value;
    console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes, fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution }));
  }
}

export async function run(): Promise<void> {
  const [half1, half2, mask] = await Promise.all(["half1.mrc.gz", "half2.mrc.gz", "mask.mrc.gz"].map(loadPairFile));
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = Math.min(1, Math.max(0, mask.data[i]));
  const hard = new Uint8Array(mask.data.length);
  for (let i = 0; i < hard.length; i++) hard[i] = mask.data[i] >= 0.5 ? 1 : 0;
  const movedMask = { ...mask, data: softMask(hard, size, size, size) };
  await withMapFile(half1, (path1) =>
    withMapFile(half2, (path2) =>
      withMapFile(mask, (pathMask) => withMapFile(movedMask, (pathMoved) => {
        for (const which of cases) {
          const env = {
            [variables.half1]: path1, [variables.half2]: path2, [variables.mask]: pathMask, [variables.movedMask]: pathMoved, [variables.case]: which,
          };
          const r = runInChild(import.meta.url, env);
          const angstrom = (v: number | null) => (v === null ? "none" : `${v.toFixed(2)} Å`);
          recordStep(`level1 256³: ${which}`, { wallMs: r.ms, cpuMs: r.cpuMs, cpuSpread: 0, runs: 1 });
          const target = { "1.a unmasked": 2, "1.a masked": 2, "1.a unmasked 2 workers": 2, "1.a masked 2 workers": 2, "1.a threshold move": 1.5, "1.b": 30, "1.g/1.h": 60, "1.e": 90, "1.c": 90 }[which];
          const cost =
            `${(r.ms / 1000).toFixed(2)} s (target ${target} s; CPU ${(r.cpuMs / 1000).toFixed(2)} s), peak memory growth ${mib(r.peakGrowth)} = ` +
            `${(r.peakGrowth / r.halfBytes).toFixed(1)}× one half's ${mib(r.halfBytes)} (target 8×)`;
          if (which === "1.c") {
            const s = r.summary;
            const detail = s
              ? `local resolution p2.5 ${s.percentiles.p2_5.toFixed(2)}, median ${s.percentiles.p50.toFixed(2)}, p97.5 ${s.percentiles.p97_5.toFixed(2)} Å; ` +
                `box ${s.box}, stride ${s.stride}, ${s.boxes} boxes (${s.atBoxEdge} below 0.5 at the first shell, ${s.atNyquist} at Nyquist)`
              : `${r.status}: ${r.reason}`;
            console.log(`1.c local FSC, ${size}³ halves at 0.789 Å: ${cost}; ${detail}`);
          } else if (which === "1.e") {
            const s = r.summary;
            const detail = s
              ? `local resolution p2.5 ${s.percentiles.p2_5.toFixed(2)}, median ${s.percentiles.p50.toFixed(2)}, p97.5 ${s.percentiles.p97_5.toFixed(2)} Å ` +
                `on ${s.grid.shape.join("×")} at ${s.grid.voxelSize.toFixed(3)} Å, ${s.resolutions} resolutions, stop ${s.stop}`
              : `${r.status}: ${r.reason}`;
            console.log(`1.e MonoRes on the halves, ${size}³ halves at 0.789 Å, reported ${reportedResolution} Å: ${cost}; ${detail}`);
          } else if (which === "1.b") {
            console.log(`1.b FDR-FSC, ${size}³ halves at 0.789 Å: ${cost}; resolution at 1 % FDR ${angstrom(r.resolution)}, ${r.permutations} permutations in all`);
          } else if (which === "1.g/1.h") {
            const { x, y, z, global } = r.axisResolution;
            console.log(
              `1.g/1.h FSO and directional FSC with mask, 321 directions, ${size}³ halves at 0.789 Å: ${cost}; FSO 0.5 ${angstrom(r.fsoResolution)}, ` +
                `x ${angstrom(x)}, y ${angstrom(y)}, z ${angstrom(z)}, global ${angstrom(global)}, sphericity ${r.sphericity?.toFixed(3)}, anisotropic ${r.anisotropic}`,
            );
          } else {
            const masked = !which.startsWith("1.a unmasked");
            const what = {
              "1.a unmasked": "unmasked (FSC, DPR, SSNR)",
              "1.a masked": "with mask (FSC, masked, corrected, DPR, SSNR)",
              "1.a unmasked 2 workers": "unmasked on 2 worker threads",
              "1.a masked 2 workers": "with mask on 2 worker threads",
              "1.a threshold move": "on a threshold move (masked and corrected FSC with another mask, given the first run's part)",
            }[which];
            const curves = masked
              ? `FSC ${angstrom(r.fscResolution)}, masked ${angstrom(r.fscMaskedResolution)}, corrected ${angstrom(r.fscCorrectedResolution)}`
              : `FSC ${angstrom(r.fscResolution)}`;
            console.log(
              `1.a ${what}, ${size}³ halves at 0.789 Å: ` +
                `${cost}; 0.143: ${curves}; DPR ${angstrom(r.dprResolution)}, SSNR ${angstrom(r.ssnrResolution)}; load average ${loadavg()[0].toFixed(1)}`,
            );
          }
        }
      })),
    ),
  );
}

if (process.env[variables.half1]) await child();
