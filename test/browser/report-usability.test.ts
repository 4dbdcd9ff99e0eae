/**
 * What a new user hit on the report site (issue 12): number boxes that went blank below the mean, impossible
 * thresholds analysed silently at the map maximum, the page and the CLI wording counts differently, unreadable chart
 * labels, developer pages in the sidebar, placeholder titles, and a phone layout that overflowed.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { runReport } from "../../data-loaders/cli/cli-report.js";
import { emptyMaskMessage } from "../../lib/level0/level0.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = siteSession(projectRoot);
afterAll(() => site.close());
const { stats } = parseMap(new Uint8Array(readFileSync(join(projectRoot, "data/maps/emd_1997.map"))));

async function settled(page: Page, threshold: number) {
  const status = page.getByTestId("live-status");
  await expect
    .poll(async () => [Number(await status.getAttribute("data-threshold")), await status.getAttribute("data-pending")], { timeout: 20_000 })
    .toEqual([threshold, "false"]);
}

test("below the map mean both number boxes keep an ASCII value: σ for 0.03, and -0.5 typed then Tab", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/entries/emd-1997");
  await settled(page, 1);
  const absolute = page.getByTestId("threshold"), sigma = page.getByTestId("threshold-sigma");

  await absolute.fill("0.03");
  await settled(page, 0.03);
  const expectedSigma = (0.03 - stats.mean) / stats.std;
  expect(expectedSigma).toBeLessThan(0);
  expect(Number(await sigma.inputValue())).toBeCloseTo(expectedSigma, 4);

  await absolute.fill("-0.5");
  await absolute.press("Tab");
  await settled(page, -0.5);
  expect(await absolute.inputValue()).toBe("-0.5");
  expect(Number(await sigma.inputValue())).toBeCloseTo((-0.5 - stats.mean) / stats.std, 4);
  expect(await page.getByTestId("live-threshold").innerText()).toBe("-0.5");
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("a threshold above the map maximum is analysed as typed and reads as VRS's empty-mask message, never a pass", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/entries/emd-1997");
  await settled(page, 1);
  await page.getByTestId("threshold").fill("1e9");
  await settled(page, 1e9);
  expect(await page.getByTestId("threshold").inputValue()).toBe("1e9");
  expect(await page.getByTestId("live-empty-mask").innerText()).toBe(emptyMaskMessage);
  for (const where of ["empty-mask"]) expect(await page.getByTestId(where).first().innerText()).toContain(emptyMaskMessage);
  // No score, no section verdicts, no report to download at this threshold.
  for (const hook of ["score-line", "section-table", "live-score", "section-0.a", "section-0.b", "section-0.c", "report-json"])
    expect(await page.getByTestId(hook).count(), hook).toBe(0);
  expect(await page.getByTestId("empty-mask").count()).toBe(5); // summary, 0.a, 0.b, 0.c, downloads

  // Back inside the map's range, the report returns.
  await page.getByTestId("threshold").fill("1");
  await settled(page, 1);
  expect(await page.getByTestId("empty-mask").count()).toBe(0);
  await page.getByTestId("score-line").waitFor();
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("the page's summary table and the CLI's use the same words; the mass plot's ticks and labels are readable", async () => {
  const { origin, browser } = await site.start();
  let text = "";
  const code = await runReport([join(projectRoot, "data/maps/emd_1997.map"), "--threshold", "1", "--voxel-size", "2.02",
    "--resolution", "7", "--sections", "0.a,0.b,0.c,0.d,0.h"], { out: (t) => (text += t), err: (t) => { throw new Error(t); } });
  expect(code).toBe(0);
  const { page, trouble } = await openWatchedPage(browser, origin, "/entries/emd-1997");
  await settled(page, 1);
  for (const id of ["0.a", "0.b", "0.c", "0.d"]) {
    const cliWords = text.match(new RegExp(`^== ${id.replace(".", "\\.")} [^:]+: (.+)$`, "m"))![1];
    expect(await page.getByTestId(`status-${id}`).innerText(), id).toBe(cliWords);
  }
  // 0.a warns twice at the author's contour (decentred in Z; the largest component holds half the raw mask's mass):
  // plural there, and nowhere "1 warnings".
  expect(await page.getByTestId("status-0.a").innerText()).toBe("2 warnings");
  expect(await page.locator("[data-testid^=status-]").allInnerTexts()).not.toContainEqual("1 warnings");

  const chart = page.locator('svg[aria-label="mass vs threshold"]');
  // Plot labels the decades of a log axis and leaves the minor ticks blank.
  const yTicks = (await chart.locator('g[aria-label="y-axis tick label"] text').evaluateAll((texts) => texts.map((t) => t.textContent ?? "")))
    .filter((t) => t !== "");
  expect(yTicks.length).toBeGreaterThanOrEqual(2);
  for (const tick of yTicks) expect(tick).toMatch(/^\d[\d.]*$/); // "0.1", "1000": no SI suffixes ("100m", "1k")
  // Each reference level's label sits clear of the others and of the current threshold's.
  const boxes = await chart.locator('g[aria-label="text"] text, text[data-testid="current-threshold-label"]').evaluateAll((texts) =>
    texts.map((t) => { const b = (t as SVGGraphicsElement).getBoundingClientRect(); return { text: t.textContent, x1: b.left, x2: b.right, y1: b.top, y2: b.bottom }; }));
  expect(boxes.map((b) => b.text)).toContain("current 1");
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1))
      expect(a.x2 <= b.x1 || b.x2 <= a.x1 || a.y2 <= b.y1 || b.y2 <= a.y1, `${a.text} / ${b.text}`).toBe(true);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("the sidebar lists only entries; an entry with no recorded title is titled by its accession alone", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/entries/emd-1832");
  const links = await page.locator("#observablehq-sidebar a").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  expect(links.some((href) => /kernel-check|components-check/.test(href ?? ""))).toBe(false);
  expect(links.some((href) => /entries\/emd-1997/.test(href ?? ""))).toBe(true);
  expect(await page.getByTestId("entry-title").innerText()).toBe("EMD-1832");
  expect(await page.getByTestId("entry-header").innerText()).not.toMatch(/not recorded/);
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});

test("phones (390 px): no sideways scroll, a compact threshold bar; lang=en; verdicts hatched; CSV named and clean", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/");
  expect(await page.locator("html").getAttribute("lang")).toBe("en");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("entries-table").waitFor();
  await page.screenshot({ path: "/tmp/mapval-index-1280.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "/tmp/mapval-index-390.png", fullPage: true });

  await page.goto(`${origin}/entries/emd-1997`);
  await settled(page, 1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const bar = await page.getByTestId("threshold-control").boundingBox();
  expect(bar!.height).toBeLessThanOrEqual(844 / 4);
  await page.screenshot({ path: "/tmp/mapval-report-390.png" });

  await page.setViewportSize({ width: 1280, height: 900 });
  // At the author's contour 0.b warns: its band is hatched as well as coloured, and the legend shows the hatching.
  const hatched = page.locator('svg[aria-label="verdict vs threshold"] [fill^="url(#verdict-hatch-"] rect');
  expect(await hatched.count()).toBeGreaterThan(0);
  expect(await page.getByTestId("verdict-legend").innerText()).toMatch(/OK[\s\S]*warnings/);
  const swatch = page.getByTestId("verdict-legend").locator("rect").first();
  expect(await swatch.evaluate((r) => [r.namespaceURI, r.getAttribute("fill")])).toEqual(["http://www.w3.org/2000/svg", "#2e7d32"]);

  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-components-csv").click()]);
  expect(file.suggestedFilename()).toBe("emd-1997-components-1.csv");
  const csv = readFileSync((await file.path())!, "utf8");
  // No value carries float noise: at most 12 significant digits (523005.51482400007 had 17).
  const digits = (cell: string) => cell.replace(/^-?0*\.?0*|[.]|e.*$/g, "").length;
  for (const cell of csv.trim().split(/[\n,]/).filter((c) => /^-?[\d.]+(e[-+]?\d+)?$/.test(c))) expect(digits(cell), cell).toBeLessThanOrEqual(12);
  expect(csv.split("\n")[1]).toMatch(/^1,16978,139939\.6\d*,/);
  const [mass] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-mass-table-csv").click()]);
  expect(mass.suggestedFilename()).toBe("emd-1997-mass-table.csv");
  await page.screenshot({ path: "/tmp/mapval-report-1280.png", fullPage: true });
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);
});
