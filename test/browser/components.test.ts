import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import { finiteExtent } from "../../lib/report/colormap.js";
import { centralSlices, projections } from "../../lib/report/figures.js";
import { parseMap } from "../../lib/io/mrc-reader.js";
import type { Locator } from "playwright-core";
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

interface IsosurfaceElement extends HTMLElement {
  setThreshold(threshold: number): Promise<number | null>;
}

/** Pixels of the WebGL canvas (kept by preserveDrawingBuffer): how many differ from the white background, how many
 * have the surface's blue cast, and a digest that changes when the picture does. */
function canvasPixels(view: Locator) {
  return view.getByTestId("isosurface-canvas").evaluate((canvas: HTMLCanvasElement) => {
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext("2d")!;
    context.drawImage(canvas, 0, 0);
    const { data } = context.getImageData(0, 0, copy.width, copy.height);
    let drawn = 0, blue = 0, digest = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r < 250 || g < 250 || b < 250) drawn++;
      if (b > r + 30) blue++;
      digest = (digest * 31 + r + 7 * g + 13 * b) | 0;
    }
    return { total: data.length / 4, drawn, blue, digest };
  });
}

const dataset = async (view: Locator, key: string) => JSON.parse((await view.getAttribute(`data-${key}`)) ?? "null");

test("isosurface of EMD-1997 renders in WebGL, follows the threshold slider and rotates with the mouse", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/components-check");
  const view = page.getByTestId("groel").getByTestId("isosurface-view");
  await view.waitFor();
  expect(await view.getAttribute("data-webgl")).toBeNull();
  expect(await dataset(view, "threshold")).toBe(1);
  const trianglesAtContour = await dataset(view, "triangles");
  expect(trianglesAtContour).toBeGreaterThan(10_000);

  // The surface lies inside the map's box: voxel centres run from 0 to 99 × 2.02 Å.
  const [low, high] = await dataset(view, "bounds");
  const lastCentre = (volume.nx - 1) * volume.voxelSize![0];
  for (const axis of [0, 1, 2]) {
    expect(low[axis]).toBeGreaterThanOrEqual(0);
    expect(high[axis]).toBeLessThanOrEqual(lastCentre + 1e-3);
    expect(high[axis] - low[axis]).toBeGreaterThan(lastCentre / 3);
  }

  const canvas = view.getByTestId("isosurface-canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  expect([Math.round(box.width), Math.round(box.height)]).toEqual([420, 360]);
  const before = await canvasPixels(view);
  expect(before.blue / before.total).toBeGreaterThan(0.1);
  expect(before.drawn).toBeLessThan(before.total * 0.9);

  // Dragging rotates the camera: the picture changes but still shows the surface.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 30, { steps: 8 });
  await page.mouse.up();
  const rotated = await canvasPixels(view);
  expect(rotated.digest).not.toBe(before.digest);
  expect(rotated.blue / rotated.total).toBeGreaterThan(0.1);

  // The page's slider recomputes the surface: a higher threshold encloses less density, with fewer triangles.
  await page.locator('input[type="range"]').fill("2");
  await expect.poll(() => view.getAttribute("data-threshold")).toBe("2");
  const trianglesAtTwo = await dataset(view, "triangles");
  expect(trianglesAtTwo).toBeGreaterThan(0);
  expect(trianglesAtTwo).toBeLessThan(trianglesAtContour);
  await expect.poll(() => page.getByTestId("groel-stats").innerText()).toMatch(new RegExp(`^${trianglesAtTwo} triangles`));

  await view.screenshot({ path: "/tmp/mapval-components-isosurface.png" });
  await page.screenshot({ path: "/tmp/mapval-components.png", fullPage: true });
  expect(trouble).toEqual(NO_TROUBLE);
});

test("isosurface of a Gaussian blob on anisotropic voxels is a sphere of the analytic radius, shrinking as the threshold rises", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/components-check");
  const view = page.getByTestId("blob").getByTestId("isosurface-view");
  await view.waitFor();

  // exp(−r²/2σ²) = t at r = σ √(−2 ln t), σ = 8 Å; the blob is centred on the box of 48 × 40 × 12 voxels of
  // 1 × 1.5 × 2.5 Å, so a sphere in Å has the same radius on every axis whatever the voxel size.
  const spacing = [1, 1.5, 2.5];
  const lastCentre = [47, 39, 11].map((n, axis) => n * spacing[axis]);
  const centre = lastCentre.map((extent) => extent / 2);
  const counts: number[] = [];
  for (const threshold of [0.2, 0.35, 0.5, 0.65, 0.8]) {
    const triangles = await view.evaluate((element, t) => (element as IsosurfaceElement).setThreshold(t), threshold);
    expect(await dataset(view, "triangles")).toBe(triangles);
    counts.push(triangles!);
    const radius = 8 * Math.sqrt(-2 * Math.log(threshold));
    const [low, high] = await dataset(view, "bounds");
    for (const axis of [0, 1, 2]) {
      if (radius < centre[axis]) {
        // The extreme vertices lie on grid lines up to half a voxel off the centre and are linear interpolations of
        // a convex profile: a little inside the sphere, by at most 0.22 Å at these thresholds (a 1-D model of it).
        expect(Math.abs(centre[axis] - radius - low[axis])).toBeLessThan(0.3);
        expect(Math.abs(centre[axis] + radius - high[axis])).toBeLessThan(0.3);
      } else {
        // Cut by the box (z at t = 0.2): closed by a face between the last voxel centres and the box outline.
        const halfVoxel = spacing[axis] / 2;
        expect(low[axis]).toBeGreaterThanOrEqual(-halfVoxel);
        expect(low[axis]).toBeLessThanOrEqual(0);
        expect(high[axis]).toBeGreaterThanOrEqual(lastCentre[axis]);
        expect(high[axis]).toBeLessThanOrEqual(lastCentre[axis] + halfVoxel);
      }
    }
  }
  for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThan(counts[i - 1]);

  // Calls within one frame are coalesced: the last threshold wins and every caller gets its triangle count.
  const coalesced = await view.evaluate(async (element) => {
    const view = element as IsosurfaceElement;
    const results = await Promise.all([view.setThreshold(0.2), view.setThreshold(0.9), view.setThreshold(0.5)]);
    return { results, threshold: view.dataset.threshold };
  });
  expect(coalesced.threshold).toBe("0.5");
  expect(coalesced.results).toEqual([counts[2], counts[2], counts[2]]);

  const pixels = await canvasPixels(view);
  expect(pixels.blue).toBeGreaterThan(500);
  await view.screenshot({ path: "/tmp/mapval-components-blob.png" });
  expect(trouble).toEqual(NO_TROUBLE);
});

test("without WebGL the isosurface view says so instead of throwing, and the slice views still draw", async () => {
  const { origin, browser } = await site.start();
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.addInitScript(() => {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
      return /webgl/.test(type) ? null : getContext.call(this, type as "2d", ...(rest as []));
    } as typeof getContext;
  });
  await page.goto(`${origin}/components-check`);
  const view = page.getByTestId("groel").getByTestId("isosurface-view");
  await view.waitFor();
  expect(await view.getAttribute("data-webgl")).toBe("unavailable");
  expect(await view.getByTestId("isosurface-message").innerText()).toMatch(/needs WebGL/);
  expect(await view.evaluate((element) => (element as IsosurfaceElement).setThreshold(2))).toBeNull();
  await expect.poll(() => page.getByTestId("slice-view").count()).toBe(6);
  expect(errors).toEqual([]);
  await page.close();
});

test("isosurface of a noisy map regrows its triangle buffers and keeps every triangle", async () => {
  const { origin, browser } = await site.start();
  const { page, trouble } = await openWatchedPage(browser, origin, "/components-check");
  await page.getByTestId("blob").getByTestId("isosurface-view").waitFor();
  const module = readdirSync(join(projectRoot, "dist", "_import", "components")).find((file) =>
    /^isosurface\.[0-9a-f]+\.js$/.test(file),
  );
  // 64³ voxels of uniform noise cut at its median: about a triangle and a half per voxel, far beyond the 200 000
  // triangles the buffers start with.
  // Passed as source text: vitest would rewrite a dynamic import() written in this file into its own loader.
  const result = await page.evaluate(`(async () => {
    const { isosurfaceView } = await import(${JSON.stringify(`/_import/components/${module}`)});
    const n = 64;
    const data = new Float32Array(n ** 3);
    let seed = 12345;
    for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 16807) % 2147483647) / 2147483647;
    const view = isosurfaceView({ data, nx: n, ny: n, nz: n, voxelSize: [1, 1, 1], threshold: 0.5 });
    document.body.append(view);
    const first = Number(view.dataset.triangles);
    const again = await view.setThreshold(0.5);
    const bounds = JSON.parse(view.dataset.bounds);
    view.dispose();
    view.remove();
    return { first, again, bounds };
  })()`) as { first: number; again: number; bounds: number[][] };
  expect(result.first).toBeGreaterThan(200_000);
  expect(result.again).toBe(result.first);
  // Noise above the threshold touches every face: the caps lie between the last voxel centres and the box outline.
  for (const axis of [0, 1, 2]) {
    expect(result.bounds[0][axis]).toBeGreaterThanOrEqual(-0.5);
    expect(result.bounds[0][axis]).toBeLessThanOrEqual(0);
    expect(result.bounds[1][axis]).toBeGreaterThanOrEqual(63);
    expect(result.bounds[1][axis]).toBeLessThanOrEqual(63.5);
  }
  expect(trouble).toEqual(NO_TROUBLE);
});
