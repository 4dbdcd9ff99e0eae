/**
 * Opening a map on /open in real Chromium, as a user does (issue 14): emd_1997 Fourier-upsampled to 256³ and 512³
 * (bench/upsample.ts, 202 Å box, threshold 1.0, resolution 7 Å) chosen in the file input of the built site
 * (`npm run build` first).
 *
 * Figures, for each size:
 * - the first report: from the file input's change to the report (0.a–0.d) drawn, with its phases as the page and its
 *   worker see them (the page reading the file; the worker reading it with its statistics, hashing it, copying the
 *   figures' volume; the page setting up; the worker's kernel steps and JSON; the page drawing the report);
 * - the memory of it: peak resident set of the page's renderer process (page and worker) minus its resident set
 *   before the file was chosen (an upper bound: it counts garbage not yet collected), against the map's bytes, up to
 *   the first report and up to its mask figures;
 * - threshold moves through the threshold box: single moves once the page has settled (mask figures and isosurface
 *   drawn; median of 9; split at the report's arrival on the page: the worker and the messages, then the page drawing
 *   it), and drags of 10 inputs 16 ms apart (median of 3), with the most stale reports that arrived after a drag's
 *   last input.
 * Then the same steps in Node on the same file, in this process (best of 3, CPU and wall time, bench/steps.ts): read
 * with statistics and hash, masks and 0.a–0.c, 0.d, a threshold move; and `mapval report FILE --json` as a command.
 * Targets (issue 14): first report ≤ 4 s at 256³, ≤ 20 s at 512³; a move ≤ 100 ms at 256³, ≤ 400 ms at 512³; at
 * most one stale report per drag; ≤ 4× the map's bytes. `npm run bench -- open-map` (MAPVAL_OPEN_BENCH_EDGES=256 for
 * one size).
 */
import { statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { readMapFile } from "../data-loaders/cli/read-map-file.js";
import { runLevel0 } from "../lib/level0/level0.js";
import { mapValues } from "../lib/masks/value-index.js";
import {
  builtSite, moveThresholdAndWait, recordWorkerAnswers, rendererResidentBytes, rendererThreadsCpuMs, settled, type BuiltSite, type WorkerMessage,
} from "./site-browser.js";
import { recordStep, summarise, timeCommand, timeStep } from "./steps.js";
import { benchMapFile, mib } from "./upsample.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const TARGETS: Record<number, { firstMs: number; moveMs: number }> = { 256: { firstMs: 4000, moveMs: 100 }, 512: { firstMs: 20000, moveMs: 400 } };
const EDGES = (process.env.MAPVAL_OPEN_BENCH_EDGES ?? "256,512").split(",").map(Number);
const THRESHOLDS = [0.9, 1.1, 0.8, 1.2, 0.95, 1.05, 0.85, 1.15, 1.0, 0.75];

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const mean = (a: number[]) => a.reduce((sum, x) => sum + x, 0) / a.length;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const phaseList = (phases: Record<string, number> | undefined) =>
  Object.entries(phases ?? {}).map(([name, t]) => `${name} ${ms(t)}`).join(", ");

/** When (the page's clock, ms) the open page next shows a report whose numbers are current. */
async function reportShown(page: Page): Promise<number> {
  // A string, as the page runs it: functions compiled by tsx call a helper the page does not have.
  return (await page.evaluate(`new Promise((resolve) => {
    const ready = () => document.querySelector('[data-testid="report-view"]')?.dataset.state === "ready" &&
      document.querySelector('[data-testid="score-line"]') !== null;
    if (ready()) return resolve(performance.now());
    const observer = new MutationObserver(() => ready() && (observer.disconnect(), resolve(performance.now())));
    observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  })`)) as number;
}

async function benchEdge(site: BuiltSite, edge: number): Promise<void> {
  const path = benchMapFile(edge);
  const mapBytes = statSync(path).size - 1024;
  const page = await site.browser.context.newPage();
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    await recordWorkerAnswers(page);
    await page.goto(`${site.origin}/open?threshold=1&resolution=7`);
    await page.getByTestId("open-map").waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { chosenAt: number };
      document.querySelector('[data-testid="open-map"]')!.addEventListener("change", () => (w.chosenAt = performance.now()));
    });
    const before = rendererResidentBytes(site.browser);
    let peak = before;
    sampler = setInterval(() => (peak = Math.max(peak, rendererResidentBytes(site.browser))), 100);
    const shown = reportShown(page);
    const cpu0 = rendererThreadsCpuMs(site.browser);
    await page.getByTestId("open-map").setInputFiles(path);
    const shownAt = await shown;
    const cpu1 = rendererThreadsCpuMs(site.browser);
    const peakToReport = peak;
    const { chosenAt, answers, requests } = (await page.evaluate(() => {
      const w = window as unknown as { chosenAt: number; workerAnswers: WorkerMessage[]; workerRequests: WorkerMessage[] };
      return { chosenAt: w.chosenAt, answers: w.workerAnswers, requests: w.workerRequests };
    })) as { chosenAt: number; answers: WorkerMessage[]; requests: WorkerMessage[] };
    const at = (list: WorkerMessage[], type: string) => list.find((m) => m.type === type)?.at ?? NaN;
    const opened = answers.find((m) => m.type === "opened");
    const report = answers.find((m) => m.type === "report");
    const openPosted = at(requests, "open"), reportPosted = at(requests, "report");
    const target = TARGETS[edge];
    console.log(
      `open ${edge}³ (${mib(mapBytes)}): first report on screen ${ms(shownAt - chosenAt)} after the file was chosen ` +
        `(target ${target ? ms(target.firstMs) : "none"}): page reads the file ${ms(openPosted - chosenAt)}; worker opens it ` +
        `${ms(at(answers, "opened") - openPosted)} (${phaseList(opened?.phases)}); page sets up ${ms(reportPosted - (opened?.at ?? NaN))}; ` +
        `worker's first report ${ms((report?.at ?? NaN) - reportPosted)} (${phaseList(report?.phases)}); page draws it ` +
        `${ms(shownAt - (report?.at ?? NaN))}. CPU used meanwhile: page ${ms(cpu1.main - cpu0.main)}, workers ${ms(cpu1.workers - cpu0.workers)}, ` +
        `other threads ${ms(cpu1.other - cpu0.other)}`,
    );

    await settled(page);
    clearInterval(sampler);
    console.log(
      `open ${edge}³: renderer resident set ${mib(before)} before the file was chosen; peak to the first report ${mib(peakToReport)}: ` +
        `+${mib(peakToReport - before)} = ${((peakToReport - before) / mapBytes).toFixed(1)}× the map (target 4×); peak until its mask ` +
        `figures were drawn +${mib(peak - before)} = ${((peak - before) / mapBytes).toFixed(1)}× the map`,
    );
    await moveThresholdAndWait(page, [THRESHOLDS[0]]); // warm-up: the value index is built, the code compiled
    const singles: number[] = [], worker: number[] = [], answered: number[] = [], drawn: number[] = [];
    const pageCpu: number[] = [], workerCpu: number[] = [], otherCpu: number[] = [];
    for (let i = 1; i <= 9; i++) {
      await settled(page);
      const before = rendererThreadsCpuMs(site.browser);
      const move = await moveThresholdAndWait(page, [THRESHOLDS[i % THRESHOLDS.length]]);
      const after = rendererThreadsCpuMs(site.browser);
      singles.push(move.total);
      worker.push(move.workerMs);
      answered.push(move.answered);
      drawn.push(move.drawn);
      pageCpu.push(after.main - before.main);
      workerCpu.push(after.workers - before.workers);
      otherCpu.push(after.other - before.other);
    }
    const drags: number[] = [];
    let stale = 0;
    for (let i = 0; i < 3; i++) {
      await settled(page);
      const values = i % 2 === 0 ? [...THRESHOLDS].reverse() : THRESHOLDS;
      const drag = await moveThresholdAndWait(page, values);
      drags.push(drag.total);
      stale = Math.max(stale, drag.staleAfterLast);
    }
    console.log(
      `open ${edge}³, threshold moves: single move, input → numbers shown: median ${ms(median(singles))} ` +
        `(min ${ms(Math.min(...singles))}, max ${ms(Math.max(...singles))}, n=9; target ${target ? ms(target.moveMs) : "none"}), ` +
        `of which the worker's report ${ms(median(worker))}; input → the report's arrival ${ms(median(answered))}, its arrival → ` +
        `numbers shown ${ms(median(drawn))}; CPU per move (mean of the 9; 10 ms ticks): page ${ms(mean(pageCpu))}, ` +
        `worker ${ms(mean(workerCpu))}, other threads ${ms(mean(otherCpu))}; drag of 10 inputs, last input → numbers: median ${ms(median(drags))} ` +
        `(max ${ms(Math.max(...drags))}, n=3), at most ${stale} stale report(s) after a drag's last input (target 1); ` +
        `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
    );
  } finally {
    clearInterval(sampler);
    await page.close();
  }
}

/** The kernel's steps of the page's first report and of a move, in Node on the same file (as `mapval report`). */
async function nodeSteps(edge: number): Promise<void> {
  const path = benchMapFile(edge);
  const runs = 3;
  const options = { threshold: 1, resolution: 7 };
  const read = await timeStep(`open ${edge}³ Node: read and hash`, runs, () => path, readMapFile);
  // Each run gets the map newly read: the kernel caches per map what does not depend on the threshold.
  const fresh = async () => (await readMapFile(path)).result.volume;
  const masks = await timeStep(`open ${edge}³ Node: masks and 0.a–0.c`, runs, fresh, (v) => runLevel0(v, { ...options, sections: ["0.a", "0.b", "0.c"] }));
  const first = await timeStep(`open ${edge}³ Node: masks and 0.a–0.d`, runs, fresh, (v) => runLevel0(v, { ...options, sections: ["0.a", "0.b", "0.c", "0.d"] }));
  const spectral = recordStep(`open ${edge}³ Node: 0.d (difference of the two)`, {
    ...summarise([{ wallMs: first.timing.wallMs - masks.timing.wallMs, cpuMs: first.timing.cpuMs - masks.timing.cpuMs }]),
    runs,
  });
  // A move as the page's worker makes it: 0.d and 0.h given, the map's value index built.
  const sections = ["0.a", "0.b", "0.c", "0.d", "0.h"] as const;
  const volume = await fresh();
  const report = runLevel0(volume, { ...options, sections });
  const precomputed = { "0.d": report.sections["0.d"], "0.h": report.sections["0.h"] };
  mapValues(volume.data).index();
  let k = 0;
  const move = await timeStep(`open ${edge}³ Node: threshold move`, 9, () => THRESHOLDS[k++ % THRESHOLDS.length], (threshold) =>
    runLevel0(volume, { ...options, threshold, sections, precomputed }));
  const cli = timeCommand(`open ${edge}³ Node: mapval report --json`, 1, process.execPath,
    [join(root, "bin", "mapval.js"), "report", path, "--threshold", "1", "--resolution", "7", "--sections", "0.a,0.b,0.c,0.d,0.h", "--json"], root);
  const both = (t: { wallMs: number; cpuMs: number }) => `${ms(t.wallMs)} (CPU ${ms(t.cpuMs)})`;
  console.log(
    `open ${edge}³ in Node, best of ${runs}: read with statistics and hash ${both(read.timing)}; masks and 0.a–0.c ` +
      `${both(masks.timing)}; 0.d ≈ ${both(spectral)}; threshold move ${both(move.timing)}; ` +
      `mapval report --json (a process, start-up included) ${both(cli.timing)}; load average ${loadavg()[0].toFixed(1)}`,
  );
}

export async function run(): Promise<void> {
  const site = await builtSite("open-map", "open.html");
  if (!site) return;
  try {
    for (const edge of EDGES) {
      await benchEdge(site, edge);
      await nodeSteps(edge);
    }
  } finally {
    await site.close();
  }
}
