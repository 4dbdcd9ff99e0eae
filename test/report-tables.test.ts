import { expect, test } from "vitest";
import { runLevel0 } from "../lib/level0/level0.js";
import { componentRows, guinierRows, histogramRows, massTableRows, summaryRows, sweepRows } from "../lib/report/report-tables.js";
import type { MaskResults } from "../lib/level0/section-0b-mask.js";
import { sweep } from "../lib/level0/sweep.js";
import { makeVolume } from "../lib/io/volume.js";

// Two blobs (a big and a small one) in noise-free background.
const volume = makeVolume(24, 24, 24, (x, y, z) => {
  const big = Math.exp(-((x - 12) ** 2 + (y - 12) ** 2 + (z - 12) ** 2) / 18);
  const small = Math.exp(-((x - 3) ** 2 + (y - 3) ** 2 + (z - 20) ** 2) / 1.5);
  return big + 0.8 * small;
}, [2, 2, 2]);

test("summary rows follow the report's sections in VRS order with VRS's cell text", () => {
  const report = runLevel0(volume, { threshold: 0.3 });
  const rows = summaryRows(report.sections);
  expect(rows.map((r) => r.section)).toEqual(["0.a", "0.b", "0.c", "0.d", "0.e", "0.f", "0.g", "0.h"]);
  for (const row of rows) {
    const s = report.sections[row.section];
    expect(row.status).toBe(s.status);
    expect(row.warnings).toBe(s.warnings.length);
    expect(row.warningText).toBe(s.warnings.join("\n"));
  }
  expect(rows[3].statusText).toBe("Does not apply");
});

test("component rows: sizes, volumes, percentages and the mass set agree with 0.b", () => {
  const report = runLevel0(volume, { threshold: 0.3 });
  const mask = report.sections["0.b"].results as MaskResults;
  const rows = componentRows(mask, 2);
  expect(rows.map((r) => r.voxels)).toEqual(mask.componentSizes);
  expect(rows.length).toBe(2);
  expect(rows[0].volume).toBe(mask.componentSizes[0] * 8);
  expect(rows.at(-1)!.cumulativePercent).toBeCloseTo(100, 10);
  expect(rows.filter((r) => r.inMassSet).length).toBe(mask.components95);
  expect(massTableRows(mask)).toEqual(mask.massTable);
});

test("sweep rows flatten the verdicts; sections without results give empty tables", () => {
  const rows = sweepRows(sweep(volume, [0.2, 0.5]));
  expect(rows.map((r) => r.threshold)).toEqual([0.2, 0.5]);
  expect(Object.values(rows[0]).every((v) => typeof v !== "object")).toBe(true);
  const report = runLevel0(volume, { threshold: 0.3 });
  expect(guinierRows(report.sections["0.d"])).toEqual([]);
  expect(histogramRows(report.sections["0.e"])).toEqual([]);
});

test("Guinier rows carry the fit when 0.d measured one", () => {
  const report = runLevel0(volume, { threshold: 0.3, resolution: 4.5 });
  const rows = guinierRows(report.sections["0.d"]);
  expect(rows.length).toBeGreaterThan(3);
  expect(rows.some((r) => r.fitted)).toBe(true);
});
