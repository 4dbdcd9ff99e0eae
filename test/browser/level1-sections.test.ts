/**
 * The Level 1 report components (src/components/level1-sections.js, level1-plots.js, and the section table and
 * warnings summary of report-view.js) in Chromium, drawn from a real report of the bundled simulated half-map pair
 * (data/halfmaps/sim-emd-1997) that the kernel computes here in Node: every section's numbers as the page writes them,
 * the FSC chart's curves and crossings at their frequencies, its redraw from the 1.a of another threshold, 1.d and 1.f
 * as not computed, and the half maps' figures. 1.c and 1.e come from the central 60³ voxels of the pair (on the full
 * pair 1.e takes minutes on a loaded machine); the page draws whatever section it is given. Then the simulated pair's
 * entry page, against `mapval report` with the same halves.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { readMap } from "../../lib/io/mrc-reader.js";
import type { Volume } from "../../lib/io/volume.js";
import type { AxisImages } from "../../lib/report/figures.js";
import { windowCentered } from "../../lib/fourier/resample.js";
import { runLevel0 } from "../../lib/level0/level0.js";
import { directionalFsc, fsc3dSection, fsoSection } from "../../lib/level1/directional-fsc.js";
import { fdrFsc, fdrFscSection, type FdrFscSectionResults } from "../../lib/level1/fdr-fsc.js";
import { combineReports, maskedFscAtThreshold, runLevel1WithWorkings } from "../../lib/level1/level1.js";
import type { FscSectionResults } from "../../lib/level1/fsc.js";
import { hardMask, softMask } from "../../lib/masks/masks.js";
import { fixed, significant, statusText } from "../../lib/report/format.js";
import type { SectionResult } from "../../lib/report/report-types.js";
import { level1SectionIds, sectionIdsIn } from "../../lib/section-registry.js";
import { runReport } from "../../data-loaders/cli/cli-report.js";
import { localSlices } from "../../data-loaders/site/site-entry.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = siteSession(projectRoot);
afterAll(() => site.close());

const pairDir = join(projectRoot, "data", "halfmaps", "sim-emd-1997");
const load = async (name: string) => (await readMap(new Uint8Array(readFileSync(join(pairDir, name))))).volume;
const THRESHOLD = 1;
/** Finer than 0.8 × the FSC estimate (5.6 Å), so 1.a warns; Nyquist is 4.04 Å. */
const RESOLUTION = 4.1;

const CENTRE = { nx: 60, ny: 60, nz: 60 };
const centre = (v: Volume): Volume => ({ ...v, ...CENTRE, data: windowCentered(v.data, v, CENTRE) });
const averageOf = (a: Volume, b: Volume): Volume => ({ ...a, data: a.data.map((v, i) => (v + b.data[i]) / 2) });
/** A float32 array as JSON writes a page's data: a plain array. */
const plain = <T extends { data: ArrayLike<number> }>(image: T) => ({ ...image, data: Array.from(image.data) });
const plainImages = (images: AxisImages) => ({ x: plain(images.x), y: plain(images.y), z: plain(images.z) });

async function level1Report() {
  const [half1, half2] = [await load("half1.mrc.gz"), await load("half2.mrc.gz")];
  const average = averageOf(half1, half2);
  const level0 = runLevel0(average, { threshold: THRESHOLD, resolution: RESOLUTION, sections: [] });
  // Level 0's masks at the threshold, as runLevel1 makes them; 1.b, 1.g and 1.h from their analyses on the full pair,
  // their section results carrying the curves the page draws.
  const hard = hardMask(average, THRESHOLD, { voxelSize: half1.voxelSize![0] }).mask;
  const soft: Volume = { ...half1, data: softMask(hard, half1.nx, half1.ny, half1.nz) };
  const full = runLevel1WithWorkings(half1, half2, {
    threshold: THRESHOLD, resolution: RESOLUTION, sections: ["1.a", "1.d", "1.f"], figures: true, hardMask: hard, softMask: soft.data,
  });
  const fdr = fdrFsc(half1, half2, { mask: soft });
  const directional = directionalFsc(half1, half2, { mask: soft });
  const local = runLevel1WithWorkings(centre(half1), centre(half2), { threshold: THRESHOLD, resolution: RESOLUTION, sections: ["1.c", "1.e"] });
  const sections = {
    ...full.report.sections,
    "1.b": fdrFscSection(fdr, RESOLUTION),
    "1.c": local.report.sections["1.c"],
    "1.e": local.report.sections["1.e"],
    "1.g": fsoSection(directional, RESOLUTION),
    "1.h": fsc3dSection(directional, RESOLUTION),
  };
  const report = combineReports(level0, { ...full.report, sections });
  const localMaps = Object.fromEntries((["1.c", "1.e"] as const).map((id) => [id, localSlices(local.workings.localMaps[id]!)]));
  const figures = full.report.figures!;
  // 1.a at another threshold: what the page's worker sends on a threshold move.
  const movedHard = hardMask(average, 1.5, { voxelSize: half1.voxelSize![0] }).mask;
  const moved = maskedFscAtThreshold(half1, half2, softMask(movedHard, half1.nx, half1.ny, half1.nz), { resolution: RESOLUTION });
  const page = {
    report,
    localMaps,
    figures: { half1: plainImages(figures.half1), half2: plainImages(figures.half2), difference: plainImages(figures.difference) },
  };
  // Through JSON, as the site's loader hands a report to the page (NaN becomes null).
  return { page: JSON.parse(JSON.stringify(page)), report, moved: JSON.parse(JSON.stringify(moved)) as SectionResult<FscSectionResults> };
}

const componentUrl = (name: string) => {
  const file = readdirSync(join(projectRoot, "dist", "_import", "components")).find((f) => new RegExp(`^${name}\\.[0-9a-f]+\\.js$`).test(f));
  if (!file) throw new Error(`no built module for src/components/${name}.js in dist/_import/components`);
  return `/_import/components/${file}`;
};

/** Renders the report's section table, warnings summary, half maps and Level 1 sections into the page's main column. */
async function renderLevel1(page: Page, data: unknown) {
  // Passed as source text: vitest would rewrite a dynamic import() written in this file into its own loader.
  await page.evaluate(`(async () => {
    const {halfMapInput, level1SectionsView} = await import(${JSON.stringify(componentUrl("level1-sections"))});
    const {sectionTable, warningsSummary} = await import(${JSON.stringify(componentUrl("report-view"))});
    const data = ${JSON.stringify(data)};
    const root = document.createElement("div");
    root.dataset.testid = "level1-root";
    root.append(sectionTable(data.report), warningsSummary(data.report),
      halfMapInput({figures: data.figures, warnings: ["half map 1 looks masked (a warning written for this test)."], simulated: true}),
      ...level1SectionsView(data.report, {width: 680, localMaps: data.localMaps, mask: "level0-soft", live: ["1.a"]}));
    (document.querySelector("#observablehq-main") ?? document.body).append(root);
  })()`);
}

const cells = (page: Page, testId: string) =>
  page.getByTestId(testId).locator("tbody tr").evaluateAll((rows) => rows.map((row) => [...row.children].map((c) => c.textContent!.trim())));
/** A chart's lines, and the x of each group of points (Plot draws one group per dot mark), with its x scale at `frequencies`. */
const drawing = (page: Page, selector: string, frequencies: number[] = []) =>
  page.locator(selector).evaluate((box, fs) => {
    const plot = box.querySelector("figure, svg") as Element & { scale(name: string): { apply(v: number): number } };
    return {
      series: box.querySelectorAll('g[aria-label="line"] path').length,
      dots: [...box.querySelectorAll('g[aria-label="dot"]')].map((g) => [...g.querySelectorAll("circle")].map((c) => Number(c.getAttribute("cx")))),
      x: fs.map((f) => plot.scale("x").apply(f)),
    };
  }, frequencies);
const angstrom = (x: number | null) => (x === null ? "none" : `${fixed(x, 2)} Å`);

test("Level 1 sections of the simulated pair: numbers, FSC chart, redraw, not-computed sections, half-map figures", async () => {
  const { page: data, report, moved } = await level1Report();
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/components-check");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("central-slices").waitFor();
  await renderLevel1(page, data);
  const sections = report.sections;

  // The section table lists both levels in registry order, each with its status.
  const ids = sectionIdsIn(sections);
  expect(ids.slice(-8)).toEqual([...level1SectionIds]);
  expect(await page.getByTestId("section-table").locator("tbody tr").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.section))).toEqual(ids);
  for (const id of level1SectionIds) {
    const s = sections[id];
    expect(await page.getByTestId(`status-${id}`).getAttribute("data-status")).toBe(s.status);
    expect(await page.getByTestId(`status-${id}`).innerText()).toBe(statusText(s));
    expect(await page.getByTestId(`section-${id}`).getAttribute("data-status")).toBe(s.status);
  }
  // The warnings summary names the Level 1 sections that warn.
  const warned = report.warningsSummary.map((w) => w.title);
  expect(warned).toContain("1.a Global resolution");
  expect(await page.getByTestId("warnings-summary").locator(".warning-group strong").allInnerTexts()).toEqual(warned);

  // 1.a: every crossing of every curve, and the estimates VRS compares with the reported resolution.
  const fsc = sections["1.a"].results as FscSectionResults;
  const fscCurves = [["fsc", fsc.crossings.fsc], ["fscMasked", fsc.crossings.fscMasked], ["fscCorrected", fsc.crossings.fscCorrected]] as const;
  expect((await cells(page, "fsc-crossings")).map((row) => row.slice(1))).toEqual(
    fscCurves.map(([, c]) => [c!["0.143"], c!["0.5"], c!.halfBit, c!.threeSigma].map(angstrom)),
  );
  expect((await cells(page, "fsc-resolutions")).map((row) => row[1])).toEqual(
    [fsc.fscResolution, fsc.fscMaskedResolution, fsc.fscCorrectedResolution, fsc.dprResolution, fsc.ssnrResolution, fsc.preservedFSC90resolution, fsc.meanResolution].map(angstrom),
  );
  for (const sentence of fsc.sentences) expect(await page.getByTestId("section-1.a").innerText()).toContain(sentence);
  expect(await page.getByTestId("fsc-mask").innerText()).toContain(`from shell ${fsc.randomisation!.fromShell} on`);
  expect(await page.getByTestId("section-status-1.a").innerText()).toContain("recomputed live");

  // The FSC chart: six curves (three FSCs, the logistic fit, half-bit, 3σ), and a point on each crossing, at its
  // frequency on the chart's own x scale.
  const chart = page.getByTestId("fsc-chart");
  expect(await chart.getAttribute("data-fsc-resolution")).toBe(String(fsc.fscResolution));
  expect(await chart.getAttribute("data-rows")).toBe(String(fsc.shells.length));
  const crossingFrequencies = fscCurves.flatMap(([, c]) => [c!["0.143"], c!["0.5"], c!.halfBit, c!.threeSigma]).filter((r): r is number => r !== null).map((r) => 1 / r);
  const first = await drawing(page, '[data-testid="fsc-chart"]', crossingFrequencies);
  expect(first.series).toBe(6);
  const points = first.dots.flat();
  expect(points.length).toBe(crossingFrequencies.length);
  points.forEach((cx, i) => expect(Math.abs(cx - first.x[i])).toBeLessThan(0.01));

  // A threshold move: the same chart box redraws the curves of the new 1.a.
  await chart.evaluate((box) => ((box as HTMLElement & { marked?: boolean }).marked = true));
  await chart.evaluate((box, section) => (box as HTMLElement & { update(s: unknown): void }).update(section), moved);
  expect(await chart.evaluate((box) => (box as HTMLElement & { marked?: boolean }).marked)).toBe(true);
  const movedFsc = moved.results!;
  expect(await chart.getAttribute("data-fsc-masked-resolution")).toBe(String(movedFsc.fscMaskedResolution));
  expect(movedFsc.fscMaskedResolution).not.toBe(fsc.fscMaskedResolution);
  expect((await drawing(page, '[data-testid="fsc-chart"]')).series).toBe(6);

  // 1.b: the FSC of every shell past the origin, the significant ones filled, the FDR resolution's shell marked.
  const fdr = sections["1.b"].results as FdrFscSectionResults & { FDRResolution: number };
  expect(await page.getByTestId("fdr-resolution").innerText()).toContain(`${fixed(fdr.FDRResolution, 2)} Å; ${fdr.significantShells} significant shells`);
  const significantFrequencies = fdr.shells.filter((s) => s.index > 0 && s.significant).map((s) => s.frequency);
  const fdrChart = await drawing(page, '[data-figure="fdr-fsc-chart"]', [1 / fdr.FDRResolution, ...significantFrequencies]);
  expect(fdrChart.series).toBe(1);
  expect(fdrChart.dots.map((g) => g.length)).toEqual([fdr.significantShells, 1]);
  // The filled dots sit on the section's significant shells, the marked one on the FDR resolution.
  fdrChart.dots[0].forEach((cx, i) => expect(Math.abs(cx - fdrChart.x[i + 1])).toBeLessThan(0.01));
  expect(Math.abs(fdrChart.dots[1][0] - fdrChart.x[0])).toBeLessThan(0.01);

  // 1.c and 1.e: percentiles, histogram of 25 bins, the local map on three slices.
  for (const [id, figure] of [["1.c", "local-fsc"], ["1.e", "halves-local-resolution"]] as const) {
    const r = sections[id].results as { percentiles: Record<string, number>; mean: number; histogram: unknown[] };
    const p = r.percentiles;
    expect((await cells(page, `local-stats-${id}`))[0].slice(0, 6)).toEqual([p.p2_5, p.p25, p.p50, p.p75, p.p97_5, r.mean].map((v) => significant(v, 4)));
    expect(await page.locator(`[data-figure="${figure}-histogram"] g[aria-label="rect"] rect`).count()).toBe(r.histogram.length);
    expect(await page.locator(`[data-figure="${figure}-slices"] [data-testid="slice-view"]`).count()).toBe(3);
  }

  // 1.d and 1.f: not computed, with the reason, never passed.
  for (const id of ["1.d", "1.f"] as const) {
    const s = sections[id];
    expect(s.status).toBe("not-measured");
    expect(await page.getByTestId(`section-status-${id}`).innerText()).toBe(statusText(s));
    expect(s.reason).toMatch(/^Not computed: /);
    expect(await page.getByTestId(`section-${id}`).locator(".reason").innerText()).toBe(s.reason);
  }

  // 1.g and 1.h.
  const fso = sections["1.g"].results as { FSOresolution: number; sphericity: number };
  expect((await cells(page, "fso-results"))[0][1]).toBe(angstrom(fso.FSOresolution));
  expect((await cells(page, "fso-results"))[3][1]).toBe(significant(fso.sphericity, 4));
  const fsoChart = await drawing(page, '[data-figure="fso-chart"]', [1 / fso.FSOresolution]);
  expect(fsoChart.series).toBe(2);
  expect(fsoChart.dots.flat().length).toBe(1);
  expect(Math.abs(fsoChart.dots.flat()[0] - fsoChart.x[0])).toBeLessThan(0.01);
  const fsc3d = sections["1.h"].results as Record<string, number>;
  const directions = ["FSC3DresolutionX", "FSC3DresolutionY", "FSC3DresolutionZ", "FSC3DresolutionGlobal"];
  expect((await cells(page, "fsc3d-resolutions")).map((row) => row[1])).toEqual(directions.map((k) => angstrom(fsc3d[k])));
  const directional = await drawing(page, '[data-figure="directional-fsc-chart"]', directions.map((k) => 1 / fsc3d[k]));
  expect(directional.series).toBe(4);
  directional.dots.flat().forEach((cx, i) => expect(Math.abs(cx - directional.x[i])).toBeLessThan(0.01));
  expect(directional.dots.flat().length).toBe(4);

  // The half maps: three rows (half 1, half 2, their difference) of X, Y, Z; the warning; the simulated label.
  expect(await page.locator('[data-figure="half-map-slices"] [data-testid="slice-row"]').count()).toBe(3);
  expect(await page.locator('[data-figure="half-map-slices"] [data-testid="slice-view"]').count()).toBe(9);
  expect(await page.getByTestId("half-map-warnings").innerText()).toContain("half map 1 looks masked");
  expect(await page.getByTestId("halves-simulated").isVisible()).toBe(true);

  await page.getByTestId("level1-root").screenshot({ path: "/tmp/mapval-level1-components.png" });
  expect(trouble).toEqual(NO_TROUBLE);
}, 300_000);

/** `mapval report` of the simulated entry's map and halves (the CLI's entry point, run here) for the sections listed. */
async function cliLevel1(sections: string) {
  let out = "";
  const args = [join(projectRoot, "data/maps/emd_1997.map"), "--half1", join(pairDir, "half1.mrc.gz"), "--half2", join(pairDir, "half2.mrc.gz"),
    "--threshold", "1", "--voxel-size", "2.02", "--resolution", "7", "--sections", sections, "--json"];
  const code = await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } });
  expect(code).toBe(0);
  return JSON.parse(out);
}

test("the simulated pair's entry page shows Level 1: the halves, labelled simulated, and 1.a–1.h as mapval report gives them", async () => {
  const cli = await cliLevel1("0.a,0.b,0.c,1.a,1.b,1.d,1.f,1.g,1.h");
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/entries/sim-emd-1997");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("section-1.h").waitFor({ timeout: 60_000 });

  expect(await page.getByTestId("halves-simulated").isVisible()).toBe(true);
  // Not an EMDB entry: no EMDB facts, and no bare empty value where they would be (Framework's inspector shows "").
  expect(await page.getByTestId("emdb-facts").count()).toBe(0);
  expect(await page.locator(".observablehq--inspect").allInnerTexts()).not.toContain('""');
  expect(await page.getByTestId("half-map-files").innerText()).toContain("half1.mrc.gz");
  expect(await page.locator('[data-figure="half-map-slices"] [data-testid="slice-view"]').count()).toBe(9);
  // (The section table and score follow the worker's report, which holds Level 1 once the page worker computes it.)
  for (const id of ["1.a", "1.b", "1.d", "1.f", "1.g", "1.h"])
    expect(await page.getByTestId(`section-${id}`).getAttribute("data-status")).toBe(cli.sections[id].status);

  const a = cli.sections["1.a"].results;
  expect((await cells(page, "fsc-resolutions")).map((row) => row[1])).toEqual(
    [a.fscResolution, a.fscMaskedResolution, a.fscCorrectedResolution, a.dprResolution, a.ssnrResolution, a.preservedFSC90resolution, a.meanResolution].map(angstrom),
  );
  expect(await page.getByTestId("fsc-chart").getAttribute("data-rows")).toBe(String(a.shells.length));
  expect(await page.getByTestId("fdr-resolution").innerText()).toContain(angstrom(cli.sections["1.b"].results.FDRResolution));
  expect((await cells(page, "fso-results"))[0][1]).toBe(angstrom(cli.sections["1.g"].results.FSOresolution));
  // 1.b's, 1.g's and 1.h's charts, drawn from the curves their section results carry.
  expect((await drawing(page, '[data-figure="fdr-fsc-chart"]')).series).toBe(1);
  expect((await drawing(page, '[data-figure="fso-chart"]')).series).toBe(2);
  expect((await drawing(page, '[data-figure="directional-fsc-chart"]')).series).toBe(4);
  // 1.c and 1.e are the loader's (minutes of MonoRes are not repeated here): their slices are drawn from its local maps.
  for (const figure of ["local-fsc-slices", "halves-local-resolution-slices"])
    expect(await page.locator(`[data-figure="${figure}"] [data-testid="slice-view"]`).count()).toBe(3);

  await page.screenshot({ path: "/tmp/mapval-level1-entry.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
}, 300_000);
