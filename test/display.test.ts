import { describe, expect, it } from "vitest";
import {
  Display, displayMassTable, displayReport, displaySection, displaySweep, jupyterDisplay, makeVolume, reportJson,
  runLevel0, sweep, sweepRows,
} from "../lib/index.js";
import { lineChartSvg } from "../lib/report/display.js";
import { formatReport } from "../lib/report/report-text.js";
import { withoutGenerationTime } from "./helpers/json-close.js";

// A 12³ box of background 0.01 with a 4³ cube of density 1 off centre: 0.a–0.c all have something to say.
function cubeVolume() {
  const inCube = (x: number, y: number, z: number) => x >= 4 && x < 8 && y >= 3 && y < 7 && z >= 2 && z < 6;
  return makeVolume(12, 12, 12, (x, y, z) => (inCube(x, y, z) ? 1 : 0.01), [2, 2, 2]);
}
const info = { file: "cube.map", sha256: "ab".repeat(32) };
const report = runLevel0(cubeVolume(), { threshold: 0.5, sections: ["0.a", "0.b", "0.c"] });

function bundle(d: Display) {
  return d[jupyterDisplay]();
}

describe("Jupyter displays", () => {
  it("answer Deno's Symbol.for(\"Jupyter.display\") and ijavascript's _toMime() with the same bundle", () => {
    const d = displayReport(report, info);
    expect(jupyterDisplay).toBe(Symbol.for("Jupyter.display"));
    expect(d._toMime()).toEqual(bundle(d));
    expect(Object.keys(bundle(d)).sort()).toEqual(["application/json", "text/html", "text/plain"]);
  });

  it("give the report as the text report and as the --json contract, NaN written as null", () => {
    const b = bundle(displayReport(report, info));
    expect(b["text/plain"]).toBe(formatReport(report, info));
    expect(withoutGenerationTime(b["application/json"])).toEqual(
      withoutGenerationTime(JSON.parse(JSON.stringify(reportJson(report, info.file, info.sha256)))),
    );
    // 0.d was not requested: its numbers are absent, and nothing in the bundle is NaN.
    expect(JSON.stringify(b["application/json"])).not.toContain("NaN");
  });

  it("give a section its entry of the JSON's sections and its block of the text report", () => {
    const b = bundle(displaySection(report, "0.b", info));
    expect(b["application/json"]).toEqual(JSON.parse(JSON.stringify(reportJson(report, info.file, info.sha256).sections["0.b"])));
    expect(formatReport(report, info)).toContain(b["text/plain"].trimEnd());
    expect(b["text/plain"]).toMatch(/^== 0\.b Mask analysis: /);
  });

  it("write self-contained HTML with the text escaped", () => {
    const b = bundle(displayReport(report, { file: "<b>&\"odd\".map", sha256: info.sha256 }));
    expect(b["text/html"]).toContain("&lt;b&gt;&amp;&quot;odd&quot;.map");
    expect(b["text/html"]).not.toMatch(/<script|<link|\s(src|href)=/i);
  });

  it("give the mass table its rows (64 voxels of 8 Å³ above every level below 1) and one dot per row", () => {
    const b = bundle(displayMassTable(report));
    const rows = b["application/json"] as { threshold: number; voxels: number; kDa: number }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.voxels).toBe(64); // the levels are max/25 steps, all above the background
      expect(r.kDa).toBeCloseTo((r.voxels * 8) / 1207, 12);
    }
    expect(b["image/svg+xml"]!.match(/<circle /g)?.length).toBe(rows.length);
  });

  it("give a sweep the rows of sweepRows and a plot", () => {
    const rows = sweep(cubeVolume(), [0.005, 0.5]);
    const b = bundle(displaySweep(rows));
    expect(b["application/json"]).toEqual(JSON.parse(JSON.stringify(sweepRows(rows))));
    expect((b["application/json"] as { rawVoxels: number }[]).map((r) => r.rawVoxels)).toEqual([12 ** 3, 64]);
    expect(b["text/plain"].split("\n")[0]).toMatch(/threshold\s+rawVoxels/);
  });
});

describe("lineChartSvg", () => {
  it("places points on a linear x and a log y, in a 480×240 frame with margins 64/12/12/40", () => {
    const svg = lineChartSvg([{ x: 0, y: 1 }, { x: 1, y: 100 }], { x: "t", y: "m" });
    // x 0 → 64, 1 → 480 − 12 = 468; log y 0 → 240 − 40 = 200, 2 → 12.
    expect(svg).toContain('d="M64.0,200.0L468.0,12.0"');
    expect(svg).toContain(">1e0<");
    expect(svg).toContain(">1e2<");
  });

  it("leaves out points it cannot place on a log scale and says so", () => {
    const svg = lineChartSvg([{ x: 0, y: 0 }, { x: 1, y: 10 }, { x: 2, y: NaN }, { x: 3, y: 10 }], { x: "t", y: "m" });
    expect(svg.match(/<circle /g)?.length).toBe(2);
    expect(svg).toContain("2 points with no positive value left out");
  });

  it("draws no line when nothing can be placed", () => {
    const svg = lineChartSvg([{ x: 0, y: -1 }], { x: "t", y: "m" });
    expect(svg).not.toContain("<path");
    expect(svg).toContain("no points to plot");
  });
});
