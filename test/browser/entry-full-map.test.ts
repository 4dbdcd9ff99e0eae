/**
 * An entry above 160³ voxels on its published page, in Chromium. emd_1997 Fourier-upsampled to 176³ (bench/upsample.ts)
 * is written at test time beside a temporary entries configuration (MAPVAL_SITE_ENTRIES, docs/entries.md) and built into
 * its own site, beside the default dist/ the other browser tests use. Its figures come from a copy downsampled 2×; its
 * numbers only ever from the full map: the page opens on the loader's report at the entry's threshold without fetching
 * the full map, fetches it (its size shown before, a progress bar while it comes) on the first threshold move or at once
 * for a threshold in the address, and its JSON is then `mapval report`'s on the file at that threshold.
 *
 * A second entry of the same map has two half maps (the map plus seeded noise): they are fetched with the full map
 * (one progress bar, their size counted in), not before; until then 1.a is marked as the build's; then 1.a follows
 * the threshold and the JSON is `mapval report --half1 --half2`'s.
 *
 * No resolution is recorded, so that the loader skips 0.e–0.g at 176³ (minutes on a loaded 2-core machine): the numbers
 * at stake here are 0.a–0.c's and 1.a's, which the page recomputes at each threshold.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { benchMap, mrcBytes } from "../../bench/upsample.js";
import { runReport } from "../../data-loaders/cli/cli-report.js";
import { serveDirectory, type StaticServer } from "../../data-loaders/site/static-server.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import { launchChromium, NO_TROUBLE, openWatchedPage, type Browser } from "../helpers/chromium.js";
import { expectJsonClose, expectLevel1JsonClose, withoutGenerationTime } from "../helpers/json-close.js";
import { seededNormal } from "../helpers/random.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const ID = "emd-1997-up176";
const HALVES_ID = "emd-1997-up176-halves";
const SIDE = 176;
/**
 * The build (two 176³ entries, one with Level 1 in both modes, then every page) takes minutes on a loaded machine
 * (measured: 15 min at load average 20); it runs once, in the first test.
 */
const BUILD_TIMEOUT = 1_800_000;

const scratch = mkdtempSync(join(tmpdir(), "mapval-entry-full-map-"));
const mapPath = join(scratch, "emd_1997_up176.map");
const halfPaths = [join(scratch, "half1.map"), join(scratch, "half2.map")];
const output = join(scratch, "site");
let started: Promise<{ server: StaticServer; browser: Browser; ts: number }> | undefined;

function start() {
  started ??= (async () => {
    const map = benchMap(SIDE);
    writeFileSync(mapPath, mrcBytes(map));
    // Each half: the map plus its own seeded Gaussian noise of σ 0.5 (the map's σ is about 0.6).
    halfPaths.forEach((path, i) => {
      const normal = seededNormal(i + 1);
      writeFileSync(path, mrcBytes({ ...map, data: map.data.map((v) => v + 0.5 * normal()) }));
    });
    const entry = {
      id: ID, emdb: null, title: "EMD-1997 Fourier-upsampled to 176³ (test)", file: "emd_1997_up176.map", sha256: null,
      resolution: null, contour: { level: 1, source: "EMD-1997's author contour" }, attribution: "test", notes: null,
    };
    const withHalves = {
      ...entry, id: HALVES_ID, title: "EMD-1997 Fourier-upsampled to 176³, with half maps (test)",
      half1: { file: "half1.map" }, half2: { file: "half2.map" },
    };
    const entries = join(scratch, "entries.json");
    writeFileSync(entries, JSON.stringify({ version: 1, entries: [entry, withHalves] }));
    const build = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-site.mjs")], {
      cwd: projectRoot, encoding: "utf8", maxBuffer: 256 << 20,
      env: { ...process.env, MAPVAL_SITE_ENTRIES: entries, MAPVAL_SITE_OUTPUT: output },
    });
    if (build.status !== 0) throw new Error(`site build failed (exit ${build.status}):\n${build.stderr}\n${build.stdout.slice(-4000)}`);
    const { volume } = parseMap(new Uint8Array(readFileSync(mapPath)));
    return { server: await serveDirectory(output), browser: await launchChromium(), ts: volume.voxelSize![0] };
  })();
  return started;
}

afterAll(async () => {
  const running = await started?.catch(() => undefined);
  await running?.browser.close();
  await running?.server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * `mapval report FILE --threshold T --voxel-size Ts --json` (0.e–0.g left out unless `all`), with `--half1 --half2` and
 * 1.a (1.b–1.h left out) when `halves`: the CLI's code run here.
 */
async function cliReport(threshold: number, ts: number, all = false, halves = false) {
  let out = "";
  const args = [mapPath, "--threshold", String(threshold), "--voxel-size", String(ts), "--json"];
  if (halves) args.push("--half1", halfPaths[0], "--half2", halfPaths[1]);
  if (!all) args.push("--sections", halves ? "0.a,0.b,0.c,0.d,0.h,1.a,1.d,1.f" : "0.a,0.b,0.c,0.d,0.h");
  const code = await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } });
  expect(code).toBe(0);
  return JSON.parse(out);
}

/** Waits until the report container holds the numbers of `threshold`, nothing pending. */
async function ready(page: Page, threshold: number) {
  const view = page.getByTestId("report-view");
  await expect
    .poll(async () => [await view.getAttribute("data-state"), Number(await page.getByTestId("live-status").getAttribute("data-threshold"))], { timeout: 60_000 })
    .toEqual(["ready", threshold]);
}

async function downloadedReport(page: Page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-json").click()]);
  return JSON.parse(readFileSync((await download.path())!, "utf8"));
}

/** The full map's requests (with `halves`, the half maps' too), counted from before the page's first request. */
function fullMapRequests(browser: Browser, halves = false) {
  const urls: string[] = [];
  const wanted = halves ? /volume-full|half[12]\./ : /volume-full/;
  browser.context.on("request", (request) => { if (wanted.test(request.url())) urls.push(request.url()); });
  return urls;
}

test("the entry's threshold without the full map; the first move fetches it with its progress; the JSON is mapval report's", async () => {
  const { server, browser, ts } = await start();
  const requests = fullMapRequests(browser);
  const { page, trouble } = await openWatchedPage(browser, server.origin, `/entries/${ID}`);
  await ready(page, 1);

  // The header and the figures say where the figures come from; the status under the slider gives the full map's size.
  expect(await page.getByTestId("entry-header").innerText()).toContain("a copy downsampled 2× per axis (88 × 88 × 88 voxels");
  expect(await page.getByTestId("figures-downsampled").innerText()).toBe("a copy downsampled 2× per axis");
  const status = page.getByTestId("full-map");
  expect(await status.getAttribute("data-state")).toBe("idle");
  expect(await status.innerText()).toContain(`(${(SIDE ** 3 * 4 / 2 ** 20).toFixed(1)} MiB)`);
  // At the entry's threshold the numbers are the loader's, of the full map: the CLI's, 0.e–0.g included.
  expectJsonClose(withoutGenerationTime(await downloadedReport(page)), withoutGenerationTime(await cliReport(1, ts, true)));
  expect(requests).toEqual([]);
  await page.getByTestId("threshold-control").screenshot({ path: "/tmp/mapval-entry-full-map-before.png" });

  // The states the status line goes through from here.
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { fullMapStates: string[] }).fullMapStates = []);
    const record = () => {
      const state = document.querySelector('[data-testid="full-map"]')?.getAttribute("data-state");
      const progress = document.querySelector('[data-testid="full-map-progress"]');
      const entry = `${state}${progress ? ` ${progress.getAttribute("value")}/${progress.getAttribute("max")}` : ""}`;
      if (state && seen.at(-1) !== entry) seen.push(entry);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const target = 0.5;
  await page.getByTestId("threshold").fill(String(target));
  await ready(page, target);
  expect(await status.getAttribute("data-state")).toBe("loaded");
  expect(requests).toHaveLength(1);
  const states = await page.evaluate(() => (window as unknown as { fullMapStates: string[] }).fullMapStates);
  expect(states.some((s) => s.startsWith("loading "))).toBe(true);
  expect(states.at(-1)).toBe("loaded");
  // The progress bar counts bytes up to the full map's.
  const counts = states.filter((s) => s.startsWith("loading ")).map((s) => s.split(" ")[1].split("/").map(Number));
  expect(counts.every(([, max]) => max === SIDE ** 3 * 4)).toBe(true);
  expectJsonClose(withoutGenerationTime(await downloadedReport(page)), withoutGenerationTime(await cliReport(target, ts)));

  // Moves after that need no other fetch.
  await page.getByTestId("threshold").fill("0.8");
  await ready(page, 0.8);
  expectJsonClose(withoutGenerationTime(await downloadedReport(page)), withoutGenerationTime(await cliReport(0.8, ts)));
  expect(requests).toHaveLength(1);
  await page.getByTestId("threshold-control").screenshot({ path: "/tmp/mapval-entry-full-map-after.png" });
  await page.screenshot({ path: "/tmp/mapval-entry-full-map.png", fullPage: true });
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, BUILD_TIMEOUT);

test("a threshold in the address fetches the full map at once, and its JSON is mapval report's", async () => {
  const { server, browser, ts } = await start();
  const requests = fullMapRequests(browser);
  const { page, trouble } = await openWatchedPage(browser, server.origin, `/entries/${ID}?threshold=0.7`);
  await ready(page, 0.7);
  expect(requests).toHaveLength(1);
  expectJsonClose(withoutGenerationTime(await downloadedReport(page)), withoutGenerationTime(await cliReport(0.7, ts)));
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, BUILD_TIMEOUT);

test("half maps above 160³: fetched with the full map, not before; 1.a is the build's until then, then live and mapval report's", async () => {
  const { server, browser, ts } = await start();
  const requests = fullMapRequests(browser, true);
  const { page, trouble } = await openWatchedPage(browser, server.origin, `/entries/${HALVES_ID}`);
  await ready(page, 1);
  expect(requests).toEqual([]);
  const status = page.getByTestId("full-map");
  expect(await status.getAttribute("data-state")).toBe("idle");
  // The size shown is the map's and the two halves' together.
  expect(await status.innerText()).toContain(`the full map and its two half maps (${(3 * SIDE ** 3 * 4 / 2 ** 20).toFixed(1)} MiB)`);
  const fsc = page.getByTestId("section-1.a");
  expect(await fsc.innerText()).toContain("Computed when the site was built, at the entry's threshold");
  expect(await fsc.locator(".live-badge").count()).toBe(0);

  const target = 0.8;
  await page.getByTestId("threshold").fill(String(target));
  await ready(page, target);
  expect(await status.getAttribute("data-state")).toBe("loaded");
  // One request per file, the map first; the progress bar counted all three files' bytes.
  expect(requests.map((url) => url.match(/(volume-full|half[12])\./)![1])).toEqual(["volume-full", "half1", "half2"]);
  expect(await status.innerText()).toContain("Live numbers from the full map and its two half maps");
  await expect.poll(() => fsc.locator(".live-badge").count(), { timeout: 60_000 }).toBe(1);
  expect(await fsc.innerText()).not.toContain("Computed when the site was built");
  const json = await downloadedReport(page);
  expect(json.input.threshold).toBe(target);
  // 1.a's curves as the open page's Level 1 is compared (Chromium and Node round Math.cos/sin/exp differently).
  expectLevel1JsonClose(json, await cliReport(target, ts, false, true));
  await page.screenshot({ path: "/tmp/mapval-entry-full-map-halves.png", fullPage: true });
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, BUILD_TIMEOUT);
