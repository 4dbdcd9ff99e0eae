/**
 * 0.e (MonoRes-style local resolution) on emd_1997 resampled to 256³ (0.789 Å/voxel, bench/upsample.ts), resolution
 * 7 Å, threshold 1.0. Targets: 0.e–0.g together ≤ 60 s, memory ≤ 8× the map's bytes. Prints the 0.e figures (time,
 * working grid, sweep length, peak memory growth), then 0.f + 0.g (localSections) timed the same way for the total.
 * Runs in a child process that holds only the map, so its peak resident set minus the resident set before the section
 * is the section's peak memory (an upper bound: it includes garbage not yet collected).
 * `npm run bench -- monores`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { localResolutionSection } from "../lib/section-0e-local-resolution.js";
import { localSections } from "../lib/section-0f-locbfactor.js";
import { benchMap, benchMapFromFile, mib } from "./upsample.js";

const threshold = 1.0; // emd_1997's author contour; resampling keeps the density scale
const resolution = 7;
const childMapVariable = "MAPVAL_MONORES_BENCH_MAP";

/** Wall time, CPU time (user + system: on a loaded machine the better estimate of an unloaded run) and peak growth. */
function measured<T>(fn: () => T): { value: T; ms: number; cpuMs: number; peakGrowth: number } {
  const before = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakGrowth: Math.max(0, process.resourceUsage().maxRSS * 1024 - before) };
}

function child(path: string): void {
  const map = benchMapFromFile(path);
  const voxelSize = map.voxelSize![0];
  const e = measured(() => localResolutionSection(map, { voxelSize, threshold, resolution }));
  const fg = measured(() => localSections(map, { voxelSize, threshold, resolution }));
  const r = e.value.results;
  console.log(
    JSON.stringify({
      mapBytes: map.data.byteLength,
      e: { ms: e.ms, cpuMs: e.cpuMs, peakGrowth: e.peakGrowth, status: e.value.status, reason: e.value.reason, results: r && {
        median: r.median, voxels: r.voxels, workingGrid: r.workingGrid, resolutions: r.sweep.resolutions.length, stop: r.sweep.stop,
      } },
      fg: { ms: fg.ms, cpuMs: fg.cpuMs, status: [fg.value["0.f"].status, fg.value["0.g"].status] },
    }),
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mapval-monores-bench-"));
  try {
    const mapFile = join(dir, "map256.f32");
    writeFileSync(mapFile, benchMap(256).data);
    const result = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
      env: { ...process.env, [childMapVariable]: mapFile },
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`monores child failed: ${result.stderr}`);
    const r = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
    const e = r.e;
    const grid = e.results?.workingGrid;
    console.log(
      `0.e 256³ at 0.789 Å, 7 Å: ${(e.ms / 1000).toFixed(1)} s (CPU ${(e.cpuMs / 1000).toFixed(1)} s), ${e.status}` +
        (grid
          ? ` on ${grid.shape.join("×")} at ${grid.voxelSize.toFixed(3)} Å (${e.results.resolutions} resolutions, ` +
            `stop: ${e.results.stop}); median ${e.results.median.toFixed(2)} Å over ${e.results.voxels} voxels`
          : ` (${e.reason})`),
    );
    console.log(
      `0.e peak memory growth ${mib(e.peakGrowth)} = ${(e.peakGrowth / r.mapBytes).toFixed(1)}× the map's ${mib(r.mapBytes)} (target 8×)`,
    );
    console.log(
      `0.f + 0.g: ${(r.fg.ms / 1000).toFixed(1)} s (CPU ${(r.fg.cpuMs / 1000).toFixed(1)} s; ${r.fg.status.join(", ")}); ` +
        `0.e–0.g together ${((e.ms + r.fg.ms) / 1000).toFixed(1)} s, CPU ${((e.cpuMs + r.fg.cpuMs) / 1000).toFixed(1)} s (target 60 s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childMap = process.env[childMapVariable];
if (childMap) child(childMap);
