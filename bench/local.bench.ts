/**
 * 0.f + 0.g (`localSections`: resize, hard mask, spiral band amplitudes, the bands on the worker pool of
 * data-loaders/workers/band-pool.ts as `mapval report` runs them; MAPVAL_WORKERS sets its size) on emd_1997 resampled to 256³
 * (0.789 Å/voxel, bench/upsample.ts), threshold 1.0, at the map's reported 7 Å (the Level 0 bench case, resized to
 * 56³) and at finer resolutions whose resized boxes are larger: 2.5 Å → 160³ (an FFT-friendly edge, 2⁵·5) and 3 Å →
 * 134³ (2·67, transformed as it is with Bluestein's algorithm, lib/fourier/fft-batch.ts).
 * Targets: 0.e–0.g together ≤ 60 s (bench/monores.bench.ts); memory ≤ 8× the map's bytes.
 *
 * Each case runs in its own child process holding only the map, so its peak resident set (worker threads included)
 * minus the resident set before the call is the call's peak memory (an upper bound: it includes garbage not yet
 * collected). CPU time counts every thread. `npm run bench -- local`.
 */
import { withBandPool } from "../data-loaders/workers/band-pool.js";
import { localSectionsWith } from "../lib/level0/section-0f-locbfactor.js";
import { measured, runInChild, withMapFile } from "./child.js";
import { benchMap, benchMapFromFile, mib } from "./upsample.js";

const threshold = 1.0; // emd_1997's author contour; resampling keeps the density scale
const resolutions = [7, 2.5, 3];
const childMapVariable = "MAPVAL_LOCAL_BENCH_MAP";
const childResolutionVariable = "MAPVAL_LOCAL_BENCH_RESOLUTION";

async function child(path: string, resolution: number): Promise<void> {
  const map = benchMapFromFile(path);
  const voxelSize = map.voxelSize![0];
  const { value: { sections, workers }, ms, cpuMs, peakGrowth } = await measured(() =>
    withBandPool(async (pool) => ({
      sections: await localSectionsWith(pool.execute, map, { voxelSize, threshold, resolution }),
      workers: pool.size,
    })),
  );
  const f = sections["0.f"].results;
  const g = sections["0.g"].results;
  console.log(
    JSON.stringify({
      mapBytes: map.data.byteLength,
      workers,
      ms,
      cpuMs,
      peakGrowth,
      status: [sections["0.f"].status, sections["0.g"].status],
      shape: f?.resizedShape ?? g?.resizedShape,
      bands: f && g ? new Set([...f.frequencies, ...g.frequencies]).size : null,
      medians: [f?.median ?? null, g?.median ?? null],
    }),
  );
}

export async function run(): Promise<void> {
  await withMapFile(benchMap(256), (mapFile) => {
    for (const resolution of resolutions) {
      const r = runInChild(import.meta.url, { [childMapVariable]: mapFile, [childResolutionVariable]: String(resolution) });
      const workers = `${r.workers} worker${r.workers > 1 ? "s" : ""}`;
      console.log(
        `0.f + 0.g, 256³ at 0.789 Å, ${resolution} Å → ${r.shape.join("×")}, ${r.bands} distinct bands, ${workers}: ` +
          `${(r.ms / 1000).toFixed(1)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s), peak growth ${mib(r.peakGrowth)} = ` +
          `${(r.peakGrowth / r.mapBytes).toFixed(1)}× the map's ${mib(r.mapBytes)} (target 8×); ${r.status.join(", ")}; ` +
          `medians B ${r.medians[0]?.toFixed(1)} Å², occupancy ${r.medians[1]?.toFixed(2)}`,
      );
    }
  });
}

const childMap = process.env[childMapVariable];
if (childMap) await child(childMap, Number(process.env[childResolutionVariable]));
