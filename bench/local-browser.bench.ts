/**
 * 0.e–0.g in real Chromium on the open-a-map page (src/open.md → src/workers/web-band-executor.ts), as a user runs
 * them: emd_1997 Fourier-upsampled to 256³ and 512³ (bench/upsample.ts, 0.789 and 0.394 Å, resolution 7 Å, threshold
 * 1.0) opened through the file input, then "Compute local sections at this threshold" with as many band workers as the
 * browser reports cores (navigator.hardwareConcurrency; 2 on the project's machine). Built site required
 * (`npm run build`). MAPVAL_LOCAL_EDGES=256 (a comma-separated list) picks the sizes.
 *
 * Figures: wall time from the click to the report holding 0.e–0.g, and each stage's phases (the progress bar's
 * data-stage and data-phase); the longest gap between two progress updates on the page; and the memory of the run:
 * peak resident set of the page's renderer process (where the page's worker and its band workers live) during the run
 * minus its resident set just before (an upper bound: it counts garbage not yet collected), against the map's bytes.
 * Threshold moves during the run (MAPVAL_LOCAL_MOVES=0 leaves them out): the threshold box goes to 1.02 and back to
 * 1.0, each move made once the figures of the last one are drawn (they take the page worker for seconds at 512³) and a
 * second has passed, and timed from the input to the live status showing it (bench/site-browser.ts
 * moveThresholdAndWait), so the longest of them is the longest a move waited behind the run (its planning, on the page
 * worker, included).
 * Targets (issue 14): ≤ 90 s with 2 workers at 256³, progress at least every 2 s, ≤ 8× the map's bytes.
 * `npm run bench -- local-browser`.
 */
import { cpus, loadavg } from "node:os";
import { builtSite, moveThresholdAndWait, rendererResidentBytes, settled } from "./site-browser.js";
import { benchMapFile, mib } from "./upsample.js";

const EDGES = (process.env.MAPVAL_LOCAL_EDGES ?? "256,512").split(",").map(Number);
const MOVES = process.env.MAPVAL_LOCAL_MOVES !== "0";

export async function run(): Promise<void> {
  for (const edge of EDGES) await runAt(edge);
}

async function runAt(EDGE: number): Promise<void> {
  const site = await builtSite("local-browser", "open.html");
  if (!site) return;
  const mapPath = benchMapFile(EDGE); // made once per machine (a minute of CPU at 512³)
  const mapBytes = 4 * EDGE ** 3;
  try {
    const page = await site.browser.context.newPage();
    await page.goto(`${site.origin}/open?threshold=1&resolution=7`);
    await page.getByTestId("open-map").setInputFiles(mapPath);
    await page.getByTestId("compute-local").waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="report-view"]')?.getAttribute("data-state") === "ready");
    await settled(page); // the mask figures and the isosurface are drawn
    await page.waitForTimeout(1000); // and the value index is built
    const renderer = () => rendererResidentBytes(site.browser);
    const before = renderer();
    const workers = await page.evaluate(() => navigator.hardwareConcurrency);

    // Each change of the progress text, and each stage and phase the progress bar names, timed in the page.
    await page.evaluate(() => {
      const w = window as unknown as { progressTimes: number[]; progressTexts: string[]; phases: [string, number][] };
      w.progressTimes = [performance.now()];
      w.progressTexts = [""];
      w.phases = [];
      let last = "";
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="local-panel"]')?.textContent ?? "";
        if (text !== last) (w.progressTimes.push(performance.now()), w.progressTexts.push(text), (last = text));
        const bar = document.querySelector('[data-testid="local-progress"]');
        const phase = bar ? `${bar.getAttribute("data-stage")} ${bar.getAttribute("data-phase")}` : "";
        if (phase && phase !== w.phases.at(-1)?.[0]) w.phases.push([phase, performance.now()]);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, renderer())), 200);
    const started = performance.now();
    await page.getByTestId("compute-local").click();
    // The panel says "running" once the page has drawn the run's first state.
    await page.waitForFunction(() => document.querySelector('[data-testid="local-panel"]')?.getAttribute("data-state") !== "idle");
    const running = async () => (await page.getByTestId("local-panel").getAttribute("data-state")) === "running";
    const moves: { total: number; workerMs: number }[] = [];
    // Each pair ends back at 1.0, the run's threshold, where the report then holds 0.e–0.g.
    while (MOVES && (await running()))
      for (const threshold of [1.02, 1]) {
        await settled(page, { surface: false }); // the isosurface waits for the run's end
        await page.waitForTimeout(1000);
        moves.push(await moveThresholdAndWait(page, [threshold]));
      }
    await page.waitForFunction(() => document.querySelector('[data-testid="local-panel"]')?.getAttribute("data-state") !== "running", undefined, { timeout: 900_000, polling: 500 });
    await page.waitForFunction(() => document.querySelector('[data-testid="status-0.e"]')?.getAttribute("data-status") !== "not-requested", undefined, { timeout: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const state = await page.getByTestId("local-panel").getAttribute("data-state");
    const { times, texts, phases } = await page.evaluate(() => {
      const w = window as unknown as { progressTimes: number[]; progressTexts: string[]; phases: [string, number][] };
      return { times: w.progressTimes, texts: w.progressTexts, phases: w.phases };
    });
    const gaps = times.slice(1).map((t, i) => (t - times[i]) / 1000);
    const longest = gaps.indexOf(Math.max(...gaps));
    const ended = times[times.length - 1]; // the panel saying the run is done
    const phaseTimes = phases.map(([name, t], i) => `${name} ${(((phases[i + 1]?.[1] ?? ended) - t) / 1000).toFixed(1)} s`);
    const statuses = await Promise.all(["0.e", "0.f", "0.g"].map((id) => page.getByTestId(`status-${id}`).getAttribute("data-status")));
    console.log(
      `0.e–0.g in Chromium, ${EDGE}³ (${mib(mapBytes)}), ${workers} band workers: ${seconds.toFixed(1)} s (target 90), run ${state}, ` +
        `statuses ${statuses.join(" ")}; longest gap between progress updates ${Math.max(...gaps).toFixed(1)} s over ${gaps.length} updates ` +
        `(target 2); renderer resident set ${mib(before)} before, peak ${mib(peak)}: +${mib(peak - before)} = ` +
        `${((peak - before) / mapBytes).toFixed(1)}× the map (target 8×); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
    );
    console.log(`  phases: ${phaseTimes.join(", ")}`);
    if (moves.length > 0) {
      const longest = moves.reduce((a, b) => (b.total > a.total ? b : a));
      const median = [...moves].sort((a, b) => a.total - b.total)[moves.length >> 1];
      console.log(
        `  ${moves.length} threshold moves during the run: longest ${longest.total.toFixed(0)} ms from input to shown ` +
          `(worker ${longest.workerMs.toFixed(0)} ms), median ${median.total.toFixed(0)} ms`,
      );
    }
    console.log(`  longest gap after "${texts[longest].replace(/\s+/g, " ").trim()}"`);
  } finally {
    await site.close();
  }
}
