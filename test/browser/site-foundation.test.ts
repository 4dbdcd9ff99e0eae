import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium, NO_TROUBLE, openWatchedPage, type Browser } from "../helpers/chromium.js";
import { serveDirectory, type StaticServer } from "../helpers/static-server.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const mapsDir = join(projectRoot, "data", "maps");

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  server = await serveDirectory(join(projectRoot, "dist"));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("index lists every bundled map, offline and without errors", async () => {
  const { page, trouble } = await openWatchedPage(browser, server.origin, "/");
  const expected = readdirSync(mapsDir).filter((file) => /\.(map|mrc)$/.test(file)).sort();

  const rows = page.getByTestId("bundled-maps").locator("tbody tr");
  await expect.poll(() => rows.count()).toBe(expected.length);
  expect(await rows.locator("td:first-child").allTextContents()).toEqual(expected);

  await page.screenshot({ path: "/tmp/mapval-index.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
});

test("kernel check page runs the kernel on a bundled map, offline and without errors", async () => {
  const { page, trouble } = await openWatchedPage(browser, server.origin, "/kernel-check");

  const mapBytes = readFileSync(join(mapsDir, "emd_3197.map")).length;
  await expect.poll(() => page.getByTestId("map-bytes").textContent()).toBe(String(mapBytes));
  expect(await page.getByTestId("voxel-count").textContent()).toBe(String(16 ** 3));
  await page.locator("svg rect").first().waitFor();

  await page.screenshot({ path: "/tmp/mapval-kernel-check.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
});
