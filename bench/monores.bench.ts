/**
 * 0.e–0.g together, as `mapval report` computes them: 0.e (MonoRes-style local resolution) and 0.f + 0.g (spiral
 * bands) with their bands on the worker pool (data-loaders/workers/band-pool.ts; MAPVAL_WORKERS sets its size, default one
 * per core), on emd_1997 resampled to 256³ (0.789 Å/voxel, bench/upsample.ts), threshold 1.0, at the map's 7 Å, at
 * 2.5 Å (0.e on a 160³ working grid, 0.f/0.g on 160³) and at 1.578 Å = 2·Ts (0.f/0.g on the whole 256³ box; 0.e does
 * not apply below 2 Å). Targets: 0.e–0.g together ≤ 60 s; memory ≤ 8× the map's bytes.
 *
 * Each case runs in its own child process holding only the map, so its peak resident set (worker threads included)
 * minus the resident set before the call is the call's peak memory (an upper bound: it includes garbage not yet
 * collected). CPU time counts every thread: CPU/wall is the parallel speed-up. `npm run bench -- monores`.
 */
import { withBandPool } from "../data-loaders/workers/band-pool.js";
import { computeLocalSections } from "../lib/level0/local-sections.js";
import { measured, runInChild, withMapFile } from "./child.js";
import { benchMap, benchMapFromFile, mib } from "./upsample.js";

const threshold = 1.0; // emd_1997's author contour; resampling keeps the density scale
/** MAPVAL_MONORES_BENCH_CASES=2.5,1.578 runs only those resolutions. */
const resolutions = (process.env.MAPVAL_MONORES_BENCH_CASES ?? "7,2.5,1.578").split(",").map(Number);
const childMapVariable = "MAPVAL_MONORES_BENCH_MAP";
const childResolutionVariable = "MAPVAL_MONORES_BENCH_RESOLUTION";

async function child(path: string, resolution: number): Promise<void> {
  const map = benchMapFromFile(path);
  const voxelSize = map.voxelSize![0];
  const { value: { sections, workers }, ms, cpuMs, peakGrowth } = await measured(() =>
    withBandPool(async (pool) => ({
      sections: await computeLocalSections(pool.execute, map, { voxelSize, threshold, resolution }),
      workers: pool.size,
    })),
  );
  const e = sections["0.e"]!, f = sections["0.f"]!, g = sections["0.g"]!;
  const eResults = e.results as { workingGrid: { shape: number[] }; sweep: { resolutions: number[]; stop: string } } | null;
  const fResults = f.results as { resizedShape: number[]; fftShape: number[] } | null;
  console.log(
    JSON.stringify({
      mapBytes: map.data.byteLength,
      workers,
      ms,
      cpuMs,
      peakGrowth,
      statuses: [e.status, f.status, g.status],
      e: eResults && { grid: eResults.workingGrid.shape, steps: eResults.sweep.resolutions.length, stop: eResults.sweep.stop },
      fg: fResults && { shape: fResults.resizedShape, fftShape: fResults.fftShape },
    }),
  );
}

export async function run(): Promise<void> {
  await withMapFile(benchMap(256), (mapFile) => {
    for (const resolution of resolutions) {
      const r = runInChild(import.meta.url, { [childMapVariable]: mapFile, [childResolutionVariable]: String(resolution) });
      const e = r.e ? `0.e on ${r.e.grid.join("×")} (${r.e.steps} resolutions, stop: ${r.e.stop})` : `0.e ${r.statuses[0]}`;
      const fg = r.fg ? `0.f/0.g on ${r.fg.shape.join("×")} (FFT box ${r.fg.fftShape.join("×")})` : "0.f/0.g not measured";
      const workers = `${r.workers} worker${r.workers > 1 ? "s" : ""}`;
      console.log(
        `0.e–0.g together, 256³ at 0.789 Å, ${resolution} Å, ${workers}: ${(r.ms / 1000).toFixed(1)} s ` +
          `(target 60 s; CPU ${(r.cpuMs / 1000).toFixed(1)} s), peak memory growth ${mib(r.peakGrowth)} = ` +
          `${(r.peakGrowth / r.mapBytes).toFixed(1)}× the map's ${mib(r.mapBytes)} (target 8×); ${e}; ${fg}; ` +
          `statuses ${r.statuses.join(", ")}`,
      );
    }
  });
}

const childMap = process.env[childMapVariable];
if (childMap) await child(childMap, Number(process.env[childResolutionVariable]));
