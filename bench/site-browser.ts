/**
 * The browser benches' one set-up: the built site (dist/, `npm run build`) served on 127.0.0.1 and the browser tests'
 * headless Chromium (test/helpers/chromium.ts), closed whatever the bench does; and the memory of the page's renderer.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { serveDirectory } from "../data-loaders/site/static-server.js";
import { launchChromium, type Browser } from "../test/helpers/chromium.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

export interface BuiltSite {
  origin: string;
  browser: Browser;
  /** Closes the browser and the server. */
  close(): Promise<void>;
}

/**
 * The site served and a browser started, or null (said on the console) when dist/ lacks `page` (a path under dist/,
 * e.g. "open.html"): `const site = await builtSite(…); if (!site) return; try { … } finally { await site.close(); }`.
 */
export async function builtSite(bench: string, page: string): Promise<BuiltSite | null> {
  if (!existsSync(join(dist, page))) {
    console.log(`${bench}: dist/ has no ${page}; run \`npm run build\` first`);
    return null;
  }
  const server = await serveDirectory(dist);
  try {
    const browser = await launchChromium();
    return { origin: server.origin, browser, close: async () => (await browser.close(), await server.close()) };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Resident set of the browser's largest renderer process (where a page and its Web Workers live). */
export function rendererResidentBytes(browser: Browser): number {
  return Math.max(0, ...rendererProcesses(browser).map(residentBytes));
}

/**
 * CPU time (user + system, ms) the renderer processes' threads have used so far: the page's main thread (the
 * process's first), its Web Workers (DedicatedWorker threads) and the rest (V8's garbage collection and compilers,
 * the compositor), from /proc/PID/task/TID/stat. Differences of two readings time a step by the CPU it used, which a
 * loaded machine stretches far less than the wall time.
 */
export function rendererThreadsCpuMs(browser: Browser): { main: number; workers: number; other: number } {
  const ticks = 100; // USER_HZ on Linux
  const out = { main: 0, workers: 0, other: 0 };
  for (const pid of rendererProcesses(browser))
    for (const tid of safely(() => readdirSync(`/proc/${pid}/task`), [] as string[])) {
      const stat = safely(() => readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"), "");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks; // utime, stime: fields 14 and 15
      if (tid === String(pid)) out.main += ms;
      else if (name.startsWith("DedicatedWorker")) out.workers += ms;
      else out.other += ms;
    }
  return out;
}

function safely<T>(read: () => T, otherwise: T): T {
  try {
    return read();
  } catch {
    return otherwise; // ended meanwhile
  }
}

/** The renderer processes of the browser: those under the processes whose command line holds its profile directory. */
function rendererProcesses(browser: Browser): number[] {
  const all = readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      const ppid = Number(readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      return [{ pid: Number(name), ppid, cmdline }];
    } catch {
      return []; // ended meanwhile
    }
  });
  const inTree = new Set(all.filter((p) => p.cmdline.includes(browser.profile) && !p.cmdline.includes("--type=")).map((p) => p.pid));
  for (let grown = true; grown; ) {
    grown = false;
    for (const p of all) if (!inTree.has(p.pid) && inTree.has(p.ppid)) (inTree.add(p.pid), (grown = true));
  }
  return all.filter((p) => inTree.has(p.pid) && p.cmdline.includes("--type=renderer")).map((p) => p.pid);
}

function residentBytes(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs in the page: types `values` into the threshold box (data-testid="threshold") in turn, 16 ms apart, and resolves
 * with the time of the last input (performance.now()) once `shown()` holds.
 */
export const typeThresholds = `async (values, shown) => {
  const box = document.querySelector('[data-testid="threshold"]');
  let started = 0;
  for (const [i, v] of values.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, 16));
    started = performance.now();
    box.value = String(v);
    box.dispatchEvent(new Event("input", {bubbles: true}));
  }
  await new Promise((resolve) => {
    if (shown()) return resolve();
    const observer = new MutationObserver(() => shown() && (observer.disconnect(), resolve()));
    observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  });
  return started;
}`;

/**
 * Runs in the page: sets the threshold box to `values` in turn (16 ms apart) and resolves when the last one is shown
 * and the frame that draws its report is done.
 */
const moveAndWait = `async (values) => {
  const target = values[values.length - 1];
  const shown = () => {
    const s = document.querySelector('[data-testid="live-status"]');
    return s && Number(s.dataset.threshold) === target && s.dataset.pending === "false";
  };
  const answers = window.workerAnswers ?? [];
  const started = await (${typeThresholds})(values, shown);
  // The cells that draw the report run in the same frame as the status line, then its layout and paint: a task
  // queued now runs once that frame is done.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const shownAt = performance.now();
  const s = document.querySelector('[data-testid="live-status"]');
  const staleAfterLast = answers.filter((a) => a.type === "report" && a.at > started && a.threshold !== target).length;
  const answeredAt = answers.findLast((a) => a.type === "report" && a.threshold === target)?.at ?? NaN;
  return {total: shownAt - started, workerMs: Number(s.dataset.ms), answered: answeredAt - started, drawn: shownAt - answeredAt, staleAfterLast};
}`;

/**
 * Moves the page's threshold box (data-testid="threshold") through `values`, 16 ms apart (one value: a single move,
 * more: a drag), and waits for the live status to show the last one with nothing pending and for the frame that
 * draws its report. `total`: from the last input to then (ms); `workerMs`: the worker's time for that report; with the page recording its worker's answers
 * (recordWorkerAnswers), `answered`: from the last input to that report's arrival on the page, `drawn`: from its
 * arrival to the numbers shown, and `staleAfterLast`: reports for other thresholds that arrived after the last input.
 */
export async function moveThresholdAndWait(page: Page, values: number[]): Promise<ThresholdMove> {
  return (await page.evaluate(`(${moveAndWait})(${JSON.stringify(values)})`)) as ThresholdMove;
}

export interface ThresholdMove {
  total: number;
  workerMs: number;
  answered: number;
  drawn: number;
  staleAfterLast: number;
}

/** A worker message as recordWorkerAnswers keeps it: the fields the benches read, and when (page clock, ms). */
export interface WorkerMessage {
  type: string;
  id?: number;
  threshold?: number;
  ms?: number;
  phases?: Record<string, number>;
  at: number;
}

/**
 * Makes the page (from its first script on) record every message its Web Workers send it as `window.workerAnswers`
 * and every one it posts to them as `window.workerRequests` (the type and when).
 */
export async function recordWorkerAnswers(page: Page): Promise<void> {
  // A string, as the page runs it: functions compiled by tsx call a helper the page does not have.
  await page.addInitScript(`(() => {
    window.workerAnswers = [];
    window.workerRequests = [];
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url, options) {
        super(url, options);
        this.addEventListener("message", ({data}) => {
          const {type, id, threshold, ms, phases} = data ?? {};
          window.workerAnswers.push({type, id, threshold, ms, phases, at: performance.now()});
        });
      }
      postMessage(message, transfer) {
        window.workerRequests.push({type: message?.type, at: performance.now()});
        super.postMessage(message, transfer);
      }
    };
  })()`);
}

/**
 * Resolves when the figures of the report shown are drawn: its mask slices (the soft mask's included) and, unless
 * `surface` is false (while 0.e–0.g are computed /open leaves the isosurface as it is), the isosurface.
 */
export async function settled(page: Page, { surface = true } = {}): Promise<void> {
  await page.waitForFunction((surface) => {
    const box = document.querySelector('[data-testid="mask-slices"]');
    const stills = document.querySelector('[data-testid="isosurface-views"]');
    const threshold = Number(document.querySelector('[data-testid="live-status"]')?.getAttribute("data-threshold"));
    return box && stills && Number(box.getAttribute("data-threshold")) === threshold &&
      (!surface || Number(stills.getAttribute("data-threshold")) === threshold) &&
      box.querySelectorAll("canvas").length > 0 && !box.textContent!.includes("Soft mask: computing");
  }, surface, { timeout: 600_000, polling: 200 });
}
