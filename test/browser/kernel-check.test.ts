import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium, type Browser } from "../helpers/chromium.js";
import { serveDirectory, type StaticServer } from "../helpers/static-server.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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

/** Everything that would mean the page is broken or not self-contained, collected while it loads. */
interface PageTrouble {
  consoleErrors: string[];
  pageErrors: string[];
  foreignRequests: string[];
  failedResponses: string[];
}

function watch(page: Page, origin: string): PageTrouble {
  const trouble: PageTrouble = { consoleErrors: [], pageErrors: [], foreignRequests: [], failedResponses: [] };
  page.on("console", (message) => {
    if (message.type() === "error") trouble.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => trouble.pageErrors.push(error.message));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) trouble.foreignRequests.push(url);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) trouble.failedResponses.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => trouble.failedResponses.push(`failed ${request.url()}`));
  return trouble;
}

test("kernel check page runs the kernel on a bundled map, offline and without errors", async () => {
  const page = await browser.context.newPage();
  const trouble = watch(page, server.origin);
  await page.goto(`${server.origin}/kernel-check`);

  const mapBytes = readFileSync(join(projectRoot, "data", "maps", "emd_3197.map")).length;
  await expect.poll(() => page.getByTestId("map-bytes").textContent()).toBe(String(mapBytes));
  expect(await page.getByTestId("voxel-count").textContent()).toBe(String(16 ** 3));
  await page.locator("svg rect").first().waitFor();

  await page.screenshot({ path: "/tmp/mapval-kernel-check.png", fullPage: true });
  expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [], failedResponses: [] });
});
