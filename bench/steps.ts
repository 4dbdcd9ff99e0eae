/**
 * Named bench steps, timed in wall and CPU time over repeated runs, and their comparison with a stored baseline
 * (bench/baseline.json, written by `npm run bench -- --save-baseline`). The machine is shared, so each step keeps the
 * best of its runs (the run least disturbed by other load) and the spread of its runs (how noisy it was), and a step
 * is flagged slower only when its CPU time grew by more than that noise.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

export interface StepTiming {
  /** Best wall time of the runs (ms). */
  wallMs: number;
  /** Best CPU time (user + system) of the runs (ms); for a child process, the child's. */
  cpuMs: number;
  /** (worst − best) / best of the runs' CPU times: the step's run-to-run noise. */
  cpuSpread: number;
  runs: number;
}

const recorded = new Map<string, StepTiming>();

/** The steps recorded by the benches run so far, in the order they were recorded. */
export function recordedSteps(): ReadonlyMap<string, StepTiming> {
  return recorded;
}

export function summarise(samples: readonly { wallMs: number; cpuMs: number }[]): StepTiming {
  if (samples.length === 0) throw new RangeError("a step needs at least one run");
  const cpu = samples.map((s) => s.cpuMs);
  const best = Math.min(...cpu);
  return {
    wallMs: Math.min(...samples.map((s) => s.wallMs)),
    cpuMs: best,
    cpuSpread: best > 0 ? (Math.max(...cpu) - best) / best : 0,
    runs: samples.length,
  };
}

/** Records a step measured elsewhere (e.g. the difference of two steps). */
export function recordStep(name: string, timing: StepTiming): StepTiming {
  recorded.set(name, timing);
  return timing;
}

/**
 * Runs `task` `runs` times in this process and records the step; returns the timing and the last run's value. Each
 * run gets a new input from `prepare` (untimed), so that no run finds what a previous run cached.
 */
export async function timeStep<I, T>(
  name: string,
  runs: number,
  prepare: () => I | Promise<I>,
  task: (input: I) => Promise<T> | T,
): Promise<{ timing: StepTiming; value: T }> {
  const samples: { wallMs: number; cpuMs: number }[] = [];
  let value!: T;
  for (let r = 0; r < runs; r++) {
    const input = await prepare();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    value = await task(input);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    samples.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  return { timing: recordStep(name, summarise(samples)), value };
}

/**
 * Runs a command `runs` times as a child process and records the step. The child's CPU time is the growth of this
 * process's reaped children's time (Linux /proc/self/stat cutime + cstime, 10 ms ticks); NaN elsewhere.
 */
export function timeCommand(name: string, runs: number, command: string, args: string[], cwd: string): { timing: StepTiming; stdout: string } {
  const samples: { wallMs: number; cpuMs: number }[] = [];
  let stdout = "";
  for (let r = 0; r < runs; r++) {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    const wallMs = performance.now() - t0;
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
    samples.push({ wallMs, cpuMs: childrenCpuMs() - cpu0 });
    stdout = result.stdout;
  }
  return { timing: recordStep(name, summarise(samples)), stdout };
}

let ticksPerSecond: number | undefined;

/** CPU time (ms) of this process's terminated and waited-for children, from /proc/self/stat; NaN when unavailable. */
function childrenCpuMs(): number {
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticksPerSecond ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
    // cutime and cstime are fields 16 and 17, i.e. 13 and 14 after field 3.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

export interface Baseline {
  /** When and on what it was measured, and how loaded the machine was (1, 5, 15-minute load averages). */
  measured: { date: string; commit: string; cpu: string; cores: number; loadAverage: number[]; node: string };
  steps: Record<string, StepTiming>;
}

export function baselineOf(steps: ReadonlyMap<string, StepTiming>, commit: string): Baseline {
  return {
    measured: {
      date: new Date().toISOString(),
      commit,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
      node: process.version,
    },
    steps: Object.fromEntries(steps),
  };
}

/** Below this a CPU-time change is never called a slowdown, however steady the runs were. */
export const MIN_NOISE = 0.1;

export interface StepComparison {
  name: string;
  now: StepTiming;
  baseline: StepTiming | null;
  /** now / baseline CPU time; NaN without a baseline or without CPU times. */
  cpuRatio: number;
  /** The relative change within which the step counts as unchanged: the larger run spread, at least MIN_NOISE. */
  noise: number;
  slower: boolean;
}

/** Each step of `now` against the baseline's step of the same name. */
export function compareSteps(now: ReadonlyMap<string, StepTiming>, baseline: Baseline | null): StepComparison[] {
  return [...now].map(([name, timing]) => {
    const before = baseline?.steps[name] ?? null;
    const noise = Math.max(MIN_NOISE, timing.cpuSpread, before?.cpuSpread ?? 0);
    const cpuRatio = before && before.cpuMs > 0 ? timing.cpuMs / before.cpuMs : NaN;
    return { name, now: timing, baseline: before, cpuRatio, noise, slower: cpuRatio > 1 + noise };
  });
}

/** The comparison as a Markdown table, one row per step. */
export function comparisonTable(rows: readonly StepComparison[], baseline: Baseline | null): string {
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
  const lines = [
    baseline
      ? `Against bench/baseline.json (commit ${baseline.measured.commit}, ${baseline.measured.date}, load average ` +
        `${baseline.measured.loadAverage.join(" ")} on ${baseline.measured.cores} cores); now load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`
      : "No bench/baseline.json to compare with (`npm run bench -- --save-baseline` writes one).",
    "",
    "| step | wall (ms) | CPU (ms) | CPU spread | baseline CPU (ms) | CPU now / baseline | |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const change = Number.isFinite(r.cpuRatio) ? `${r.cpuRatio.toFixed(2)}×` : "n/a";
    const flag = r.slower ? `SLOWER (beyond ±${(100 * r.noise).toFixed(0)} %)` : "";
    lines.push(
      `| ${r.name} | ${ms(r.now.wallMs)} | ${ms(r.now.cpuMs)} | ${(100 * r.now.cpuSpread).toFixed(0)} % | ${ms(r.baseline?.cpuMs ?? NaN)} | ${change} | ${flag} |`,
    );
  }
  return lines.join("\n");
}
