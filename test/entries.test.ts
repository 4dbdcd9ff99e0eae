import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chooseThreshold,
  EntriesConfigError,
  levelKeepingFraction,
  normalizeEmdbId,
  parseEntriesConfig,
  type ConfigProblem,
} from "../lib/entries.js";
import { parseMap } from "../lib/io/mrc-reader.js";

const DEFAULT_CONFIG = readFileSync(new URL("../mapval.entries.json", import.meta.url), "utf8");

const validEntry = {
  id: "emd-1997",
  emdb: "EMD-1997",
  title: "GroEL",
  file: "data/maps/emd_1997.map",
  resolution: { angstrom: 7, source: "header" },
  contour: { level: 1, source: "header" },
  attribution: "EMDB",
};

function configWith(entries: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: 1, entries, ...extra });
}

function problemsOf(text: string): ConfigProblem[] {
  try {
    parseEntriesConfig(text, "test.json");
  } catch (error) {
    expect(error).toBeInstanceOf(EntriesConfigError);
    return (error as EntriesConfigError).problems;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("entries configuration", () => {
  it("parses the shipped default, which lists every bundled map with its provenance", () => {
    const config = parseEntriesConfig(DEFAULT_CONFIG);
    expect(config.unknownContour).toEqual({ rule: "top-fraction", fraction: 0.01 });
    const byId = new Map(config.entries.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual(
      ["emd-1832", "emd-1997", "emd-2566-crop", "emd-3197", "emd-3488", "emd-5170", "emd-5625", "sim-emd-1997"],
    );
    expect(byId.get("emd-1997")).toMatchObject({
      emdb: "EMD-1997",
      resolution: { angstrom: 7 },
      contour: { level: 1 },
      voxelSize: 2.02,
    });
    expect(byId.get("emd-3197")).toMatchObject({ resolution: null, contour: null, voxelSize: 11.4 });
    for (const entry of config.entries) {
      expect(entry.file).toMatch(/^data\/maps\//);
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.attribution.length).toBeGreaterThan(10);
    }
    // Only the simulated pair has half maps, and it says it is simulated wherever it is named.
    expect(config.entries.filter((e) => e.half1 !== null).map((e) => e.id)).toEqual(["sim-emd-1997"]);
    const simulated = byId.get("sim-emd-1997")!;
    expect(simulated).toMatchObject({
      emdb: null, file: "data/maps/emd_1997.map",
      half1: { kind: "file", file: "data/halfmaps/sim-emd-1997/half1.mrc.gz" },
      half2: { kind: "file", file: "data/halfmaps/sim-emd-1997/half2.mrc.gz" },
    });
    for (const text of [simulated.title, simulated.attribution, simulated.notes]) expect(text).toMatch(/SIMULATED|simulated/);
    // The flag labels it; no other entry has it.
    expect(config.entries.filter((e) => e.simulated).map((e) => e.id)).toEqual(["sim-emd-1997"]);
    expect(simulated.attribution).toMatch(/EMDB EMD-1997 \(Clare et al\. 2012/);
  });

  it("accepts a minimal EMDB-only entry (no file) and fills the defaults", () => {
    const config = parseEntriesConfig(
      configWith([{ id: "x", emdb: "EMD-1234", title: "t", resolution: null, contour: null, attribution: "a" }]),
    );
    expect(config.entries[0]).toEqual({
      id: "x", emdb: "EMD-1234", title: "t", file: null, sha256: null, resolution: null, contour: null,
      voxelSize: null, attribution: "a", notes: null, half1: null, half2: null, simulated: false,
    });
    expect(config.unknownContour.fraction).toBe(0.01);
  });

  it("takes `simulated` as true or false (absent: false), whatever the title says, and refuses anything else", () => {
    const flagged = (simulated: unknown) => parseEntriesConfig(configWith([{ ...validEntry, simulated }])).entries[0].simulated;
    expect(flagged(true)).toBe(true);
    expect(flagged(false)).toBe(false);
    // A title that says "simulated" is not the flag.
    expect(parseEntriesConfig(configWith([{ ...validEntry, title: "a SIMULATED map", notes: "simulated" }])).entries[0].simulated).toBe(false);
    for (const bad of ["yes", 1, null]) {
      expect(problemsOf(configWith([{ ...validEntry, simulated: bad }]))).toEqual([{
        where: "entries[0] (emd-1997)", field: "simulated", message: `expected true or false, found ${JSON.stringify(bad)}`,
      }]);
    }
  });

  describe("half maps", () => {
    const SHA = "a".repeat(64);
    const half = (file: string, sha256: string | null = null) => ({ file, sha256 });

    it("takes two files (paths and hashes checked like the map's) or EMDB's half maps of the accession", () => {
      const files = parseEntriesConfig(configWith([{ ...validEntry, half1: half("h/1.mrc", SHA), half2: { file: "h/2.mrc" } }]));
      expect(files.entries[0]).toMatchObject({
        half1: { kind: "file", file: "h/1.mrc", sha256: SHA }, half2: { kind: "file", file: "h/2.mrc", sha256: null },
      });
      const emdb = parseEntriesConfig(configWith([{ ...validEntry, half1: "emdb", half2: "emdb" }]));
      expect(emdb.entries[0]).toMatchObject({ half1: { kind: "emdb" }, half2: { kind: "emdb" } });
      const neither = parseEntriesConfig(configWith([{ ...validEntry, half1: null, half2: null }]));
      expect(neither.entries[0]).toMatchObject({ half1: null, half2: null });
    });

    it("both or neither: one alone is an error naming the entry and the missing field", () => {
      expect(problemsOf(configWith([{ ...validEntry, half1: half("h1.mrc") }]))).toEqual([{
        where: "entries[0] (emd-1997)", field: "half2",
        message: "required when half1 is given: Level 1 needs both half maps, or neither",
      }]);
      expect(problemsOf(configWith([{ ...validEntry, half1: null, half2: "emdb" }]))).toEqual([
        expect.objectContaining({ where: "entries[0] (emd-1997)", field: "half1", message: expect.stringMatching(/^required when half2 is given/) }),
      ]);
    });

    it("refuses a mix of a file and EMDB, \"emdb\" without an accession, and bad paths, hashes and fields", () => {
      expect(problemsOf(configWith([{ ...validEntry, half1: half("h1.mrc"), half2: "emdb" }]))).toEqual([
        expect.objectContaining({ field: "half2", message: expect.stringMatching(/same kind as half1/) }),
      ]);
      expect(problemsOf(configWith([{ ...validEntry, emdb: null, half1: "emdb", half2: "emdb" }]))).toEqual([
        expect.objectContaining({ field: "half1", message: expect.stringMatching(/has no "emdb" accession/) }),
      ]);
      const bad = {
        ...validEntry,
        half1: { file: "../outside.mrc", sha256: "ABC" },
        half2: { file: "/etc/passwd", extra: 1 },
      };
      expect(problemsOf(configWith([bad])).map((p) => p.field).sort()).toEqual(["half1.file", "half1.sha256", "half2.extra", "half2.file"]);
      expect(problemsOf(configWith([{ ...validEntry, half1: "h1.mrc", half2: 3 }])).map((p) => [p.field, p.message])).toEqual([
        ["half1", 'expected {"file": "…", "sha256": "…"}, "emdb" or null, found "h1.mrc"'],
        ["half2", 'expected {"file": "…", "sha256": "…"}, "emdb" or null, found 3'],
      ]);
      expect(problemsOf(configWith([{ ...validEntry, half1: { file: "" }, half2: { file: "b" } }]))[0]).toMatchObject({
        field: "half1.file", message: 'expected a non-empty string, found ""',
      });
    });
  });

  it("takes a null title as 'none recorded' (no placeholder titles), but the field stays required", () => {
    const entry = { id: "x", emdb: "EMD-1234", title: null, resolution: null, contour: null, attribution: "a" };
    expect(parseEntriesConfig(configWith([entry])).entries[0]!.title).toBeNull();
    const { title: _left, ...untitled } = entry;
    expect(problemsOf(configWith([untitled]))).toEqual([
      expect.objectContaining({ field: "title", message: "required; use null when unknown" }),
    ]);
  });

  it("the bundled entries carry no placeholder title", () => {
    for (const entry of parseEntriesConfig(DEFAULT_CONFIG).entries) expect(entry.title ?? "").not.toMatch(/not recorded/);
  });

  it("rejects malformed JSON with the parser's reason", () => {
    const problems = problemsOf('{"version": 1, "entries": [');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^malformed JSON: /);
  });

  it("names the entry and the field of an unknown field", () => {
    const problems = problemsOf(configWith([{ ...validEntry, threshold: 3 }]));
    expect(problems).toEqual([expect.objectContaining({ where: "entries[0] (emd-1997)", field: "threshold" })]);
    expect(problems[0]!.message).toMatch(/unknown field/);
    expect(problemsOf(configWith([validEntry], { maps: [] }))[0]).toMatchObject({ where: "(top level)", field: "maps" });
    expect(problemsOf(configWith([{ ...validEntry, contour: { level: 1, source: "s", primary: true } }]))[0]).toMatchObject({
      field: "contour.primary",
    });
  });

  it("names the entry and field of every wrong type, all in one error", () => {
    const bad = {
      ...validEntry,
      emdb: "1997",
      title: 42,
      sha256: "ABC",
      resolution: { angstrom: -3, source: "s" },
      contour: { level: "1", source: "" },
      voxelSize: 0,
    };
    const problems = problemsOf(configWith([validEntry, { ...bad, id: "bad" }]));
    const fields = problems.map((p) => p.field).sort();
    expect(fields).toEqual(["contour.level", "contour.source", "emdb", "resolution.angstrom", "sha256", "title", "voxelSize"]);
    expect(new Set(problems.map((p) => p.where))).toEqual(new Set(["entries[1] (bad)"]));
    const error = (() => {
      try {
        parseEntriesConfig(configWith([{ ...bad, id: "bad" }]), "mapval.entries.json");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain('mapval.entries.json: invalid entries configuration');
    expect(error?.message).toContain('entries[0] (bad) field "resolution.angstrom": expected a number of Å > 0, found -3');
  });

  it("requires resolution and contour to be stated, null when unknown", () => {
    const { contour: _contour, resolution: _resolution, ...withoutBoth } = validEntry;
    const problems = problemsOf(configWith([withoutBoth]));
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ["resolution", "required; use null when unknown"],
      ["contour", "required; use null when unknown"],
    ]);
  });

  it("rejects duplicate ids and the same EMDB file twice", () => {
    const problems = problemsOf(configWith([validEntry, validEntry]));
    expect(problems.map((p) => [p.where, p.field])).toEqual([
      ["entries[1] (emd-1997)", "id"],
      ["entries[1] (emd-1997)", "emdb"],
    ]);
    expect(problems[0]!.message).toBe("duplicate id, already used by entries[0]");
    // A crop of the same entry in another file is a different map.
    expect(() => parseEntriesConfig(configWith([validEntry, { ...validEntry, id: "crop", file: "crop.mrc" }]))).not.toThrow();
  });

  it("rejects entries with neither file nor accession, paths leaving the directory, bad ids and a bad top level", () => {
    const noSource = { ...validEntry, emdb: null, file: null };
    expect(problemsOf(configWith([noSource]))[0]).toMatchObject({ field: "file", message: expect.stringMatching(/needs a file/) });
    expect(problemsOf(configWith([{ ...validEntry, file: "../secret.map" }]))[0]).toMatchObject({ field: "file" });
    expect(problemsOf(configWith([{ ...validEntry, file: "/etc/passwd" }]))[0]).toMatchObject({ field: "file" });
    expect(problemsOf(configWith([{ ...validEntry, id: "a/b" }]))[0]).toMatchObject({ where: "entries[0]", field: "id" });
    expect(problemsOf(configWith([7]))[0]).toMatchObject({ where: "entries[0]", field: "" });
    expect(problemsOf(JSON.stringify({ version: 2, entries: [] }))[0]).toMatchObject({ field: "version" });
    expect(problemsOf(JSON.stringify({ version: 1 }))[0]).toMatchObject({ field: "entries" });
    expect(problemsOf(JSON.stringify([]))[0]).toMatchObject({ where: "(top level)" });
    expect(problemsOf(configWith([], { unknownContour: { rule: "top-fraction", fraction: 2 } }))[0]).toMatchObject({
      field: "unknownContour.fraction",
    });
  });

  it("refuses ids that are not a safe page name (the build made entries/a../index and entries/x.html of them)", () => {
    for (const id of ["a..", "x.html", "a.b", ".hidden", "-x", "a b", "é", "a".repeat(65), ""]) {
      const [problem] = problemsOf(configWith([{ ...validEntry, id }]));
      expect(problem, id).toMatchObject({ where: "entries[0]", field: "id", message: expect.stringMatching(/page and file name/) });
    }
    for (const id of ["emd-1997", "EMD_1997", "crop2", "a".repeat(64)]) {
      expect(() => parseEntriesConfig(configWith([{ ...validEntry, id }])), id).not.toThrow();
    }
  });

  it("reads a file saved with a UTF-8 byte-order mark", () => {
    expect(parseEntriesConfig("\uFEFF" + configWith([validEntry])).entries[0]!.id).toBe(validEntry.id);
  });

  it("20 000 problems: all kept in `problems`, the message lists 20 and counts the rest", () => {
    const bad = Array.from({ length: 20_000 }, (_, i) => ({ ...validEntry, id: `e${i}`, title: 7 }));
    let error: EntriesConfigError | null = null;
    try {
      parseEntriesConfig(configWith(bad));
    } catch (e) {
      error = e as EntriesConfigError;
    }
    expect(error!.problems).toHaveLength(20_000);
    const lines = error!.message.split("\n");
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines.at(-1)).toBe("  … and 19980 more problems");
    expect(error!.message.length).toBeLessThan(5000);
  });

  it("normalises EMDB accessions", () => {
    expect(normalizeEmdbId("emd_1997")).toBe("EMD-1997");
    expect(normalizeEmdbId(" EMD-12345 ")).toBe("EMD-12345");
    expect(normalizeEmdbId("EMD-12")).toBeNull();
    expect(normalizeEmdbId("data/maps/emd_1997.map")).toBeNull();
  });
});

describe("threshold choice", () => {
  const data = Float32Array.from({ length: 1000 }, (_, i) => i); // 0..999

  it("keeps the requested fraction of voxels (v ≥ level), ignoring non-finite ones", () => {
    expect(levelKeepingFraction(data, 0.01)).toBe(990);
    expect(data.filter((v) => v >= 990).length).toBe(10);
    const withNaN = Float32Array.from([Number.NaN, 1, 2, 3, Number.POSITIVE_INFINITY]);
    expect(levelKeepingFraction(withNaN, 0.01)).toBe(3);
    expect(levelKeepingFraction(new Float32Array([Number.NaN]), 0.5)).toBeNaN();
  });

  // The definition, by a sort of the finite values (what levelKeepingFraction did before it stopped sorting the map).
  const bySort = (values: Float32Array, fraction: number) => {
    const finite = values.filter(Number.isFinite).sort();
    if (finite.length === 0) return Number.NaN;
    return finite[finite.length - Math.min(finite.length, Math.max(1, Math.ceil(fraction * finite.length)))];
  };

  it("equals the sorted values' keep-th largest: ties, ±0, negatives, NaN and ±Inf, any fraction", () => {
    const value = fc.oneof(
      fc.float({ noDefaultInfinity: false, noNaN: false }),
      fc.constantFrom(0, -0, 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      fc.integer({ min: -3, max: 3 }).map((k) => 1 + k * 2 ** -20), // neighbours in one value bin
    );
    fc.assert(fc.property(fc.array(value, { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, fraction) => {
      const data = Float32Array.from(values);
      expect(Object.is(levelKeepingFraction(data, fraction), bySort(data, fraction))).toBe(true);
    }), { numRuns: 500 });
  });

  it("a bundled map's 1 % level is the sort's", () => {
    const { volume } = parseMap(new Uint8Array(readFileSync(new URL("../data/maps/emd_5170.map", import.meta.url))));
    expect(levelKeepingFraction(volume.data, 0.01)).toBe(bySort(volume.data, 0.01));
  });

  it("uses the recorded contour, else the documented default flagged as not the author's", () => {
    expect(chooseThreshold({ level: 500, source: "header" }, data, 999)).toEqual({
      level: 500, fromAuthors: true, explanation: "recorded contour (header)",
    });
    const unknown = chooseThreshold(null, data, 999);
    expect(unknown).toMatchObject({ level: 990, fromAuthors: false });
    expect(unknown.explanation).toBe("not the author's: no author's contour is known; level keeping 1 % of the voxels");
    const tooHigh = chooseThreshold({ level: 5000, source: "header" }, data, 999, { rule: "top-fraction", fraction: 0.1 });
    expect(tooHigh).toMatchObject({ level: 900, fromAuthors: false });
    expect(tooHigh.explanation).toMatch(/recorded contour 5000 is above the map maximum 999/);
  });
});
