/**
 * The open-a-map page (/open) in Chromium: a bundled map opened through the file input is analysed in the page's
 * worker to the same JSON as `mapval report --json` on that file (the CLI's code run here), at the default threshold,
 * at a threshold typed in the input and at one given in the address; a bad file shows the reader's named error, the
 * one `mapval info` prints; no request leaves 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { runInfo } from "../../data-loaders/cli/cli-info.js";
import { runReport } from "../../data-loaders/cli/cli-report.js";
import { levelKeepingFraction } from "../../lib/entries.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";
import { expectJsonClose, withoutGenerationTime } from "../helpers/json-close.js";
import { cliReport, downloadedReport, ready } from "./report-helpers.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const mapPath = join(projectRoot, "data/maps/emd_1997.map");
const site = siteSession(projectRoot);
const scratch = mkdtempSync(join(tmpdir(), "mapval-open-map-"));
afterAll(async () => {
  await site.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The page's JSON against the CLI's: every key and string equal, numbers to the last bits (V8 builds differ there). */
async function expectCliJson(page: Page, file: string, threshold: number, resolution: number | null) {
  // `mapval report FILE --threshold T [--resolution R] --sections 0.a,0.b,0.c,0.d,0.h --json`, the page's equivalent.
  const flags = ["--sections", "0.a,0.b,0.c,0.d,0.h", ...(resolution === null ? [] : ["--resolution", String(resolution)])];
  expectJsonClose(withoutGenerationTime(await downloadedReport(page)), withoutGenerationTime(await cliReport(file, threshold, flags)));
}

test("a map opened through the file input: the report JSON is the CLI's at the default, a typed and the address's threshold", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open?resolution=7");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("open-map").setInputFiles(mapPath);

  // No threshold given: the level keeping 1 % of the voxels, flagged as not the author's.
  const { volume } = parseMap(new Uint8Array(readFileSync(mapPath)));
  const onePercent = levelKeepingFraction(volume.data, 0.01);
  await ready(page, onePercent);
  await page.getByTestId("threshold-not-authors").waitFor();
  expect(await page.getByTestId("file-name").innerText()).toBe("emd_1997.map");
  await expectCliJson(page, mapPath, onePercent, 7);
  for (const id of ["0.e", "0.f", "0.g"]) expect(await page.getByTestId(`status-${id}`).getAttribute("data-status")).toBe("not-requested");
  await expect.poll(() => page.getByTestId("mask-slices").locator("canvas").count(), { timeout: 20_000 }).toBe(9);
  expect(await page.locator('svg[aria-label="Guinier plot"]').count()).toBe(1);
  expect(new URL(page.url()).searchParams.get("threshold")).toBe(String(onePercent));

  // A threshold typed in the input: recomputed, and written to the address.
  await page.getByTestId("threshold").fill("1.2");
  await ready(page, 1.2);
  await expectCliJson(page, mapPath, 1.2, 7);
  expect(new URL(page.url()).searchParams.get("threshold")).toBe("1.2");
  expect(new URL(page.url()).searchParams.get("resolution")).toBe("7");
  await page.screenshot({ path: "/tmp/mapval-open-map-1280.png", fullPage: true });

  // The address's threshold, and no resolution, on a gzip copy of the map.
  const gz = join(scratch, "emd_1997.map.gz");
  writeFileSync(gz, gzipSync(readFileSync(mapPath)));
  await page.goto(`${origin}/open?threshold=0.8`);
  await page.getByTestId("open-map").setInputFiles(gz);
  await ready(page, 0.8);
  expect(await page.getByTestId("threshold").inputValue()).toBe("0.8");
  expect(await page.getByTestId("threshold-not-authors").count()).toBe(0);
  await expectCliJson(page, gz, 0.8, null);
  expect(await page.getByTestId("status-0.d").getAttribute("data-status")).toBe("does-not-apply");
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("a bad file shows the reader's named error, the message of mapval info, and no report", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open");
  const bad = join(projectRoot, "test/fixtures/mrc-corner-cases/sfftk-test_data_corrupt_header.map");
  await page.getByTestId("open-map").setInputFiles(bad);
  const shown = page.getByTestId("open-error");
  await shown.waitFor();
  let err = "";
  expect(await runInfo([bad], { out: () => undefined, err: (text) => (err += text) })).toBe(2);
  // mapval info names the path it was given; the page the file's name.
  expect(`mapval: ${join(dirname(bad), await shown.innerText())}\n`).toBe(err);
  expect(await shown.getAttribute("data-code")).toBe("data-truncated");
  expect(await page.getByTestId("report-view").count()).toBe(0);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("a dropped file; VRS-compatible mode; a threshold above the maximum; a bad file replaces the last file's report", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open?threshold=1e9");
  // Dropped as a browser drops a file: a drop event whose dataTransfer holds it.
  const bytes = readFileSync(mapPath).toString("base64");
  const dataTransfer = await page.evaluateHandle((base64) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], "emd_1997.map"));
    return transfer;
  }, bytes);
  await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer });

  // Above the map's maximum: no report, VRS's empty-mask message, and the container says so.
  await expect.poll(() => page.getByTestId("report-view").getAttribute("data-state"), { timeout: 30_000 }).toBe("error");
  expect(await page.getByTestId("live-error").innerText()).toMatch(/The mask obtained from the volume map is empty/);
  expect(await page.getByTestId("report-json").count()).toBe(0);

  await page.getByTestId("threshold").fill("1");
  await ready(page, 1);
  await page.getByTestId("vrs-compat").check();
  await expect.poll(() => page.getByTestId("live-status").getAttribute("data-mode"), { timeout: 30_000 }).toBe("vrs-compat");
  await ready(page, 1);
  const json = await downloadedReport(page);
  let out = "";
  const args = [mapPath, "--threshold", "1", "--vrs-compat", "--sections", "0.a,0.b,0.c,0.d,0.h", "--json"];
  expect(await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } })).toBe(0);
  expectJsonClose(withoutGenerationTime(json), withoutGenerationTime(JSON.parse(out)));

  // A bad file next: the last file's header and report are gone, the error is shown.
  await page.getByTestId("open-map").setInputFiles(join(projectRoot, "test/fixtures/mrc-corner-cases/sfftk-test_data_corrupt_header.map"));
  await page.getByTestId("open-error").waitFor();
  expect(await page.getByTestId("report-view").count()).toBe(0);
  expect(await page.getByTestId("file-header").count()).toBe(0);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("a file above the page's limit is refused by its size, before it is read", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open");
  await page.getByTestId("drop-zone").waitFor();
  // A 700 MiB file as the page sees it (its size, the only thing the page may look at before reading); reading it
  // would be refused by the reader anyway, but it must not be read at all.
  await page.evaluate(() => {
    Object.defineProperty(File.prototype, "size", { get: () => 700 * 2 ** 20 });
    File.prototype.arrayBuffer = () => { throw new Error("the file was read"); };
  });
  await page.getByTestId("open-map").setInputFiles(mapPath);
  const shown = page.getByTestId("open-error");
  await shown.waitFor();
  expect(await shown.innerText()).toBe("emd_1997.map: the file is 700.0 MiB; this page reads maps up to 600.0 MiB. Use mapval report for larger maps.");
  expect(await shown.getAttribute("data-code")).toBe("too-large");
  expect(await page.getByTestId("file-header").count()).toBe(0);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});
