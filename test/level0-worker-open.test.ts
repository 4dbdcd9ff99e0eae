/**
 * The page worker given a file's bytes (the open-a-map page, src/open.md): it reads them with the kernel's reader and
 * its report JSON is the CLI's on the same file (`mapval report FILE --threshold T --resolution R --sections
 * 0.a,0.b,0.c,0.d,0.h --json`, run here through its own entry point), apart from generator.generatedAt. Run in Node
 * with a stand-in for the worker's global scope.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { pageWorker } from "./helpers/page-worker.js";
import { runInfo } from "../data-loaders/cli/cli-info.js";
import { runReport } from "../data-loaders/cli/cli-report.js";
import { withoutGenerationTime } from "./helpers/json-close.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mapPath = join(root, "data/maps/emd_1997.map");

type Message = Record<string, unknown> & { type: string };
const { posted, scope } = pageWorker<Message>();

/** Sends a message and waits for the first answer of one of `types`. */
async function ask(data: unknown, types: string[]): Promise<Message> {
  posted.length = 0;
  scope.onmessage!({ data });
  for (let waited = 0; waited < 60_000; waited += 5) {
    const answer = posted.find((m) => types.includes(m.type));
    if (answer) return answer;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no ${types.join("/")} answer`);
}

const openFile = (bytes: Uint8Array, name: string) =>
  ask({ type: "open", bytes: bytes.slice().buffer, name }, ["opened", "error"]);

async function cli(command: typeof runReport, args: string[]) {
  let out = "", err = "";
  const code = await command(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

it("an opened file: geometry, SHA-256 and the 1 %-of-voxels default threshold, flagged as not the author's", async () => {
  const bytes = new Uint8Array(readFileSync(mapPath));
  const opened = await openFile(bytes, "emd_1997.map");
  expect(opened.type).toBe("opened");
  expect(opened.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  expect(opened.shape).toEqual([100, 100, 100]);
  // The level keeping 1 % of the voxels, the highest at or above which at least 10 000 of the 10⁶ voxels are: counted
  // here independently of the kernel (the map has ties, so more than 10 000 may be at the level itself).
  const threshold = opened.threshold as { level: number; fromAuthors: boolean; explanation: string };
  const data = new Float32Array(bytes.buffer.slice(1024 + new DataView(bytes.buffer).getInt32(92, true)));
  expect(data.length).toBe(100 ** 3);
  expect(data.filter((v) => v >= threshold.level).length).toBeGreaterThanOrEqual(10_000);
  expect(data.filter((v) => v > threshold.level).length).toBeLessThan(10_000);
  expect(threshold.fromAuthors).toBe(false);
  expect(threshold.explanation).toMatch(/not the author's.*1 % of the voxels/);
  // 100³ is within the site's live size: the figures' copy is the map itself.
  expect((opened.figureVolume as { factor: number }).factor).toBe(1);
});

it.each([
  ["emd_1997.map", 1.2, 7],
  ["emd_1997.map.gz", 0.8, null],
])("%s at threshold %d, resolution %j: the report JSON is the CLI's", async (name, threshold, resolution) => {
  const raw = readFileSync(mapPath);
  const bytes = new Uint8Array(name.endsWith(".gz") ? gzipSync(raw) : raw);
  expect((await openFile(bytes, name)).type).toBe("opened");
  const answer = await ask({ type: "report", id: 1, threshold, mode: "default", parameters: {}, resolution }, ["report", "error"]);
  expect(answer.type).toBe("report");

  const file = join(root, "test", `.tmp-${name}`);
  writeFileSync(file, bytes);
  try {
    const args = [file, "--threshold", String(threshold), "--sections", "0.a,0.b,0.c,0.d,0.h", "--json"];
    if (resolution !== null) args.push("--resolution", String(resolution));
    const { code, out } = await cli(runReport, args);
    expect(code).toBe(0);
    const expected = JSON.parse(out);
    expected.input.file = name; // the CLI names the file it read; the page the file it was given
    expect(withoutGenerationTime(JSON.parse(JSON.stringify(answer.json)))).toEqual(withoutGenerationTime(expected));
  } finally {
    rmSync(file, { force: true });
  }
  // The page's component table: each component's volume is its voxels times Ts³ of the report (the header's 2.02 Å).
  const ts = (answer.json as { input: { voxelSize: number } }).input.voxelSize;
  expect(ts).toBeCloseTo(2.02, 5);
  const components = (answer.tables as { components: { voxels: number; volume: number }[] }).components;
  expect(components.length).toBeGreaterThan(0);
  for (const c of components) expect(c.volume).toBeCloseTo(c.voxels * ts ** 3, 6);
  const sections = (answer.json as { sections: Record<string, { status: string }> }).sections;
  expect(["0.e", "0.f", "0.g"].map((id) => sections[id].status)).toEqual(["not-requested", "not-requested", "not-requested"]);
  // 0.d was computed (with a resolution) or says why not: never not requested.
  if (resolution === null) expect(sections["0.d"].status).toBe("does-not-apply");
  else expect(["ok", "warnings"]).toContain(sections["0.d"].status);
});

it("an edited voxel size and a resolution beyond Nyquist are the CLI's flags: the same error text", async () => {
  const bytes = new Uint8Array(readFileSync(mapPath));
  await openFile(bytes, "emd_1997.map");
  const answer = await ask({ type: "report", id: 2, threshold: 1, mode: "default", parameters: {}, resolution: 3, voxelSize: 2.02 }, ["report", "error"]);
  expect(answer.type).toBe("error");
  const { err, code } = await cli(runReport, [mapPath, "--threshold", "1", "--voxel-size", "2.02", "--resolution", "3", "--sections", "0.a,0.b,0.c,0.d,0.h"]);
  expect(code).toBe(2);
  expect(`mapval report: ${answer.message}\n`).toBe(err);
});

it("a bad file is answered with the reader's named error, the message `mapval info` prints", async () => {
  const path = join(root, "test/fixtures/mrc-corner-cases/sfftk-test_data_corrupt_header.map");
  const answer = await openFile(new Uint8Array(readFileSync(path)), basename(path));
  expect(answer).toMatchObject({ type: "error", request: "open", code: expect.any(String) });
  const { code, err } = await cli(runInfo, [path]);
  expect(code).toBe(2);
  expect(err).toBe(`mapval: ${path}: ${(answer.message as string).slice(basename(path).length + 2)}\n`);
  expect(answer.message).toMatch(/^sfftk-test_data_corrupt_header\.map: data block truncated/);
  // No map is held: a report request is not answered with an old map's numbers.
  posted.length = 0;
  scope.onmessage!({ data: { type: "report", id: 3, threshold: 1, mode: "default", parameters: {} } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(posted).toEqual([]);
});
