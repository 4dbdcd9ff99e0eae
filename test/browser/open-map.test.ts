/**
 * The open-a-map page (/open) in Chromium: a bundled map opened through the file input is analysed in the page's
 * worker to the same JSON as `mapval report --json` on that file (the CLI's code run here), at the default threshold,
 * at a threshold typed in the input and at one given in the address; a bad file shows the reader's named error, the
 * one `mapval info` prints; no request leaves 127.0.0.1. With the bundled simulated half-map pair
 * (data/halfmaps/sim-emd-1997) through the half-map inputs, the JSON is `mapval report MAP --half1 --half2 --json`'s,
 * and a threshold move recomputes 1.a's masked and corrected FSC.
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
import { expectJsonClose, expectLevel1JsonClose, withoutGenerationTime } from "../helpers/json-close.js";
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

/**
 * A file the reader cannot read, given through the file input `testId`: the page shows its named error, the message
 * `mapval info` prints for it, and no report.
 */
async function expectReaderError(page: Page, testId: string) {
  const bad = join(projectRoot, "test/fixtures/mrc-corner-cases/sfftk-test_data_corrupt_header.map");
  await page.getByTestId(testId).setInputFiles(bad);
  const shown = page.getByTestId("open-error");
  await shown.waitFor();
  let err = "";
  expect(await runInfo([bad], { out: () => undefined, err: (text) => (err += text) })).toBe(2);
  // mapval info names the path it was given; the page the file's name.
  expect(`mapval: ${join(dirname(bad), await shown.innerText())}\n`).toBe(err);
  expect(await shown.getAttribute("data-code")).toBe("data-truncated");
  expect(await page.getByTestId("report-view").count()).toBe(0);
}

test("a bad file shows the reader's named error, the message of mapval info, and no report", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open");
  await expectReaderError(page, "open-map");
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

const pairDir = join(projectRoot, "data/halfmaps/sim-emd-1997");
const half1Path = join(pairDir, "half1.mrc.gz"), half2Path = join(pairDir, "half2.mrc.gz");
/** Level 1's part of the page: 1.a is in and belongs to the report at `threshold`. */
async function level1Ready(page: Page, threshold: number) {
  await ready(page, threshold);
  await expect.poll(async () => [await page.getByTestId("level1-state").getAttribute("data-state"),
    Number(await page.getByTestId("level1-state").getAttribute("data-threshold"))], { timeout: 60_000 }).toEqual(["current", threshold]);
}
/** `mapval report [MAP] --half1 … --half2 … --threshold T --resolution R --sections <what the page computes> --json`. */
async function cliLevel1Report(map: string | null, threshold: number, resolution: number) {
  let out = "";
  const args = [...(map ? [map] : []), "--half1", half1Path, "--half2", half2Path, "--threshold", String(threshold),
    "--resolution", String(resolution), "--sections", "0.a,0.b,0.c,0.d,0.h,1.a,1.d,1.f", "--json"];
  const code = await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } });
  expect(code).toBe(0);
  return JSON.parse(out);
}

test("a map and its two half maps: the JSON is the CLI's with Level 1, and a threshold move recomputes the masked FSC", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open?resolution=7&threshold=0.5");
  await page.getByTestId("open-map").setInputFiles(mapPath);
  await page.getByTestId("open-half1").setInputFiles(half1Path);
  await page.getByTestId("half-maps-incomplete").waitFor();
  await page.getByTestId("open-half2").setInputFiles(half2Path);
  await level1Ready(page, 0.5);
  expect(await page.getByTestId("half1-name").innerText()).toBe("half1.mrc.gz");
  expect(await page.getByTestId("half2-name").innerText()).toBe("half2.mrc.gz");
  expect(await page.getByTestId("cli-command").innerText()).toBe(
    "mapval report emd_1997.map --half1 half1.mrc.gz --half2 half2.mrc.gz --threshold 0.5 --resolution 7 --sections 0.a,0.b,0.c,0.d,0.h,1.a,1.d,1.f --json");
  const first = await downloadedReport(page);
  expectLevel1JsonClose(first, await cliLevel1Report(mapPath, 0.5, 7));
  const chart = page.getByTestId("fsc-chart");
  const maskedAt = async () => Number(await chart.getAttribute("data-fsc-masked-resolution"));
  expect(await maskedAt()).toBeCloseTo(first.sections["1.a"].results.fscMaskedResolution, 10);
  expect(await chart.locator("svg").count()).toBeGreaterThan(0);

  // A threshold typed in the input: 1.a's masked and corrected curves follow, the unmasked curve does not move.
  await page.getByTestId("threshold").fill("1.5");
  await level1Ready(page, 1.5);
  const moved = await downloadedReport(page);
  expectLevel1JsonClose(moved, await cliLevel1Report(mapPath, 1.5, 7));
  const curve = (json: typeof first, key: string) => json.sections["1.a"].results.shells.map((row: Record<string, number>) => row[key]);
  expect(curve(moved, "fsc")).toEqual(curve(first, "fsc"));
  expect(curve(moved, "fscMasked")).not.toEqual(curve(first, "fscMasked"));
  expect(await maskedAt()).toBeCloseTo(moved.sections["1.a"].results.fscMaskedResolution, 10);
  expect(moved.score.evaluable).toBeGreaterThan(0);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, 240_000);

test("half maps alone: the map is their average, as the CLI's without MAP; bad half files show the named errors", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/open?resolution=7&threshold=0.8");
  await page.getByTestId("open-half1").setInputFiles(half1Path);
  await page.getByTestId("open-half2").setInputFiles(half2Path);
  await level1Ready(page, 0.8);
  await page.getByTestId("map-is-average").waitFor();
  expect(await page.getByTestId("cli-command").innerText()).toMatch(/^mapval report --half1 half1\.mrc\.gz --half2 half2\.mrc\.gz --threshold 0\.8 /);
  expectLevel1JsonClose(await downloadedReport(page), await cliLevel1Report(null, 0.8, 7));

  // A half the reader cannot read: its named error with the file's name, the message `mapval info` prints.
  await expectReaderError(page, "open-half2");
  const shown = page.getByTestId("open-error");

  // Halves of two grids: checkHalfMaps's error.
  await page.getByTestId("open-half2").setInputFiles(join(projectRoot, "data/maps/emd_1832.map"));
  await expect.poll(() => shown.getAttribute("data-code"), { timeout: 30_000 }).toBe("half-map-shape-mismatch");
  expect(await shown.innerText()).toBe("half map 2 is 64×64×64 voxels, half map 1 is 100×100×100: they must share one grid");
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, 240_000);

test("an entry page with half maps (sim-emd-1997): a threshold move recomputes 1.a in the page's worker, to the CLI's JSON", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/entries/sim-emd-1997");
  const status = page.getByTestId("live-status");
  const settled = (threshold: number) => expect.poll(async () => [Number(await status.getAttribute("data-threshold")), await status.getAttribute("data-pending")],
    { timeout: 60_000 }).toEqual([threshold, "false"]);
  await settled(1);
  await page.getByTestId("threshold").fill("1.5");
  await settled(1.5);
  const json = await downloadedReport(page);
  let out = "";
  const args = [mapPath, "--half1", half1Path, "--half2", half2Path, "--threshold", "1.5", "--voxel-size", "2.02", "--resolution", "7",
    "--sections", "0.a,0.b,0.c,0.d,0.h,1.a,1.d,1.f", "--json"];
  expect(await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } })).toBe(0);
  expectLevel1JsonClose(json, JSON.parse(out));
  // The FSC chart follows: its masked crossing is the report's at 1.5.
  const chart = page.getByTestId("fsc-chart");
  expect(Number(await chart.getAttribute("data-fsc-masked-resolution"))).toBeCloseTo(json.sections["1.a"].results.fscMaskedResolution, 10);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
}, 240_000);
