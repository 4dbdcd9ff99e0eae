/**
 * Level 1's live threshold move in real Chromium (issue 15): the bundled simulated EMD-1997 half maps Fourier-upsampled
 * to 256³ (bench/upsample.ts, as bench/level1.bench.ts makes them; 0.789 Å voxels) chosen in /open's two half-map
 * inputs of the built site (`npm run build` first), without a map (the map is their average), resolution 7 Å.
 *
 * Figures:
 * - the first Level 1 answer: from the second half's input to 1.a drawn (its FSC chart and JSON current), with the
 *   worker's Level 1 phases (`phases` of its "level1" answer);
 * - threshold moves through the threshold box once the page has settled (the last move's mask figures and isosurface
 *   drawn): from the input to the FSC chart showing the masked crossing of the new threshold's 1.a (data-testid="level1-state" current at that threshold; median of 9
 *   single moves), with the worker's Level 1 time and phases, and the CPU time of the page's Web Workers (all of them:
 *   Level 0's report and mask figures too) per move; a drag of 10 inputs 16 ms apart, with the
 *   Level 1 answers computed for thresholds other than the last after its last input (at most 1: a newer move
 *   supersedes the job waiting);
 * - memory: peak resident set of the page's renderer process (page and workers) minus its resident set before the
 *   halves were chosen (an upper bound: it counts garbage not yet collected), against one half's bytes.
 * Targets (issue 15): a move's masked and corrected FSC ≤ 1.5 s; memory ≤ 8× one half's bytes.
 * `npm run bench -- level1-live`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { readMap } from "../lib/io/mrc-reader.js";
import { builtSite, recordWorkerAnswers, rendererResidentBytes, rendererThreadsCpuMs, settled, typeThresholds, type WorkerMessage } from "./site-browser.js";
import { recordStep } from "./steps.js";
import { mib, mrcBytes, upsample } from "./upsample.js";

const EDGE = 256;
const TARGET_MOVE_MS = 1500;
/** Thresholds of the halves' average (its 1 %-of-voxels level is about 1); each keeps a non-empty mask. */
const THRESHOLDS = [0.9, 1.1, 0.8, 1.2, 0.95, 1.05, 0.85, 1.15, 1.0, 0.75];

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const phaseList = (phases: Record<string, number> | undefined) =>
  Object.entries(phases ?? {}).map(([name, t]) => `${name} ${ms(t)}`).join(", ");

/**
 * The simulated pair's halves upsampled to m³ as MRC files, kept in the system's temporary folder under names that
 * change with bench/upsample.ts's code (a pair costs about 20 s of CPU to make).
 */
async function benchHalfFiles(m: number): Promise<[string, string]> {
  const code = createHash("sha256").update(readFileSync(fileURLToPath(new URL("./upsample.ts", import.meta.url)))).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), "mapval-bench-maps");
  mkdirSync(dir, { recursive: true });
  const paths: [string, string] = [join(dir, `sim-emd-1997-half1-${m}-${code}.mrc`), join(dir, `sim-emd-1997-half2-${m}-${code}.mrc`)];
  for (const [i, path] of paths.entries()) {
    if (existsSync(path)) continue;
    const source = new URL(`../data/halfmaps/sim-emd-1997/half${i + 1}.mrc.gz`, import.meta.url);
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, mrcBytes(upsample((await readMap(new Uint8Array(readFileSync(source)))).volume, m)));
    renameSync(partial, path); // whole or absent, even when two benches make it at once
  }
  return paths;
}

/**
 * Runs in the page: sets the threshold box to `values` in turn (16 ms apart) and resolves when Level 1 is current at
 * the last one and the FSC chart shows its masked crossing. `total`: from the last input to then (ms).
 */
const moveAndWaitForLevel1 = `async (values) => {
  const target = values[values.length - 1];
  const answers = window.workerAnswers;
  const shown = () => {
    const state = document.querySelector('[data-testid="level1-state"]');
    const chart = document.querySelector('[data-testid="fsc-chart"]');
    const answer = answers.findLast((a) => a.type === "level1");
    return state && chart && answer && state.dataset.state === "current" && Number(state.dataset.threshold) === target &&
      answer.threshold === target && chart.dataset.fscMaskedResolution === String(answer.fscMaskedResolution ?? "");
  };
  const started = await (${typeThresholds})(values, shown);
  const total = performance.now() - started;
  const after = answers.filter((a) => a.type === "level1" && a.at > started);
  const last = after.findLast((a) => a.threshold === target);
  return {total, workerMs: last?.ms, phases: last?.phases, staleAfterLast: after.filter((a) => a.threshold !== target).length};
}`;

interface Move {
  total: number;
  workerMs: number;
  phases?: Record<string, number>;
  staleAfterLast: number;
}

async function moveAndWait(page: Page, values: number[]): Promise<Move> {
  return (await page.evaluate(`(${moveAndWaitForLevel1})(${JSON.stringify(values)})`)) as Move;
}

/** The page's worker answers with the masked crossing of each Level 1 answer, which the chart must show. */
async function recordLevel1Crossings(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url, options) {
        super(url, options);
        this.addEventListener("message", ({data}) => {
          if (data?.type !== "level1") return;
          const record = window.workerAnswers.findLast((a) => a.type === "level1" && a.id === data.id);
          if (record) record.fscMaskedResolution = data.report.sections["1.a"].results?.fscMaskedResolution ?? null;
        });
      }
    };
  })()`);
}

export async function run(): Promise<void> {
  const [half1, half2] = await benchHalfFiles(EDGE);
  const halfBytes = EDGE ** 3 * 4;
  const site = await builtSite("level1-live", "open.html");
  if (!site) return;
  const page = await site.browser.context.newPage();
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    await recordWorkerAnswers(page);
    await recordLevel1Crossings(page);
    await page.goto(`${site.origin}/open?threshold=1&resolution=7`);
    await page.getByTestId("open-half1").waitFor();
    const before = rendererResidentBytes(site.browser);
    let peak = before;
    sampler = setInterval(() => (peak = Math.max(peak, rendererResidentBytes(site.browser))), 100);
    await page.getByTestId("open-half1").setInputFiles(half1);
    const chosenAt = (await page.evaluate("performance.now()")) as number;
    await page.getByTestId("open-half2").setInputFiles(half2);
    await page.waitForFunction(() => document.querySelector('[data-testid="level1-state"]')?.getAttribute("data-state") === "current",
      undefined, { timeout: 600_000, polling: 100 });
    const shownAt = (await page.evaluate("performance.now()")) as number;
    const answers = (await page.evaluate("window.workerAnswers")) as (WorkerMessage & { fscMaskedResolution?: number })[];
    const firstLevel1 = answers.find((a) => a.type === "level1");
    console.log(
      `level1-live ${EDGE}³ halves (${mib(halfBytes)} each): first 1.a on screen ${ms(shownAt - chosenAt)} after the first half was chosen; ` +
        `the worker's Level 1 ${ms(firstLevel1?.ms ?? NaN)} (${phaseList(firstLevel1?.phases)})`,
    );
    await moveAndWait(page, [THRESHOLDS[0]]); // warm-up: the value index is built, the code compiled
    const singles: Move[] = [], workerCpu: number[] = [];
    for (let i = 1; i <= 9; i++) {
      await settled(page); // the last move's mask figures and isosurface are drawn, as a user waiting sees them
      const cpu0 = rendererThreadsCpuMs(site.browser);
      singles.push(await moveAndWait(page, [THRESHOLDS[i % THRESHOLDS.length]]));
      workerCpu.push(rendererThreadsCpuMs(site.browser).workers - cpu0.workers);
    }
    await settled(page);
    const drag = await moveAndWait(page, [...THRESHOLDS].reverse());
    clearInterval(sampler);
    const totals = singles.map((m) => m.total), worker = singles.map((m) => m.workerMs);
    const middle = singles[totals.indexOf(median(totals))];
    recordStep(`level1-live ${EDGE}³: threshold move, input → 1.a drawn`, { wallMs: median(totals), cpuMs: median(workerCpu), cpuSpread: 0, runs: 9 });
    console.log(
      `level1-live ${EDGE}³, threshold moves: input → 1.a's chart and JSON current: median ${ms(median(totals))} (min ${ms(Math.min(...totals))}, ` +
        `max ${ms(Math.max(...totals))}, n=9; target ${ms(TARGET_MOVE_MS)}), of which the worker's Level 1 median ${ms(median(worker))} ` +
        `(the median move's: ${phaseList(middle.phases)}), Web Workers' CPU per move median ${ms(median(workerCpu))} (10 ms ticks); drag of 10 inputs, last input → 1.a drawn ${ms(drag.total)}, ` +
        `${drag.staleAfterLast} Level 1 answer(s) for an earlier threshold after its last input (target ≤ 1); memory: renderer resident set ` +
        `${mib(before)} before the halves, peak +${mib(peak - before)} = ${((peak - before) / halfBytes).toFixed(1)}× one half (target 8×); ` +
        `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
    );
  } finally {
    clearInterval(sampler);
    await page.close();
    await site.close();
  }
}
