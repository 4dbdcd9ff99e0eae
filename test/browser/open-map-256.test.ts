/**
 * /open at a real map size (issue 14): EMD-1997 Fourier-upsampled to 256³ (bench/upsample.ts, 64 MiB, made here and
 * not committed), opened through the file input with the threshold and resolution in the address, then moved through
 * the threshold input. Each time the downloaded JSON is `mapval report FILE --json`'s on the same file: the page's
 * numbers are the full map's, not a coarse copy's.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import { benchMap, mrcBytes } from "../../bench/upsample.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";
import { expectJsonClose, withoutGenerationTime } from "../helpers/json-close.js";
import { cliReport, downloadedReport, ready } from "./report-helpers.js";

const EDGE = 256;
/** What /open computes without a request for 0.e–0.g (as test/browser/open-map.test.ts compares). */
const FLAGS = ["--sections", "0.a,0.b,0.c,0.d,0.h", "--resolution", "7"];
/** Reading 64 MiB, 0.d's FFTs and the CLI's own run, on a loaded 2-core machine. */
const STEP_TIMEOUT = 120_000;

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = siteSession(projectRoot);
const scratch = mkdtempSync(join(tmpdir(), "mapval-open-map-256-"));
afterAll(async () => {
  await site.close();
  rmSync(scratch, { recursive: true, force: true });
});

test(`a ${EDGE}³ map: the address's threshold, then a typed one, give mapval report's JSON`, async () => {
  const mapPath = join(scratch, `emd_1997-${EDGE}.map`);
  writeFileSync(mapPath, mrcBytes(benchMap(EDGE)));
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open?threshold=1&resolution=7");
  await page.getByTestId("open-map").setInputFiles(mapPath);
  await ready(page, 1, STEP_TIMEOUT);
  expect(await page.getByTestId("file-name").innerText()).toBe(`emd_1997-${EDGE}.map`);
  expectJsonClose(withoutGenerationTime(await downloadedReport(page)), withoutGenerationTime(await cliReport(mapPath, 1, FLAGS)));

  // A move redraws what depends on the threshold once, when its numbers arrive (not also while the worker computes
  // them, which at this size competed with it for the CPU), and leaves what does not (0.d's Guinier plot) as it was.
  await page.evaluate(() => {
    const w = window as unknown as { scoreLinesDrawn: number; guinierBefore: Element | null };
    w.scoreLinesDrawn = 0;
    w.guinierBefore = document.querySelector('svg[aria-label="Guinier plot"]');
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (node instanceof Element) w.scoreLinesDrawn += node.querySelectorAll('[data-testid="score-line"]').length + Number(node.matches('[data-testid="score-line"]'));
    }).observe(document.querySelector('[data-testid="report-view"]')!, { subtree: true, childList: true });
  });
  await page.getByTestId("threshold").fill("1.3");
  await ready(page, 1.3, STEP_TIMEOUT);
  const redraws = await page.evaluate(() => {
    const w = window as unknown as { scoreLinesDrawn: number; guinierBefore: Element | null };
    return { scoreLines: w.scoreLinesDrawn, sameGuinier: w.guinierBefore !== null && w.guinierBefore === document.querySelector('svg[aria-label="Guinier plot"]') };
  });
  expect(redraws).toEqual({ scoreLines: 1, sameGuinier: true });
  const moved = await downloadedReport(page);
  expect(moved.input.shape).toEqual([EDGE, EDGE, EDGE]);
  expectJsonClose(withoutGenerationTime(moved), withoutGenerationTime(await cliReport(mapPath, 1.3, FLAGS)));
  await page.screenshot({ path: `/tmp/mapval-open-map-${EDGE}.png` });
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, 600_000);
