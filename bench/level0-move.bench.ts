/**
 * The kernel's part of a threshold move in Node, step by step, on emd_1997 Fourier-upsampled to 256³ and 512³
 * (bench/upsample.ts; MAPVAL_MOVE_BENCH_EDGES=256 for one size): as the page's worker makes a move once its first
 * report is out (0.d and 0.h given, the map's value index built), over the thresholds of bench/open-map.bench.ts.
 * Each step is timed over a round of those moves (after one untimed round), in the order a move runs them: the voxels
 * ≥ t as runs, their 26-components, the dilation of the largest, the whole hard mask, the whole move (masks, 0.a–0.c).
 * Targets (issue 14, so that the page meets 100 ms at 256³ and 400 ms wall at 512³): the move ≤ 30 ms CPU at 256³,
 * ≤ 250 ms at 512³.
 */
import { loadavg } from "node:os";
import { readMapFile } from "../data-loaders/cli/read-map-file.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { componentsOfRuns, largestLabel, type ComponentRuns } from "../lib/masks/components.js";
import { hardMask } from "../lib/masks/masks.js";
import { dilate18Runs } from "../lib/masks/morphology.js";
import { mapValues } from "../lib/masks/value-index.js";
import type { VoxelRuns } from "../lib/masks/voxel-runs.js";
import { timeStep, type StepTiming } from "./steps.js";
import { benchMapFile } from "./upsample.js";

const EDGES = (process.env.MAPVAL_MOVE_BENCH_EDGES ?? "256,512").split(",").map(Number);
const THRESHOLDS = [0.9, 1.1, 0.8, 1.2, 0.95, 1.05, 0.85, 1.15, 1.0, 0.75];
const TARGET_CPU_MS: Record<number, number> = { 256: 30, 512: 250 };

/** Times `task` once per threshold (after an untimed round): the step's best and spread over the moves. */
async function eachMove<T>(name: string, task: (threshold: number, k: number) => T): Promise<{ timing: StepTiming; values: T[] }> {
  THRESHOLDS.forEach((t, k) => task(t, k));
  const values: T[] = [];
  let k = 0;
  const { timing } = await timeStep(name, THRESHOLDS.length, () => k++, (move) => {
    values[move] = task(THRESHOLDS[move], move);
  });
  return { timing, values };
}

async function moveSteps(edge: number): Promise<void> {
  const volume = (await readMapFile(benchMapFile(edge))).result.volume;
  const { nx, ny, nz } = volume;
  const ts = volume.voxelSize![0];
  const options = { threshold: 1, resolution: 7 };
  const sections = ["0.a", "0.b", "0.c", "0.d", "0.h"] as const;
  const first = runLevel0(volume, { ...options, sections });
  const precomputed = { "0.d": first.sections["0.d"], "0.h": first.sections["0.h"] };
  const values = mapValues(volume.data);
  values.index();
  const label = (step: string) => `move ${edge}³ Node: ${step}`;
  const raw = (await eachMove(label("voxels ≥ t as runs"), (t) => values.runsAtLeast(t, nx))).values;
  const components = await eachMove(label("26-components of the runs"), (_, k) => componentsOfRuns(raw[k], nx, ny, nz, 26));
  const seeds = components.values.map(largestRuns);
  const iterations = Math.ceil(2 / ts);
  await eachMove(label(`dilation of the largest (${iterations} steps)`), (_, k) => dilate18Runs(seeds[k], nx, ny, nz, iterations));
  const hard = await eachMove(label("hard mask (the three)"), (t) => hardMask(volume, t, { voxelSize: ts }));
  const move = await eachMove(label("threshold move (masks, 0.a–0.c)"), (t) =>
    runLevel0(volume, { ...options, threshold: t, sections, precomputed }));
  const voxels = hard.values.map((h) => h.voxels);
  console.log(
    `move ${edge}³: best CPU ${move.timing.cpuMs.toFixed(0)} ms, wall ${move.timing.wallMs.toFixed(0)} ms (target CPU ` +
      `${TARGET_CPU_MS[edge] ?? "none"} ms); raw runs ${Math.min(...raw.map((r) => r.runs))}–${Math.max(...raw.map((r) => r.runs))}, ` +
      `hard mask ${Math.min(...voxels)}–${Math.max(...voxels)} voxels of ${nx * ny * nz}; load average ${loadavg()[0].toFixed(1)}`,
  );
}

/** The runs of the largest component (lowest label on ties), as hardMask seeds its dilation. */
function largestRuns(c: ComponentRuns): VoxelRuns {
  const largest = largestLabel(c);
  const keep = Array.from(c.label.keys()).filter((r) => c.label[r] === largest);
  return { runs: keep.length, first: Int32Array.from(keep, (r) => c.first[r]), last: Int32Array.from(keep, (r) => c.last[r]) };
}

export async function run(): Promise<void> {
  for (const edge of EDGES) await moveSteps(edge);
}
