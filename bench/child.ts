/**
 * Bench cases that run in a child process holding only the map: the child's peak resident set minus its resident set
 * before the call is the call's peak memory (an upper bound: it includes garbage not yet collected).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Volume } from "../lib/io/volume.js";

/** Calls `fn` with the path of a temporary raw float32 copy of the map (read back with benchMapFromFile). */
export async function withMapFile<T>(volume: Volume, fn: (path: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "mapval-bench-"));
  try {
    const path = join(dir, "map.f32");
    writeFileSync(path, volume.data);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the bench module `moduleUrl` (its import.meta.url) in a new Node process with `env` added, and returns the
 * JSON of the last line it prints.
 */
export function runInChild(moduleUrl: string, env: Record<string, string>): any {
  const file = fileURLToPath(moduleUrl);
  const result = spawnSync(process.execPath, ["--import", "tsx", file], { env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`bench child ${file} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

/** Wall time, CPU time (every thread of the process) and peak resident-set growth of `fn`. */
export async function measured<T>(
  fn: () => Promise<T> | T,
): Promise<{ value: T; ms: number; cpuMs: number; peakGrowth: number }> {
  const before = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const peakGrowth = Math.max(0, process.resourceUsage().maxRSS * 1024 - before);
  return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakGrowth };
}
