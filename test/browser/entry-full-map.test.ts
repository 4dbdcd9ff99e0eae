/**
 * An entry above 160³ voxels on its published page, in Chromium. emd_1997 Fourier-upsampled to 176³ (bench/upsample.ts)
 * is written at test time beside a temporary entries configuration (MAPVAL_SITE_ENTRIES, docs/entries.md) and built into
 * its own site, beside the default dist/ the other browser tests use. Its figures come from a copy downsampled 2×; its
 * numbers only ever from the full map: the page opens on the loader's report at the entry's threshold without fetching
 * the full map, fetches it (its size shown before, a progress bar while it comes) on the first threshold move or at once
 * for a threshold in the address, and its JSON is then `mapval report`'s on the file at that threshold.
 *
 * No resolution is recorded, so that the loader skips 0.e–0.g at 176³ (minutes on a loaded 2-core machine): the numbers
 * at stake here are 0.a–0.c's, which the page recomputes at each threshold.
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
import { expectJsonClose, withoutGenerationTime } from "../helpers/json-close.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const ID = "emd-1997-up176";
const SIDE = 176;
/** The build (one 176³ entry, then every page) takes minutes on a loaded machine; it runs once, in the first test. */
const BUILD_TIMEOUT = 600_000;

const scratch = mkdtempSync(join(tmpdir(), "mapval-entry-full-map-"));
const mapPath = join(scratch, "emd_1997_up176.map");
const output = join(scratch, "site");
let started: Promise<{ server: StaticServer; browser: Browser; ts: number }> | undefined;

function start() {
  started ??= (async () => {
    writeFileSync(mapPath, mrcBytes(benchMap(SIDE)));
    const entry = {
      id: ID, emdb: null, title: "EMD-1997 Fourier-upsampled to 176³ (test)", file: "emd_1997_up176.map", sha256: null,
      resolution: null, contour: { level: 1, source: "EMD-1997's author contour" }, attribution: "test", notes: null,
    };
    const entries = join(scratch, "entries.json");
    writeFileSync(entries, JSON.stringify({ version: 1, entries: [entry] }));
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

/** `mapval report FILE --threshold T --voxel-size Ts --json` (0.e–0.g left out unless `all`), the CLI's code run here. */
async function cliReport(threshold: number, ts: number, all = false) {
  let out = "";
  const args = [mapPath, "--threshold", String(threshold), "--voxel-size", String(ts), "--json"];
  if (!all) args.push("--sections", "0.a,0.b,0.c,0.d,0.h");
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

/** The full map's requests, counted from before the page's first request. */
function fullMapRequests(browser: Browser) {
  const urls: string[] = [];
  browser.context.on("request", (request) => { if (request.url().includes("volume-full")) urls.push(request.url()); });
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
