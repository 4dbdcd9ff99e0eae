/**
 * Level 0 report timings on emd_1997 resampled to 256³ and 160³ (bench/upsample.ts):
 *   1. the whole report at 256³: hard and soft masks, 0.a–0.c, input-figure data (target ≤ 2.5 s, ≤ 4× map bytes);
 *   2. the threshold sweep of 100 thresholds at 256³ (target ≤ 5 s), and at 160³;
 *   3. one slider move at 160³: threshold → hard mask + 0.a–0.c (target ≤ 50 ms).
 * The 256³ report runs in a child process that holds only the map, so its peak resident set minus the resident set
 * before the report is the report's peak memory (an upper bound: it includes garbage not yet collected).
 */
import { runLevel0 } from "../lib/level0/level0.js";
import type { SectionResult } from "../lib/report/report-types.js";
import { sweep } from "../lib/level0/sweep.js";
import type { Volume } from "../lib/io/volume.js";
import { measured, runInChild, withMapFile } from "./child.js";
import { benchMap, benchMapFromFile, mib } from "./upsample.js";

const threshold = 1.0; // emd_1997's author contour; resampling keeps the density scale

/** Set in the child process: the raw float32 256³ map to report on. */
const childMapVariable = "MAPVAL_LEVEL0_BENCH_MAP";

/** Ts of the resampled map: the same physical box as emd_1997 (100 × 2.02 Å). */
const ts = (v: Volume) => (100 * 2.02) / v.nx;

/** 100 thresholds spread over (0, max], the range where masks are not empty. */
function hundredThresholds(v: Volume): number[] {
  let max = -Infinity;
  for (const d of v.data) if (d > max) max = d;
  return Array.from({ length: 100 }, (_, i) => (max * (i + 0.5)) / 100);
}

async function timeSweep(v: Volume, label: string): Promise<void> {
  const swept = await measured(() => sweep(v, hundredThresholds(v), { voxelSize: ts(v) }));
  console.log(
    `sweep ${label}, 100 thresholds: ${swept.ms.toFixed(0)} ms (target at 256³: 5000), ${(swept.ms / 100).toFixed(1)} ms per threshold`,
  );
}

export async function run(): Promise<void> {
  const big = benchMap(256);
  await withMapFile(big, (mapFile) => {
    const r = runInChild(import.meta.url, { [childMapVariable]: mapFile });
    console.log(
      `report 256³ (masks, soft mask, 0.a–0.c, figures): ${r.ms.toFixed(0)} ms (target 2500), ` +
        `peak growth ${mib(r.peakGrowth)} = ${(r.peakGrowth / r.mapBytes).toFixed(1)}× the map's ${mib(r.mapBytes)} ` +
        `(target 4×); score ${r.score.passed}/${r.score.evaluable}`,
    );
  });

  await timeSweep(big, "256³");
  const mid = benchMap(160);
  await timeSweep(mid, "160³");

  // The slider reuses 0.d (threshold-independent), so only masks and 0.a–0.c are timed.
  const notApplicable: SectionResult<object> = {
    id: "0.d", title: "0.d B-factor analysis", status: "does-not-apply", warnings: [], results: null, summarySentence: null,
  };
  const report = async (t: number) =>
    (await measured(() => runLevel0(mid, { threshold: t, voxelSize: ts(mid), precomputed: { "0.d": notApplicable } }))).ms;
  // The first report on a volume also computes its threshold-independent numbers, the first move builds its index.
  const first = await report(1.0);
  const firstMove = await report(0.95);
  const times: number[] = [];
  for (const t of [0.6, 0.8, 1.0, 1.2, 1.4, 0.9, 1.1, 0.7, 1.3, 1.05]) times.push(await report(t));
  times.sort((a, b) => a - b);
  console.log(
    `slider 160³ (hard mask + 0.a–0.c): first report ${first.toFixed(0)} ms, first move ${firstMove.toFixed(0)} ms, ` +
      `then median ${times[times.length >> 1].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, ` +
      `max ${times[times.length - 1].toFixed(0)} ms over ${times.length} moves (target 50)`,
  );
}

if (process.env[childMapVariable]) {
  const volume = benchMapFromFile(process.env[childMapVariable]);
  const r = await measured(() => runLevel0(volume, { threshold, voxelSize: ts(volume), figures: true, softMask: true }));
  console.log(JSON.stringify({ ms: r.ms, peakGrowth: r.peakGrowth, mapBytes: volume.data.byteLength, score: r.value.score }));
}
