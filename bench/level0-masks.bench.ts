/**
 * Level 0 mask numerics on emd_1997 Fourier-upsampled to 256³ and 160³ (threshold 1.0 = the author's contour level).
 * Prints the median of a few runs per step, and memory after the step (RSS and array buffers).
 * Targets: masks for one report at 256³ well under the 2.5 s report budget, the 100-threshold sweep ≤ 5 s,
 * a hard mask at 160³ ≤ 50 ms (slider).
 */
import { loadavg } from "node:os";
import { benchMap } from "./upsample.js";
import { labelComponents, largestComponentMask } from "../lib/masks/components.js";
import { dilate18, GrowingDilation } from "../lib/masks/morphology.js";
import { hardMask, rawMask, softMask } from "../lib/masks/masks.js";
import { componentSweep } from "../lib/level0/sweep-components.js";
import type { Volume } from "../lib/io/volume.js";

const THRESHOLD = 1.0;
const MiB = 1024 * 1024;
let peakRss = 0;

/**
 * Median wall time of `runs` calls, its minimum, and the median CPU time of the process during a call (on a shared
 * machine the CPU time is the better estimate of an unloaded run; it also counts GC threads).
 */
function time<T>(label: string, runs: number, f: () => T): T {
  const ms: number[] = [];
  const cpu: number[] = [];
  let result!: T;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = f();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mem = process.memoryUsage();
  peakRss = Math.max(peakRss, mem.rss);
  const fmt = (x: number) => x.toFixed(1).padStart(8);
  console.log(
    `${label.padEnd(46)} wall ${fmt(ms[runs >> 1])} ms (min ${fmt(ms[0])})  cpu ${fmt(cpu[runs >> 1])} ms  ` +
      `rss ${(mem.rss / MiB).toFixed(0)} MiB, arrayBuffers ${(mem.arrayBuffers / MiB).toFixed(0)} MiB`,
  );
  return result;
}

function maskSteps(v: Volume, runs: number): void {
  const { nx, ny, nz } = v;
  const ts = v.voxelSize![0];
  const raw = time("rawMask", runs, () => rawMask(v, THRESHOLD));
  const comps = time("labelComponents 26", runs, () => labelComponents(raw, nx, ny, nz, 26));
  time("labelComponents 6", runs, () => labelComponents(raw, nx, ny, nz, 6));
  const largest = time("largestComponentMask", runs, () => largestComponentMask(comps));
  const iterations = Math.ceil(2 / ts);
  const hard = time(`dilate18 × ${iterations} (vrs-compat shell rule)`, runs, () =>
    dilate18(largest, nx, ny, nz, iterations, { skipBorderShell: true }),
  );
  time("softMask", runs, () => softMask(hard, nx, ny, nz));
  const h = time("hardMask (default), all steps", runs, () => hardMask(v, THRESHOLD, { voxelSize: ts }));
  time("hardMask (vrs-compat), all steps", runs, () => hardMask(v, THRESHOLD, { voxelSize: ts, mode: "vrs-compat" }));
  console.log(
    `  raw ${h.rawComponents.sizes.reduce((a, b) => a + b, 0) - h.rawComponents.sizes[0]} voxels in ${h.rawComponents.count} components, ` +
      `largest ${h.largestComponentVoxels}, hard mask ${h.voxels} voxels (Ts ${ts.toFixed(3)} Å, ${h.dilationIterations} steps)`,
  );
}

function sweepSteps(v: Volume): void {
  let max = -Infinity, min = Infinity;
  for (const x of v.data) {
    if (x > max) max = x;
    if (x < min) min = x;
  }
  const positive = Array.from({ length: 100 }, (_, k) => (max * (k + 1)) / 100);
  const r = time("componentSweep 26, 100 thresholds (0, max]", 3, () => componentSweep(v, positive, 26));
  const atOne = r.reduce((best, s) => (Math.abs(s.threshold - THRESHOLD) < Math.abs(best.threshold - THRESHOLD) ? s : best));
  console.log(
    `  at t = ${atOne.threshold.toFixed(3)}: ${atOne.rawVoxels} voxels, ${atOne.componentCount} components, 95 % in ${atOne.components95}`,
  );
  const everything = Array.from({ length: 100 }, (_, k) => min + ((max - min) * k) / 99);
  time("componentSweep 26, 100 thresholds [min, max]", 3, () => componentSweep(v, everything, 26));
}

/** 100 hard masks (one per threshold): hardMask each time, against one sweep that hands out the largest components. */
function hardMaskPerThreshold(v: Volume): void {
  const { nx, ny, nz } = v;
  const ts = v.voxelSize![0];
  const iterations = Math.ceil(2 / ts);
  let max = -Infinity;
  for (const x of v.data) if (x > max) max = x;
  const thresholds = Array.from({ length: 100 }, (_, k) => (max * (k + 1)) / 101);
  let viaHardMask = 0;
  time("100 × hardMask (default)", 1, () => {
    for (const t of thresholds) viaHardMask += hardMask(v, t, { voxelSize: ts }).voxels;
  });
  let viaSweep = 0;
  time("componentSweep + onLevel + GrowingDilation (same)", 1, () => {
    const hard = new GrowingDilation(nx, ny, nz, iterations, false);
    componentSweep(v, thresholds, 26, {
      onLevel: (_, largestGrowth) => {
        const growth = largestGrowth();
        if (growth.restarted) hard.clear();
        hard.add(growth.voxels);
        viaSweep += hard.size;
      },
    });
  });
  if (viaSweep !== viaHardMask) throw new Error(`hard-mask voxel totals differ: ${viaSweep} vs ${viaHardMask}`);
}

export async function run(): Promise<void> {
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const t0 = performance.now();
  const big = benchMap(256);
  console.log(`setup: emd_1997 upsampled to 256³ in ${(performance.now() - t0).toFixed(0)} ms`);
  console.log("\n### 256³");
  maskSteps(big, 3);
  sweepSteps(big);

  const t1 = performance.now();
  const mid = benchMap(160);
  console.log(`\nsetup: emd_1997 upsampled to 160³ in ${(performance.now() - t1).toFixed(0)} ms`);
  console.log("\n### 160³ (slider target: hardMask ≤ 50 ms)");
  maskSteps(mid, 7);
  hardMaskPerThreshold(mid);
  const maxRss = process.resourceUsage().maxRSS * 1024; // KiB → bytes
  console.log(
    `\nRSS after steps peaked at ${(peakRss / MiB).toFixed(0)} MiB; process maximum RSS ${(maxRss / MiB).toFixed(0)} MiB ` +
      "(includes the map upsampling)",
  );
}
