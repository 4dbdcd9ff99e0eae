/**
 * Slider latency of the report page in real Chromium: from the input event on the threshold box to the page showing
 * the worker's new numbers (live status with the new threshold and nothing pending), on the built site (dist/, run
 * `npm run build` first).
 *
 * Two maps: EMD-1997 as published (100³), and the same page fed a 160³ map (EMD-1997 Fourier-upsampled,
 * bench/upsample.ts) through request interception, since no configured entry is that large. Each is timed for single
 * moves (median of 12) and for bursts of 10 inputs 16 ms apart (drags, median of 5), timed from the last input.
 * Target: ≤ 50 ms per move at 160³.
 */
import { cpus, loadavg } from "node:os";
import type { Page } from "playwright-core";
import { builtSite, moveThresholdAndWait } from "./site-browser.js";
import { benchMap } from "./upsample.js";

async function measure(page: Page, label: string, thresholds: number[]): Promise<void> {
  const once = async (values: number[]) => {
    const { total, workerMs } = await moveThresholdAndWait(page, values);
    return [total, workerMs];
  };
  await once([thresholds[0]]); // warm-up (the worker's code is compiled on its first reports)
  const singles: number[] = [], worker: number[] = [];
  for (let i = 1; i <= 12; i++) {
    const [total, compute] = await once([thresholds[i % thresholds.length]]);
    singles.push(total);
    worker.push(compute);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  // Drags back and forth, so that each ends on another threshold than the one shown.
  const drags: number[] = [];
  for (let i = 0; i < 5; i++) {
    const path = thresholds.slice(0, 10);
    drags.push((await once(i % 2 === 0 ? path.reverse() : path))[0]);
  }
  console.log(
    `${label}: single move, input → numbers shown: median ${median(singles).toFixed(0)} ms (min ${Math.min(...singles).toFixed(0)}, ` +
      `max ${Math.max(...singles).toFixed(0)}, n=12), of which runLevel0 in the worker ${median(worker).toFixed(0)} ms; ` +
      `drag of 10 inputs, last input → numbers: median ${median(drags).toFixed(0)} ms (max ${Math.max(...drags).toFixed(0)}, n=5) ` +
      `(target 50); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
  );
}

export async function run(): Promise<void> {
  const site = await builtSite("site-slider", "entries/emd-1997.html");
  if (!site) return;
  const thresholds = [0.9, 1.1, 0.8, 1.2, 0.95, 1.05, 0.7, 1.3, 0.85, 1.15];
  try {
    const settle = async (page: Page) =>
      page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute("data-pending") === "false" &&
        document.querySelectorAll('[data-testid="mask-slices"] canvas').length > 0, undefined, { timeout: 60_000 });

    const page = await site.browser.context.newPage();
    await page.goto(`${site.origin}/entries/emd-1997`);
    await settle(page);
    await measure(page, "report page, EMD-1997 100³", thresholds);
    await page.close();

    // The same page given a 160³ map: the volume and the page data are swapped as they are fetched.
    const big = benchMap(160);
    const bytes = Buffer.from(big.data.buffer, big.data.byteOffset, big.data.byteLength);
    const page160 = await site.browser.context.newPage();
    await page160.route("**/_file/data/entries/emd-1997/volume.*.f32", (route) => route.fulfill({ body: bytes }));
    await page160.route("**/_file/data/entries/emd-1997/report.*.json", async (route) => {
      const data = await (await route.fetch()).json();
      const voxelSize = big.voxelSize![0];
      data.live = { ...data.live, shape: [big.nx, big.ny, big.nz], voxelSize, origin: big.origin };
      data.map = { ...data.map, shape: [big.nx, big.ny, big.nz], voxelSize };
      await route.fulfill({ json: data });
    });
    await page160.goto(`${site.origin}/entries/emd-1997`);
    await settle(page160);
    await measure(page160, "report page, EMD-1997 upsampled to 160³", thresholds);
  } finally {
    await site.close();
  }
}
