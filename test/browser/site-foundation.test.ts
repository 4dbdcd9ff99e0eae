import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import { listEntries } from "../../data-loaders/emdb/resolve-entry.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const mapsDir = join(projectRoot, "data", "maps");

const site = siteSession(projectRoot);
afterAll(() => site.close());

test("index links a report page for every configured entry, offline and without errors", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/");
  const links = page.getByTestId("entry-link");
  await expect.poll(() => links.count()).toBe(listEntries().length);
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(hrefs.sort()).toEqual(listEntries().map((e) => `./entries/${e.id}`).sort());
  expect(trouble).toEqual(NO_TROUBLE);
});

test("kernel check page reads a bundled map in the browser exactly as the kernel does in Node", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/kernel-check");
  const expected = parseMap(new Uint8Array(readFileSync(join(mapsDir, "emd_3197.map"))));
  const { volume, stats } = expected;

  const summary = page.getByTestId("header-summary");
  await summary.waitFor();
  const cell = async (testId: string) => {
    const element = summary.getByTestId(testId);
    return { value: JSON.parse((await element.getAttribute("data-value")) ?? "null"), text: await element.innerText() };
  };
  // Same kernel, same IEEE arithmetic: the browser's numbers must equal Node's exactly.
  expect((await cell("shape")).value).toEqual([volume.nx, volume.ny, volume.nz]);
  expect((await cell("voxel-size")).value).toEqual(volume.voxelSize);
  expect((await cell("origin")).value).toEqual(volume.origin);
  expect((await cell("mode")).value).toBe(expected.header.mode);
  expect((await cell("axis-order")).value).toEqual(expected.axisOrder);
  for (const stat of ["min", "max", "mean", "std"] as const) {
    const { value, text } = await cell(stat);
    expect(value).toBe(stats[stat]);
    // d3-format writes negative numbers with a real minus sign (U+2212).
    expect(Number(text.replace("\u2212", "-"))).toBeCloseTo(stats[stat], 4);
  }
  expect((await cell("non-finite")).value).toEqual([stats.nanCount, stats.infCount]);
  expect((await cell("warnings")).value).toEqual(expected.warnings);

  // And what a reader sees: the header values of EMD-3197 as published (data/maps/SOURCES.md).
  expect((await cell("shape")).text).toBe("20 × 20 × 20 voxels");
  expect((await cell("voxel-size")).text).toBe("11.4 × 11.4 × 11.4 Å");
  expect((await cell("origin")).text).toBe("(\u221222.8, 0, 0) Å, from NSTART");
  expect((await cell("mode")).text).toBe("2 (float32)");
  expect((await cell("mean")).text).toBe("0.783612");

  // The histogram proves that Plot and d3 load as bundled node imports.
  const bars = page.locator('svg[aria-label="histogram of voxel values"] rect');
  await expect.poll(() => bars.count()).toBeGreaterThan(10);

  await page.screenshot({ path: "/tmp/mapval-kernel-check.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
});
