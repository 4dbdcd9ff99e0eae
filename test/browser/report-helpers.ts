/**
 * What the browser tests of report pages share: the CLI's JSON for a file, waiting for the page's numbers, and the
 * page's downloaded JSON.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { runReport } from "../../data-loaders/cli/cli-report.js";

/** `mapval report FILE --threshold T --json FLAGS…` (the CLI's code run here), parsed. */
export async function cliReport(file: string, threshold: number, flags: readonly string[] = []) {
  let out = "";
  const args = [file, "--threshold", String(threshold), "--json", ...flags];
  const code = await runReport(args, { out: (text) => (out += text), err: (text) => { throw new Error(text); } });
  expect(code).toBe(0);
  return JSON.parse(out);
}

/** Waits (up to `timeout` ms) until the report container holds the numbers of `threshold`, nothing pending. */
export async function ready(page: Page, threshold: number, timeout = 30_000) {
  const view = page.getByTestId("report-view");
  await expect
    .poll(async () => [await view.getAttribute("data-state"), Number(await page.getByTestId("live-status").getAttribute("data-threshold"))], { timeout })
    .toEqual(["ready", threshold]);
}

/** The report's JSON as the page's download link gives it. */
export async function downloadedReport(page: Page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-json").click()]);
  return JSON.parse(readFileSync((await download.path())!, "utf8"));
}
