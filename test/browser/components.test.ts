import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import { finiteExtent } from "../../lib/colormap.js";
import { centralSlices, projections } from "../../lib/figures.js";
import { parseMap } from "../../lib/mrc-reader.js";
import { NO_TROUBLE, openWatchedPage, siteSession } from "../helpers/chromium.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { volume } = parseMap(new Uint8Array(readFileSync(join(projectRoot, "data", "maps", "emd_1997.map"))));

const site = siteSession(projectRoot);
afterAll(() => site.close());

test("slice views draw the kernel's central slices with their range, colour bar and caption", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/components-check");
  const views = page.getByTestId("central-slices").getByTestId("slice-view");
  await expect.poll(() => views.count()).toBe(3);

  const slices = centralSlices(volume);
  for (const [i, axis] of (["x", "y", "z"] as const).entries()) {
    const view = views.nth(i);
    const { width, height, data, index } = slices[axis];
    expect(await view.getAttribute("data-width")).toBe(String(width));
    expect(await view.getAttribute("data-height")).toBe(String(height));
    // Same reader, same float32 values: the browser's range is the kernel's exactly.
    expect(JSON.parse((await view.getAttribute("data-domain")) ?? "null")).toEqual(finiteExtent(data));
    expect(await view.getByTestId("slice-caption").innerText()).toBe(`${axis.toUpperCase()} slice ${index}`);

    const canvas = view.getByTestId("slice-canvas");
    expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([width, height]);
    const box = await canvas.boundingBox();
    expect(Math.max(box!.width, box!.height)).toBeGreaterThan(200);

    // The minimum is black and the maximum white; with flipY the image row y sits at canvas row height − 1 − y.
    const [lo, hi] = finiteExtent(data)!;
    for (const [target, grey] of [[lo, 0], [hi, 255]] as const) {
      const at = data.indexOf(target);
      const [x, y] = [at % width, Math.floor(at / width)];
      const pixel = await canvas.evaluate(
        (c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext("2d")!.getImageData(px, py, 1, 1).data),
        [x, height - 1 - y],
      );
      expect(pixel).toEqual([grey, grey, grey, 255]);
    }

    const ticks: number[] = JSON.parse((await view.getByTestId("slice-colorbar").getAttribute("data-ticks")) ?? "[]");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((tick) => tick >= lo && tick <= hi)).toBe(true);
    expect(await view.getByTestId("slice-colorbar").locator(".tick text").count()).toBe(ticks.length);
  }

  const colormaps = page.getByTestId("colormaps").getByTestId("slice-view");
  await expect.poll(() => colormaps.count()).toBe(3);
  expect(await colormaps.evaluateAll((views) => views.map((view) => (view as HTMLElement).dataset.colormap))).toEqual([
    "viridis",
    "rdbu",
    "grey",
  ]);
  expect(JSON.parse((await colormaps.nth(0).getAttribute("data-domain")) ?? "null")).toEqual(
    finiteExtent(projections(volume).z.data),
  );

  await page.screenshot({ path: "/tmp/mapval-components-slices.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
});
