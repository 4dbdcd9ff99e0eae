import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkAgainstMap, MetadataFormatError, parseEmdbJson, parseEmdbXml } from "../data-loaders/emdb/emdb-metadata.js";
import { readMap } from "../lib/io/mrc-reader.js";

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const fixture = (name: string): string => read(`test/fixtures/emdb/${name}`);
const codes = (issues: { code: string; severity: string }[]) => issues.map((i) => `${i.severity}:${i.code}`);

describe("EMDB header XML", () => {
  it("reads the real v1.9 header of EMD-1997", () => {
    const metadata = parseEmdbXml(read("data/maps/emd-1997.xml"), "EMD-1997");
    expect(metadata).toMatchObject({
      emdbId: "EMD-1997",
      format: "xml-v1.9",
      title: "ATP-triggered molecular mechanics of the chaperonin GroEL",
      resolution: 7,
      resolutionMethod: "FSC 0.5",
      contours: [{ level: 1, primary: true, source: "author" }],
      contourLevel: 1,
      primaryContourLevel: 1,
      pixelSpacing: [2.02, 2.02, 2.02],
      dimensions: [100, 100, 100],
      statistics: { minimum: -2.28869247, maximum: 3.46702909 },
      mapFile: "emd_1997.map.gz",
    });
    expect(metadata.authors).toHaveLength(8);
    expect(metadata.authors[0]).toBe("Clare DK");
    expect(metadata.depositionDate).toBe("2011-12-01");
    expect(metadata.issues).toEqual([]);
  });

  it("reads a v3 header: the first contour is used (as VRS) and a warning names the primary one (Mol*)", () => {
    const metadata = parseEmdbXml(fixture("emd-3197-v3.xml"), "EMD-3197");
    expect(metadata).toMatchObject({
      format: "xml-v3",
      title: "Invented title for a v3 header fixture",
      authors: ["Doe J", "Roe R"],
      depositionDate: "2015-10-27",
      resolution: 30.5,
      resolutionMethod: "FSC 0.143 CUT-OFF",
      contours: [
        { level: 2.5, primary: false, source: "SOFTWARE" },
        { level: 3, primary: true, source: "AUTHOR" },
      ],
      contourLevel: 2.5,
      primaryContourLevel: 3,
      pixelSpacing: [11.4, 11.4, 11.4],
      dimensions: [20, 20, 20],
    });
    expect(metadata.issues).toEqual([
      {
        code: "contour-first-not-primary",
        severity: "warning",
        field: "contour",
        message: "EMD-3197: the first contour (2.5, used as VRS does) differs from the primary one (3, used by Mol*)",
      },
    ]);
  });

  it("flags metadata for another entry and rejects documents that are not EMDB headers", () => {
    expect(codes(parseEmdbXml(read("data/maps/emd-1997.xml"), "EMD-3197").issues)).toEqual(["error:id-mismatch"]);
    expect(() => parseEmdbXml("<html><body>502 Bad Gateway</body></html>", "EMD-1")).toThrow(MetadataFormatError);
    expect(() => parseEmdbXml("<emd><admin>", "EMD-1")).toThrow(/EMD-1: header XML is not well-formed/);
  });
});

describe("EMDB REST JSON", () => {
  it("reads the documented paths (valueOf_ objects and lists) into the same fields as the XML", () => {
    const json = parseEmdbJson(fixture("EMD-1997.json"), "EMD-1997");
    const xml = parseEmdbXml(read("data/maps/emd-1997.xml"), "EMD-1997");
    expect(json.format).toBe("rest-json");
    for (const key of ["title", "depositionDate", "resolution", "contourLevel", "pixelSpacing", "dimensions", "statistics", "mapFile"] as const) {
      expect(json[key], key).toEqual(xml[key]);
    }
    expect(json.authors).toEqual(["Clare DK", "Vasishtan D", "Saibil HR"]);
    expect(json.contours).toEqual([{ level: 1, primary: true, source: "AUTHOR" }]);
    expect(json.issues).toEqual([]);
  });

  it("drops absurd values with named errors", () => {
    const metadata = parseEmdbJson(fixture("EMD-3197-absurd.json"), "EMD-3197");
    expect(metadata.resolution).toBeNull();
    expect(metadata.pixelSpacing).toBeNull();
    expect(metadata.dimensions).toBeNull();
    expect(metadata.contourLevel).toBe(50);
    expect(metadata.depositionDate).toBeNull();
    expect(codes(metadata.issues)).toEqual([
      "warning:date-unreadable",
      "error:resolution-absurd",
      "error:contour-above-maximum",
      "error:pixel-spacing-absurd",
      "error:dimensions-absurd",
    ]);
    const messages = metadata.issues.map((i) => i.message);
    expect(messages[0]).toBe('EMD-3197: deposition date "last Tuesday" is not a YYYY-MM-DD date (ignored)');
    expect(messages[1]).toBe("EMD-3197: resolution is -3.5 Å; expected a finite value > 0 (ignored)");
    expect(messages[2]).toMatch(/^EMD-3197: contour level 50 is above the map maximum 5\.57674/);
    expect(messages[4]).toBe("EMD-3197: dimensions is 20 × -20 × 20 voxels; expected positive integers (ignored)");
  });

  it("reports missing fields as warnings and keeps going", () => {
    const metadata = parseEmdbJson(fixture("EMD-3197-missing.json"), "EMD-3197");
    expect(metadata).toMatchObject({ title: null, resolution: null, contourLevel: null, pixelSpacing: null, dimensions: null });
    expect(codes(metadata.issues)).toEqual([
      "warning:missing-field", "warning:missing-field", "warning:missing-field", "warning:missing-field", "warning:missing-field",
    ]);
    expect(metadata.issues.map((i) => i.field)).toEqual(["title", "resolution", "contour", "pixel_spacing", "dimensions"]);
  });

  it("strips control characters (ANSI and OSC escapes) from titles and authors, so `mapval fetch` prints them inert", () => {
    const document = JSON.parse(fixture("EMD-1997.json"));
    document.admin.title = "\u001b]0;owned\u0007\u001b[31mGroEL\u001b[0m\u009b2J\r\nring";
    const json = parseEmdbJson(JSON.stringify(document), "EMD-1997");
    expect(json.title).toBe("]0;owned [31mGroEL [0m 2J ring");
    const withAuthor = JSON.parse(fixture("EMD-1997.json"));
    const authors = withAuthor.admin.authors_list.author;
    authors[0] = typeof authors[0] === "string" ? "Clare\u001b[8m DK" : { ...authors[0], valueOf_: "Clare\u001b[8m DK" };
    expect(parseEmdbJson(JSON.stringify(withAuthor), "EMD-1997").authors[0]).toBe("Clare [8m DK");
    const xml = read("data/maps/emd-1997.xml").replace(/<title>[^<]*<\/title>/, "<title>\u001b[2Jcleared\u0007</title>");
    expect(parseEmdbXml(xml, "EMD-1997").title).toBe("[2Jcleared");
  });

  it("lists the half maps of interpretation.half_map_list in order, the same from the JSON and the v3 XML; none in v1.9", () => {
    const names = ["emd_3197_half_map_1.map.gz", "emd_3197_half_map_2.map.gz"];
    expect(parseEmdbJson(fixture("EMD-3197-halves.json"), "EMD-3197").halfMapFiles).toEqual(names);
    expect(parseEmdbXml(fixture("emd-3197-v3.xml"), "EMD-3197").halfMapFiles).toEqual(names);
    expect(parseEmdbJson(fixture("EMD-1997.json"), "EMD-1997").halfMapFiles).toEqual([]);
    expect(parseEmdbXml(read("data/maps/emd-1997.xml"), "EMD-1997").halfMapFiles).toEqual([]);
    // One half map (not a list) is read as one.
    const single = JSON.parse(fixture("EMD-3197-halves.json"));
    single.interpretation.half_map_list.half_map = single.interpretation.half_map_list.half_map[0];
    expect(parseEmdbJson(JSON.stringify(single), "EMD-3197").halfMapFiles).toEqual([names[0]]);
  });

  it("drops a half-map file name that is not one plain file name (it becomes a URL and a cache path), with a named error", () => {
    const document = JSON.parse(fixture("EMD-3197-halves.json"));
    const list = document.interpretation.half_map_list.half_map;
    list.unshift({ file: "../../entry.json" }, { file: "a/b.map" }, { format: "CCP4" }, { file: "x".repeat(256) });
    const metadata = parseEmdbJson(JSON.stringify(document), "EMD-3197");
    expect(metadata.halfMapFiles).toEqual(["emd_3197_half_map_1.map.gz", "emd_3197_half_map_2.map.gz"]);
    const absurd = metadata.issues.filter((i) => i.code === "half-map-file-absurd");
    expect(absurd.map((i) => [i.severity, i.field])).toEqual([
      ["error", "half_map[0].file"], ["error", "half_map[1].file"], ["error", "half_map[2].file"], ["error", "half_map[3].file"],
    ]);
    expect(absurd[0]!.message).toBe(
      'EMD-3197: half map 1 has the file name "../../entry.json"; expected a plain file name such as emd_1234_half_map_1.map.gz (ignored)',
    );
  });

  it("rejects text that is not JSON, naming the entry", () => {
    expect(() => parseEmdbJson("<html>", "EMD-42")).toThrow(/^EMD-42: metadata is not valid JSON/);
    expect(() => parseEmdbJson("[1]", "EMD-42")).toThrow(MetadataFormatError);
  });
});

describe("metadata against the map", () => {
  it("agrees with the real EMD-1997 map", async () => {
    const map = await readMap(new Uint8Array(readFileSync(new URL("../data/maps/emd_1997.map", import.meta.url))));
    expect(checkAgainstMap(parseEmdbXml(read("data/maps/emd-1997.xml"), "EMD-1997"), map)).toEqual([]);
  });

  it("flags a contour above the map's own maximum and a box that differs (the voxel size is the analysis's to check)", async () => {
    const map = await readMap(new Uint8Array(readFileSync(new URL("../data/maps/emd_3197.map", import.meta.url))));
    const metadata = parseEmdbXml(read("data/maps/emd-1997.xml"), "EMD-3197");
    const tooHigh = { ...metadata, contourLevel: 6 };
    expect(codes(checkAgainstMap(tooHigh, map))).toEqual([
      "error:contour-above-maximum", "warning:dimensions-mismatch",
    ]);
    expect(checkAgainstMap(tooHigh, map)[0]!.message).toMatch(/^EMD-3197: contour level 6 is above the map maximum 5\.576/);
  });
});
