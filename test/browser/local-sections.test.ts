/**
 * 0.e–0.g computed in the browser on request (src/workers/web-band-executor.ts) on a generated map opened through
 * the file input: progress is shown, the report JSON then equals `mapval report --json` on the same file at that
 * threshold (every section), a threshold move marks them as computed at another threshold in the section table, the
 * score line and the summary (and the JSON has them not requested, as the CLI with --sections 0.a,0.b,0.c,0.d,0.h),
 * and Cancel ends a run, its workers with it, leaving the earlier sections marked with their threshold.
 *
 * The map is emd_1997 Fourier-upsampled to 128³ (bench/upsample.ts); the 256³ timing and memory are in
 * bench/local-browser.bench.ts (256³ takes a minute in the page and another in the CLI: too slow for a test).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { benchMap, mrcBytes } from "../../bench/upsample.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";
import { expectJsonClose, withoutGenerationTime } from "../helpers/json-close.js";
import { cliReport, downloadedReport, ready } from "./report-helpers.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = siteSession(projectRoot);
const scratch = mkdtempSync(join(tmpdir(), "mapval-local-sections-"));
const mapPath = join(scratch, "emd_1997-128.map");
writeFileSync(mapPath, mrcBytes(benchMap(128)));
afterAll(async () => {
  await site.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** `mapval report` on the generated map at 7 Å. */
const cliAt = (threshold: number, ...flags: string[]) => cliReport(mapPath, threshold, ["--resolution", "7", ...flags]);
/** 0.e–0.g make a report slower than the open page's tests allow for. */
const readyAt = (page: Page, threshold: number) => ready(page, threshold, 60_000);

const panelState = (page: Page) => page.getByTestId("local-panel").getAttribute("data-state");

test("0.e–0.g on request: progress, the CLI's numbers, marked at another threshold, and Cancel", { timeout: 600_000 }, async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open?threshold=1&resolution=7");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("open-map").setInputFiles(mapPath);
  await readyAt(page, 1);
  // Before any run: not requested, and the score line says they are not counted.
  expect(await page.getByTestId("status-0.e").getAttribute("data-status")).toBe("not-requested");
  await page.getByTestId("local-note-score").waitFor();
  const workersBefore = page.workers().length;

  // A run: the progress bar moves, with the band in hand and the time left; then the report includes 0.e–0.g.
  await page.getByTestId("compute-local").click();
  await expect.poll(() => panelState(page)).toBe("running");
  const seen = new Set<string>();
  await expect.poll(async () => {
    const progress = page.getByTestId("local-progress");
    if (await progress.count()) seen.add((await progress.getAttribute("value")) ?? "");
    return panelState(page);
  }, { timeout: 300_000, interval: 250 }).toBe("done");
  const fractions = [...seen].map(Number).filter((x) => x > 0 && x < 1);
  expect(fractions.length).toBeGreaterThan(1);
  await readyAt(page, 1);
  expect(await page.getByTestId("local-note-score").count()).toBe(0);
  const expected = await cliAt(1);
  const json = await downloadedReport(page);
  for (const id of ["0.e", "0.f", "0.g"]) expect(json.sections[id].status).not.toBe("not-requested");
  expectJsonClose(withoutGenerationTime(json), withoutGenerationTime(expected));
  expect(await page.getByTestId("cli-command").innerText()).not.toContain("--sections");
  // The run's workers are ended once it is done.
  // Chromium ends a terminated worker asynchronously (a worker busy in a band is stopped from outside, which takes
  // longer on a loaded machine than expect.poll's default second).
  await expect.poll(() => page.workers().length, { timeout: 30_000 }).toBe(workersBefore);

  // Another threshold: 0.e–0.g stay, marked as at 1 and not counted; the JSON is the CLI's without them.
  await page.getByTestId("threshold").fill("1.1");
  await readyAt(page, 1.1);
  for (const id of ["0.e", "0.f", "0.g"]) {
    expect(await page.getByTestId(`other-threshold-${id}`).innerText()).toBe("at threshold 1, not counted");
    expect(await page.getByTestId(`status-${id}`).getAttribute("data-status")).toBe(json.sections[id].status);
  }
  expect(await page.getByTestId("local-note-score").innerText()).toContain("0.e–0.g at 1; not counted in the score.");
  expect(await page.getByTestId("local-note-summary").getAttribute("data-threshold")).toBe("1");
  const moved = await downloadedReport(page);
  expectJsonClose(withoutGenerationTime(moved), withoutGenerationTime(await cliAt(1.1, "--sections", "0.a,0.b,0.c,0.d,0.h")));
  await page.screenshot({ path: "/tmp/mapval-local-other-threshold.png", fullPage: true });

  // Cancel: the run and its workers end; the sections at 1 stay, marked as such.
  await page.getByTestId("recompute-local").click();
  await expect.poll(() => panelState(page)).toBe("running");
  await expect.poll(() => page.workers().length, { timeout: 60_000 }).toBeGreaterThan(workersBefore);
  await page.getByTestId("local-cancel").click();
  await expect.poll(() => panelState(page), { timeout: 60_000 }).toBe("cancelled");
  // Chromium ends a terminated worker asynchronously (a worker busy in a band is stopped from outside, which takes
  // longer on a loaded machine than expect.poll's default second).
  await expect.poll(() => page.workers().length, { timeout: 30_000 }).toBe(workersBefore);
  expect(await page.getByTestId("local-panel").innerText()).toContain("those computed before, at threshold 1");
  expect(await page.getByTestId("other-threshold-0.e").innerText()).toBe("at threshold 1, not counted");
  await page.screenshot({ path: "/tmp/mapval-local-cancelled.png", fullPage: true });
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});
