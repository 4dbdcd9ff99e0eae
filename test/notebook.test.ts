/**
 * examples/level0.ipynb executed headless by a real Jupyter (Debian's jupyter_client, installed by .ci/run, driven by
 * scripts/run-notebook.py) with
 * Deno's kernel (the `deno` devDependency; its kernelspec is written into a private JUPYTER_PATH, so nothing of the
 * user's Jupyter set-up is read or changed). Each output cell must carry the expected MIME types, and its numbers
 * must be those of `mapval report --json` (to the last bits: the kernel runs in Deno's V8, the CLI in Node's; see
 * test/helpers/json-close.ts).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectJsonClose, withoutGenerationTime } from "./helpers/json-close.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = "/usr/bin/python3";
const map = join(root, "data", "maps", "emd_1997.map");

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  metadata: { tags?: string[] };
  outputs?: Output[];
}

let work: string;
let cells: Cell[];

function cli(...args: string[]) {
  const out = execFileSync(process.execPath, ["bin/mapval.js", "report", map, "--json", ...args], { cwd: root, encoding: "utf8" });
  return JSON.parse(out) as { sections: Record<string, { results: { rawVoxels: number; massTable: unknown[] } }> };
}

/** The outputs of the cell with this tag, text MIME data joined (a notebook may store text as a list of lines). */
function outputs(tag: string): Output[] {
  const cell = cells.find((c) => c.metadata.tags?.includes(tag));
  if (!cell) throw new Error(`the notebook has no cell tagged ${tag}`);
  return (cell.outputs ?? []).map((o) => ({
    ...o,
    data: o.data && Object.fromEntries(Object.entries(o.data).map(([type, v]) => [type, type.startsWith("application/json") ? v : Array.isArray(v) ? v.join("") : v])),
  }));
}

/** Self-contained: no script, no resource fetched from anywhere. */
function expectSelfContained(html: unknown) {
  expect(typeof html).toBe("string");
  expect(html).not.toMatch(/<script|<link|<iframe|\s(src|href)=|url\(/i);
}

beforeAll(() => {
  if (!existsSync(python) || spawnOk([python, "-c", "import jupyter_client, nbformat"]) === false)
    throw new Error("Jupyter is missing: install python3-nbclient, jupyter-nbconvert and python3-ipykernel (.ci/run does)");
  work = mkdtempSync(join(tmpdir(), "mapval-notebook-"));
  const kernel = join(work, "jupyter", "kernels", "deno");
  mkdirSync(kernel, { recursive: true });
  const deno = join(root, "node_modules", ".bin", "deno");
  writeFileSync(
    join(kernel, "kernel.json"),
    JSON.stringify({ argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"], display_name: "Deno", language: "typescript" }),
  );
  // The notebook imports "mapval", the package itself: its build.
  execFileSync(process.execPath, [join(root, "scripts", "build-package.mjs")], { cwd: root, stdio: "pipe" });
  const executed = join(work, "level0.ipynb");
  // scripts/run-notebook.py, not nbconvert: nbclient stops reading a cell's outputs at the kernel's idle status, and
  // Deno's kernel can publish displays after it on a loaded machine (lost outputs in CI; see the script).
  const run = spawnSync(python, [join(root, "scripts", "run-notebook.py"), "level0.ipynb", executed, "deno", "180"], {
    cwd: join(root, "examples"),
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: join(work, "jupyter"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  if (run.status !== 0) throw new Error(`run-notebook.py failed (exit ${run.status}):\n${run.stderr}`);
  // What the script noticed about the kernel's messages (late or stray outputs), kept in the log for diagnosis.
  for (const line of run.stderr.split("\n")) if (line.startsWith("run-notebook:")) console.log(line);
  cells = (JSON.parse(readFileSync(executed, "utf8")) as { cells: Cell[] }).cells;
}, 300_000);

function spawnOk(command: string[]): boolean {
  try {
    execFileSync(command[0], command.slice(1), { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each test starts processes (a CLI run is seconds on a loaded machine).
describe("examples/level0.ipynb run by Jupyter with Deno's kernel", { timeout: 60_000 }, () => {
  it("runs every code cell without an error", () => {
    const errors = cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
    expect(errors.map((e) => `${e.ename}: ${e.evalue}`)).toEqual([]);
  });

  it("shows the report as text, self-contained HTML and the JSON of mapval report --json", () => {
    const [shown] = outputs("report");
    expect(Object.keys(shown.data!).sort()).toEqual(["application/json", "text/html", "text/plain"]);
    expectJsonClose(
      withoutGenerationTime(shown.data!["application/json"]),
      withoutGenerationTime(cli("--threshold", "1", "--resolution", "7", "--sections", "0.a,0.b,0.c,0.d")),
    );
    expectSelfContained(shown.data!["text/html"]);
    expect(shown.data!["text/plain"]).toMatch(/^mapval Level 0 report/);
  });

  it("shows the mass table with an SVG mass-vs-threshold plot, its rows those of the CLI's 0.b", () => {
    const [shown] = outputs("mass-table");
    expect(Object.keys(shown.data!).sort()).toEqual(["application/json", "image/svg+xml", "text/html", "text/plain"]);
    const cliMask = cli("--threshold", "1", "--resolution", "7", "--sections", "0.a,0.b,0.c").sections["0.b"].results;
    expectJsonClose(shown.data!["application/json"], cliMask.massTable);
    const svg = String(shown.data!["image/svg+xml"]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<circle /g)?.length).toBe(cliMask.massTable.filter((r) => (r as { kDa: number }).kDa > 0).length);
    expectSelfContained(shown.data!["text/html"]);
  });

  it("moves the threshold in a loop: one 0.b display per level, each equal to the CLI's 0.b at that level", () => {
    const shown = outputs("threshold-loop");
    expect(shown.map((o) => o.output_type)).toEqual(["display_data", "display_data", "display_data", "display_data"]);
    [0.5, 1, 1.5, 2].forEach((threshold, i) => {
      expect(Object.keys(shown[i].data!).sort()).toEqual(["application/json", "text/html", "text/plain"]);
      expectJsonClose(
        shown[i].data!["application/json"],
        cli("--threshold", String(threshold), "--resolution", "7", "--sections", "0.a,0.b,0.c").sections["0.b"],
      );
    });
  });

  it("shows the sweep, whose raw-mask voxels at each level are the CLI's", () => {
    const [shown] = outputs("sweep");
    expect(Object.keys(shown.data!).sort()).toEqual(["application/json", "image/svg+xml", "text/html", "text/plain"]);
    const rows = shown.data!["application/json"] as { threshold: number; rawVoxels: number }[];
    expect(rows.map((r) => r.threshold)).toEqual([0.5, 1, 1.5, 2]);
    for (const r of rows)
      expect(r.rawVoxels).toBe(cli("--threshold", String(r.threshold), "--sections", "0.a,0.b,0.c").sections["0.b"].results.rawVoxels);
  });
});
