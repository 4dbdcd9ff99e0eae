import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import { reportJson } from "../lib/report/report-text.js";
import { MAPVAL_VERSION } from "../lib/version.js";
import { makeVolume } from "../lib/io/volume.js";

const root = join(import.meta.dirname, "..");

test("mapval's version in the kernel is package.json's", () => {
  expect(MAPVAL_VERSION).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
});

test("the report JSON names its generator and the time it was made, after the fields it had", () => {
  // A ball of density 1 in a 16³ box: any map will do, the fields are what is checked.
  const volume = makeVolume(16, 16, 16, (x, y, z) => ((x - 8) ** 2 + (y - 8) ** 2 + (z - 8) ** 2 <= 16 ? 1 : 0));
  const report = runLevel0(volume, { threshold: 0.5, voxelSize: 2, resolution: null });
  const json = reportJson(report, "ball.map", "0".repeat(64), { generatedAt: new Date(Date.UTC(2026, 11, 1, 10, 30, 5)) });
  expect(Object.keys(json)).toEqual(["input", "mode", "sections", "score", "abstract", "inputWarnings", "generator"]);
  expect(json.generator).toEqual({ name: "mapval", version: MAPVAL_VERSION, generatedAt: "2026-12-01T10:30:05.000Z" });
  const now = Date.now();
  const fresh = Date.parse(reportJson(report, "ball.map", "0".repeat(64)).generator.generatedAt);
  expect(Math.abs(fresh - now)).toBeLessThan(5000);
});
