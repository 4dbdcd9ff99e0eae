/**
 * The index page's Level 1 columns in Chromium: per entry its 1.a–1.h statuses (an entry with half maps) or "no half
 * maps", sortable like Level 0's; the score counts both levels as the entry's page does; the `simulated` flag of the
 * configuration labels the entry. Expected statuses come from `mapval report` (the CLI's code run here; 1.c and 1.e,
 * minutes of local resolution on a loaded machine, are left out of its run) and the entries configuration; the score
 * is the one the entry's page shows.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { runReport } from "../../data-loaders/cli/cli-report.js";
import { listEntries } from "../../data-loaders/emdb/resolve-entry.js";
import { level1SectionIds } from "../../lib/section-registry.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const site = siteSession(projectRoot);
afterAll(() => site.close());

test("Level 1 statuses (or 'no half maps') beside Level 0's, sortable; the score of both levels; the simulated label", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/");
  const entries = listEntries();
  const rows = page.getByTestId("entries-table").locator("tbody tr");
  await expect.poll(() => rows.count()).toBe(entries.length);
  const withHalves = entries.filter((e) => e.half1 !== null);
  expect(withHalves.map((e) => e.id)).toEqual(["sim-emd-1997"]);

  // The simulated pair: `mapval report MAP --half1 H1 --half2 H2` at the entry's contour, resolution and voxel size
  // (mapval.entries.json): its statuses of Level 1.
  const entry = withHalves[0];
  const inRepository = (file: string) => join(projectRoot, file);
  const halfFile = (half: typeof entry.half1) => (half?.kind === "file" ? inRepository(half.file) : "");
  let out = "";
  const args = [inRepository(entry.file!), "--half1", halfFile(entry.half1), "--half2", halfFile(entry.half2),
    "--threshold", String(entry.contour!.level), "--resolution", String(entry.resolution!.angstrom), "--voxel-size", String(entry.voxelSize),
    "--sections", "0.a,0.b,0.c,0.d,0.h,1.a,1.b,1.d,1.f,1.g,1.h", "--json"];
  const code = await runReport(args, { out: (t) => void (out += t), err: (t) => { throw new Error(t); } });
  expect(code).toBe(0);
  const cli = JSON.parse(out);
  const simulated = page.locator('tr[data-id="sim-emd-1997"]');
  const chips = await simulated.locator(".chip").evaluateAll((spans) => spans.map((s) => s.getAttribute("data-status")));
  expect(chips).toHaveLength(16);
  level1SectionIds.forEach((id, i) => {
    if (id !== "1.c" && id !== "1.e") expect(chips[8 + i], id).toBe(cli.sections[id].status);
  });
  const indexScore = await simulated.getByTestId("entry-score").innerText();
  const levelZeroScore = await page.locator('tr[data-id="emd-1997"]').getByTestId("entry-score").innerText();
  expect(await simulated.getByTestId("entry-simulated").innerText()).toBe("simulated");
  expect(await simulated.getByTestId("no-half-maps").count()).toBe(0);

  // Every other entry: no Level 1 chips, "no half maps" once, no simulated label (even where a title or note says so).
  for (const entry of entries.filter((e) => e.half1 === null)) {
    const row = page.locator(`tr[data-id="${entry.id}"]`);
    expect(await row.locator(".chip").count(), entry.id).toBe(8);
    expect(await row.getByTestId("no-half-maps").innerText()).toBe("no half maps");
    expect(await row.getByTestId("entry-simulated").count()).toBe(0);
  }

  // Sorting by a Level 1 column: entries without half maps last, in either direction.
  const order = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
  for (const id of ["1.a", "1.e"]) {
    const header = page.locator(`th[data-key="${id}"]`);
    await header.click();
    expect(await header.getAttribute("data-sorted")).toBe("ascending");
    expect((await order())[0]).toBe("sim-emd-1997");
    await header.click();
    expect(await header.getAttribute("data-sorted")).toBe("descending");
    expect((await order())[0]).toBe("sim-emd-1997");
  }
  await page.screenshot({ path: "/tmp/mapval-site-index-level1.png", fullPage: true });
  await page.close();
  expect(trouble).toEqual(NO_TROUBLE);

  // The index's score is the one the entry's page shows at the entry's threshold, over both levels.
  const entryPage = await openWatchedPage(browser, origin, "/entries/sim-emd-1997");
  const scoreLine = entryPage.page.getByTestId("score-line");
  await expect.poll(() => entryPage.page.getByTestId("live-status").getAttribute("data-pending"), { timeout: 60_000 }).toBe("false");
  const [passed, evaluable] = [await scoreLine.getAttribute("data-passed"), await scoreLine.getAttribute("data-evaluable")];
  expect(indexScore).toBe(`${passed} of ${evaluable}`);
  // Level 1 counts: more items are evaluable than for emd-1997, the same map at the same threshold without half maps.
  const [, , level0Only] = levelZeroScore.split(" ").map(Number);
  expect(Number(evaluable)).toBeGreaterThan(level0Only);
  await entryPage.page.close();
  expect(entryPage.trouble).toEqual(NO_TROUBLE);
}, 300_000);
