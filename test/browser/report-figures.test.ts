/**
 * The report page's figures and provenance in Chromium at 1280 px: numbered figures with what to look for, slice rows
 * in VRS's order three to a row, two-colour mask legends, 0.e–0.g slices through the mask, 0.f's scale centred on
 * 0 Å², 0.d's corrected-map slices as the kernel computes them, three fixed isosurface views, the Context section, EMDB
 * facts from the header XML, and the report's date and mapval version in the page, the print view and the JSON.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { maxVarianceIndices } from "../../lib/report/figures.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import { bfactorCorrectedMap, bfactorSection } from "../../lib/level0/section-0d-bfactor.js";
import { MAPVAL_VERSION } from "../../lib/version.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = siteSession(projectRoot);
afterAll(() => site.close());

async function openEntry(id: string) {
  const { origin, browser } = await site.start();
  const opened = await openWatchedPage(browser, origin, `/entries/${id}`);
  await opened.page.setViewportSize({ width: 1280, height: 900 });
  await opened.page.getByTestId("section-0.h").waitFor();
  await expect.poll(() => opened.page.getByTestId("live-status").getAttribute("data-pending"), { timeout: 20_000 }).toBe("false");
  // The mask figures (raw, constructed, soft) come from the worker after the report.
  const maskRows = opened.page.locator('[data-figure="mask-slices"] [data-testid="slice-row"]');
  await expect.poll(() => maskRows.count(), { timeout: 20_000 }).toBe(3);
  return opened;
}

/** Pixels of a canvas that are drawn (not left transparent, as values outside a local map's mask are). */
const drawnPixels = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((canvases) =>
    canvases.map((c) => {
      const { data } = (c as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
      return drawn;
    }),
  );

test("EMD-1997: numbered figures, X-Y-Z rows three to a row, mask legends, 0.e–0.g through the mask, 0.d corrected slices", async () => {
  const { page, trouble } = await openEntry("emd-1997");

  // Figures are numbered 1, 2, … in page order, each with its caption and a "what to look for" text.
  const figures = page.getByTestId("report-figure");
  const numbers = await figures.evaluateAll((all) => all.map((f) => Number((f as HTMLElement).dataset.number)));
  expect(numbers.length).toBeGreaterThanOrEqual(15);
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  const captions = await page.getByTestId("figure-caption").allInnerTexts();
  captions.forEach((caption, i) => expect(caption).toMatch(new RegExp(`^Figure ${i + 1}: \\S`)));
  for (const text of await page.getByTestId("look-for").allInnerTexts()) expect(text.length).toBeGreaterThan(60);

  // Every row of slices is X, Y, Z, lettered (a)–(c), side by side at 1280 px.
  const rows = page.getByTestId("slice-row");
  expect(await rows.count()).toBeGreaterThanOrEqual(10);
  for (const row of await rows.all()) {
    const views = row.getByTestId("slice-view");
    expect(await views.evaluateAll((all) => all.map((v) => (v as HTMLElement).dataset.axis))).toEqual(["x", "y", "z"]);
    const tops = await views.evaluateAll((all) => all.map((v) => Math.round(v.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    const titles = await views.evaluateAll((all) => all.map((v) => v.firstElementChild!.textContent));
    expect(titles.map((t) => t!.slice(0, 4))).toEqual(["(a) ", "(b) ", "(c) "]);
  }

  // Binary masks: a two-colour legend (black outside, white inside), no 0–1 colour bar; the soft mask keeps its bar.
  const masks = page.getByTestId("mask-slices").getByTestId("slice-row");
  for (const i of [0, 1]) {
    const row = masks.nth(i);
    expect(await row.getByTestId("slice-colorbar").count()).toBe(0);
    const entries = row.getByTestId("slice-view").first().getByTestId("slice-legend-entry");
    expect(await entries.evaluateAll((all) => all.map((e) => [(e as HTMLElement).dataset.value, (e as HTMLElement).dataset.color, e.textContent]))).toEqual([
      ["0", "rgb(0, 0, 0)", "outside"],
      ["1", "rgb(255, 255, 255)", "inside"],
    ]);
  }
  expect(await masks.nth(2).getByTestId("slice-colorbar").count()).toBe(3);

  // 0.e–0.g: the slices go through the mask (the central ones drew 3 pixels of 0.e on this map).
  for (const figure of ["local-resolution-slices", "local-bfactor-slices", "local-occupancy-slices"]) {
    const drawn = await drawnPixels(page, `[data-figure="${figure}"] [data-testid="slice-canvas"]`);
    expect(drawn).toHaveLength(3);
    for (const count of drawn) expect(count, figure).toBeGreaterThan(100);
  }

  // 0.d: the slices of largest variance of the B-factor corrected map, as the kernel gives them.
  const { volume } = parseMap(new Uint8Array(readFileSync(join(projectRoot, "data/maps/emd_1997.map"))));
  const B = bfactorSection(volume, { voxelSize: 2.02, resolution: 7 }).results!.B!;
  const corrected = bfactorCorrectedMap(volume, { voxelSize: 2.02, resolution: 7, B });
  const at = maxVarianceIndices(corrected.data, corrected.nx, corrected.ny, corrected.nz);
  const titles = await page.locator('[data-figure="bfactor-corrected"] [data-testid="slice-view"] > div:first-child').allInnerTexts();
  expect(titles).toEqual([`(a) X slice ${at.x}`, `(b) Y slice ${at.y}`, `(c) Z slice ${at.z}`]);
  expect(await page.locator('[data-figure="bfactor-corrected"]').innerText()).toContain(`B = ${B.toFixed(2)}`); // lib/report/format.ts writes an ASCII minus

  await page.screenshot({ path: "/tmp/mapval-report-figures-1280.png", fullPage: true });

  // On a phone the rows wrap instead of running off the screen.
  await page.setViewportSize({ width: 390, height: 800 });
  const rights = await rows.evaluateAll((all) => all.map((row) => Math.max(...[...row.children].map((c) => c.getBoundingClientRect().right))));
  for (const right of rights) expect(right).toBeLessThanOrEqual(390);
  expect(trouble).toEqual(NO_TROUBLE);
  await page.close();
});

test("EMD-1997: three fixed isosurface views at VRS's angles, different from each other, kept in print", async () => {
  const { page, trouble } = await openEntry("emd-1997");
  const views = page.locator('[data-figure="isosurface"]').getByTestId("isosurface-fixed-view");
  expect(await views.evaluateAll((all) => all.map((v) => JSON.parse((v as HTMLElement).dataset.angles!)))).toEqual([
    [0, -90, -90],
    [-90, 0, -90],
    [0, 0, 0],
  ]);
  // Each picture shows the surface (pixels that are neither the white background nor the grey box outline).
  const surfacePixels = await pixelKinds(page, '[data-figure="isosurface"] [data-testid="isosurface-fixed-view"]');
  for (const { blue } of surfacePixels) expect(blue).toBeGreaterThan(2000);
  const sources = await views.evaluateAll((all) => all.map((v) => (v as HTMLImageElement).src));
  expect(new Set(sources).size).toBe(3);

  await page.emulateMedia({ media: "print" });
  for (const view of await views.all()) expect(await view.isVisible()).toBe(true);
  expect(await page.getByTestId("report-stamp").isVisible()).toBe(true);
  await page.screenshot({ path: "/tmp/mapval-report-figures-print.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
  await page.close();
}, 120_000); // close to the default 60 s when the machine is busy

/**
 * Per picture, how many pixels are yellow (viridis' high end), grey (no local value) and the plain surface's blue
 * (neither the white background nor the grey box outline).
 */
const pixelKinds = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll(async (all) =>
    Promise.all(all.map(async (img) => {
      const image = img as HTMLImageElement;
      await image.decode();
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [image.naturalWidth, image.naturalHeight];
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let yellow = 0, grey = 0, blue = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (b - r > 40) blue++;
        if (r > 150 && g > 150 && b < 110) yellow++;
        if (Math.abs(r - g) < 6 && Math.abs(g - b) < 6 && r > 60 && r < 200) grey++;
      }
      return { yellow, grey, blue };
    })),
  );

test("EMD-1997: 0.e–0.g surface views coloured by the local value; the ring outside the local mask stays grey", async () => {
  const { page, trouble } = await openEntry("emd-1997");
  for (const id of ["local-resolution-surface", "local-bfactor-surface", "local-occupancy-surface"]) {
    const stills = page.locator(`[data-figure="${id}"] [data-testid="isosurface-fixed-view"]`);
    await expect.poll(() => stills.count(), { timeout: 20_000 }).toBe(3);
  }
  // Occupancy is 1 (viridis yellow) over most of the mask: the stills show yellow, the plain isosurface none; both
  // rings are in view, one of them outside the mask the local maps are computed in (overlap 0.50), drawn grey.
  const occupancy = await pixelKinds(page, '[data-figure="local-occupancy-surface"] [data-testid="isosurface-fixed-view"]');
  for (const { yellow, grey } of occupancy) {
    expect(yellow).toBeGreaterThan(300);
    expect(grey).toBeGreaterThan(3000);
  }
  const plain = await pixelKinds(page, '[data-figure="isosurface"] [data-testid="isosurface-fixed-view"]');
  for (const { yellow } of plain) expect(yellow).toBe(0);
  expect(trouble).toEqual(NO_TROUBLE);
  await page.close();
});

test("EMD-1997: Context, EMDB authors, deposition date and link, the report's date and version in the page and the JSON", async () => {
  const { page, trouble } = await openEntry("emd-1997");
  const context = await page.getByTestId("context").innerText();
  for (const phrase of ["Level 0", "0 to 5", "half maps", "micrographs", "atomic model", "workflow", "other techniques"]) {
    expect(context).toContain(phrase);
  }
  // From data/maps/emd-1997.xml.
  expect(await page.getByTestId("emdb-authors").innerText()).toMatch(/^Clare DK, Vasishtan D, .*, Saibil HR$/);
  expect(await page.getByTestId("emdb-deposited").innerText()).toBe("2011-12-01");
  expect(await page.getByTestId("emdb-link").getAttribute("href")).toBe("https://www.ebi.ac.uk/emdb/EMD-1997");

  const stamp = page.getByTestId("report-stamp");
  expect(await stamp.getAttribute("data-version")).toBe(MAPVAL_VERSION);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-json").click()]);
  const json = JSON.parse(readFileSync((await download.path())!, "utf8"));
  expect(json.generator).toMatchObject({ name: "mapval", version: MAPVAL_VERSION });
  expect(await stamp.getAttribute("data-generated-at")).toBe(json.generator.generatedAt);
  const generated = json.generator.generatedAt as string;
  expect(await stamp.innerText()).toBe(`Report generated on ${generated.slice(0, 10)} ${generated.slice(11, 16)} UTC by mapval ${MAPVAL_VERSION}.`);
  expect(trouble).toEqual(NO_TROUBLE);
  await page.close();
});

test("EMD-3488: the local B-factor scale is centred on 0 Å² (white at 0), whatever the spread of the values", async () => {
  const { page, trouble } = await openEntry("emd-3488");
  const views = page.locator('[data-figure="local-bfactor-slices"] [data-testid="slice-view"]');
  expect(await views.count()).toBe(3);
  for (const view of await views.all()) {
    expect(await view.getAttribute("data-colormap")).toBe("rdbu");
    const [lo, hi] = JSON.parse((await view.getAttribute("data-domain"))!);
    expect(lo).toBeLessThan(0);
    expect(lo).toBe(-hi);
    // The colour bar's tick at 0 sits half-way up the bar.
    const bar = view.getByTestId("slice-colorbar");
    const middle = await bar.evaluate((svg) => {
      const zero = [...svg.querySelectorAll(".tick")].find((t) => t.textContent === "0")!;
      const y = Number(/translate\(0,([-\d.]+)\)/.exec(zero.getAttribute("transform")!)![1]);
      return y / Number(svg.querySelector("rect")!.getAttribute("height"));
    });
    expect(middle).toBeCloseTo(0.5, 2);
  }
  await page.screenshot({ path: "/tmp/mapval-report-figures-emd-3488.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
  await page.close();
});
