// The site built from a `mapval batch` output directory (MAPVAL_BATCH_DIR, docs/batch.md "Publishing a batch"), in
// real Chromium: a generated batch of 200 entries (test/helpers/batch-fixture.ts, 20 of them failed) is built into its
// own output directory, beside the default dist/ the other browser tests use.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { serveDirectory, type StaticServer } from "../../data-loaders/site/static-server.js";
import { sectionIds } from "../../lib/level0/level0.js";
import { indexTransferBytes, makeBatchDir, summaryRow, type SummaryRow } from "../helpers/batch-fixture.js";
import { launchChromium, NO_TROUBLE, openWatchedPage, type Browser } from "../helpers/chromium.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const ENTRIES = 200;
/** The build takes a minute or two on a loaded machine; it runs once, inside the first test that needs it. */
const BUILD_TIMEOUT = 600_000;

const scratch = mkdtempSync(join(tmpdir(), "mapval-batch-site-"));
const batchDir = join(scratch, "batch");
const output = join(scratch, "site");
let started: Promise<{ rows: SummaryRow[]; server: StaticServer; browser: Browser }> | undefined;

function start() {
  started ??= (async () => {
    const rows = makeBatchDir(batchDir, ENTRIES).map(summaryRow);
    const build = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-site.mjs")], {
      cwd: projectRoot, encoding: "utf8", maxBuffer: 256 << 20,
      env: { ...process.env, MAPVAL_BATCH_DIR: batchDir, MAPVAL_SITE_OUTPUT: output },
    });
    if (build.status !== 0) throw new Error(`batch site build failed (exit ${build.status}):\n${build.stderr}\n${build.stdout.slice(-4000)}`);
    return { rows, server: await serveDirectory(output), browser: await launchChromium() };
  })();
  return started;
}

afterAll(async () => {
  const running = await started?.catch(() => undefined);
  await running?.browser.close();
  await running?.server.close();
  // The build linked src/data/batch-entries to the batch; the next default build would remove it too.
  rmSync(join(projectRoot, "src", "data", "batch-entries"), { force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const shownIds = (page: Page) => page.getByTestId("batch-row").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
const matching = async (page: Page) => Number(await page.getByTestId("batch-page-info").getAttribute("data-matching"));

test("index: every entry, 50 to a page, paging forward and back", async () => {
  const { rows, server, browser } = await start();
  const { page, trouble } = await openWatchedPage(browser, server.origin, "/batch/");
  const totals = page.getByTestId("batch-totals");
  await totals.waitFor();
  expect(await totals.getAttribute("data-entries")).toBe(String(ENTRIES));
  expect(await totals.getAttribute("data-failed")).toBe(String(rows.filter((r) => r.status === "failed").length));
  expect(await shownIds(page)).toEqual(rows.slice(0, 50).map((r) => r.id));
  expect(await page.getByTestId("batch-page-info").innerText()).toBe("Entries 1–50 of 200 matching (page 1 of 4).");
  expect(await page.getByTestId("batch-prev").isDisabled()).toBe(true);
  await page.getByTestId("batch-next").click();
  expect(await shownIds(page)).toEqual(rows.slice(50, 100).map((r) => r.id));
  for (let i = 0; i < 2; i++) await page.getByTestId("batch-next").click();
  expect(await shownIds(page)).toEqual(rows.slice(150, 200).map((r) => r.id));
  expect(await page.getByTestId("batch-next").isDisabled()).toBe(true);
  await page.getByTestId("batch-prev").click();
  expect(await shownIds(page)).toEqual(rows.slice(100, 150).map((r) => r.id));
  // A failed entry links to its error page, a done one to its report.
  expect(await page.locator('[data-id="emd-10107"] [data-testid="batch-entry-link"]').getAttribute("href")).toBe("./failed/emd-10107");
  expect(await page.locator('[data-id="emd-10108"] [data-testid="batch-entry-link"]').getAttribute("href")).toBe("./emd-10108");
  expect(trouble).toEqual(NO_TROUBLE);
}, BUILD_TIMEOUT);

test("index: search and filters narrow the list to the rows the summary says", async () => {
  const { rows, server, browser } = await start();
  const { page, trouble } = await openWatchedPage(browser, server.origin, "/batch/");
  await page.getByTestId("batch-totals").waitFor();
  const expectShown = async (expected: SummaryRow[]) => {
    expect(await matching(page)).toBe(expected.length);
    expect(await shownIds(page)).toEqual(expected.slice(0, 50).map((r) => r.id));
  };

  await page.getByTestId("batch-search").fill("EMD-1012");
  await expectShown(rows.filter((r) => r.id.startsWith("emd-1012")));
  await page.getByTestId("batch-search").fill("");
  await expectShown(rows);

  await page.getByTestId("batch-status-filter").selectOption("failed");
  await expectShown(rows.filter((r) => r.status === "failed"));
  await page.getByTestId("batch-status-filter").selectOption("");

  await page.getByTestId("section-filter-0.d").selectOption("warnings");
  const dWarnings = rows.filter((r) => r["status_0.d"] === "warnings");
  expect(dWarnings.length).toBeGreaterThan(0);
  await expectShown(dWarnings);

  // Resolution 5–10 Å together with the 0.d filter: the entries at 6 and 9.5 Å whose 0.d warns.
  await page.getByTestId("batch-resolution-min").fill("5");
  await page.getByTestId("batch-resolution-max").fill("10");
  await expectShown(dWarnings.filter((r) => r.resolution !== null && r.resolution >= 5 && r.resolution <= 10));
  await page.getByTestId("section-filter-0.d").selectOption("");
  const inRange = rows.filter((r) => r.resolution !== null && r.resolution >= 5 && r.resolution <= 10);
  expect(new Set(inRange.map((r) => r.resolution))).toEqual(new Set([6, 9.5]));
  await expectShown(inRange);
  expect(trouble).toEqual(NO_TROUBLE);
}, BUILD_TIMEOUT);

test("entry page: the report.json's score and statuses, the threshold disabled with its reason", async () => {
  const { server, browser } = await start();
  for (const id of ["emd-10001", "emd-10002"]) {
    const report = JSON.parse(readFileSync(join(batchDir, id, "report.json"), "utf8"));
    const { page, trouble } = await openWatchedPage(browser, server.origin, `/batch/${id}`);
    const score = page.getByTestId("score-line");
    await score.waitFor();
    expect(await score.getAttribute("data-passed")).toBe(String(report.score.passed));
    expect(await score.getAttribute("data-evaluable")).toBe(String(report.score.evaluable));
    expect(await score.innerText()).toContain(`${report.score.passed} out of ${report.score.evaluable}`);
    for (const s of sectionIds) expect(await page.getByTestId(`status-${s}`).getAttribute("data-status")).toBe(report.sections[s].status);
    expect(await page.getByTestId("entry-title").innerText()).toBe(id);
    expect(await page.getByTestId("threshold").isDisabled()).toBe(true);
    expect(await page.getByTestId("threshold").inputValue()).toBe(String(report.input.threshold));
    expect(await page.getByTestId("threshold-range").isDisabled()).toBe(true);
    expect(await page.getByTestId("threshold-disabled-reason").innerText()).toMatch(/publishes each entry's report\.json, not its map/);
    // Figures that need the voxels say so instead of being drawn.
    expect(await page.getByTestId("needs-voxels").count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId("report-json").count()).toBe(1);
    expect(trouble).toEqual(NO_TROUBLE);
    await page.close();
  }
}, BUILD_TIMEOUT);

test("failed entry page: its error class and message", async () => {
  const { server, browser } = await start();
  const error = JSON.parse(readFileSync(join(batchDir, "emd-10017", "error.json"), "utf8"));
  const { page, trouble } = await openWatchedPage(browser, server.origin, "/batch/failed/emd-10017");
  await page.getByTestId("error-class").waitFor();
  expect(await page.getByTestId("error-class").innerText()).toBe(error.class);
  expect(await page.getByTestId("error-message").innerText()).toBe(error.message);
  expect(trouble).toEqual(NO_TROUBLE);
}, BUILD_TIMEOUT);

test("index transfer at 200 entries: the files the page loads, and the sidebar stays short", async () => {
  const { server, browser } = await start();
  const page = await browser.context.newPage();
  const paths = new Set<string>();
  page.on("response", (response) => paths.add(new URL(response.url()).pathname));
  await page.goto(`${server.origin}/batch/`);
  await page.getByTestId("batch-totals").waitFor();
  await page.waitForLoadState("networkidle");
  const bytes = indexTransferBytes(output, paths);
  console.log(`batch index page at ${ENTRIES} entries: ${paths.size} files, ${bytes} bytes`);
  // The arrow table is the only one of them that grows with the batch (bench/batch-index.bench.ts: 10,000 entries).
  expect([...paths].filter((p) => p.endsWith(".arrow"))).toHaveLength(1);
  expect(bytes).toBeLessThan(1_000_000);
  // "All entries" and five entries, not one link per entry.
  expect(await page.locator("#observablehq-sidebar a[href*='emd-']").count()).toBe(5);
}, BUILD_TIMEOUT);
