/**
 * The published package as a user gets it: `npm pack` (which runs the build), `npm install <tarball> --omit=dev` in an
 * empty project (offline: from the npm cache), then the public API from Node and from Deno must give the JSON of
 * `mapval report --json`, and the installed `mapval` command must run without tsx.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectJsonClose, withoutGenerationTime } from "./helpers/json-close.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const map = join(root, "data", "maps", "emd_1832.map");
// 0.05 and 20 Å: every section but 0.d/0.e/0.h is measured, 0.f and 0.g on the CLI's worker threads.
const reportArgs = [map, "--threshold", "0.05", "--resolution", "20", "--json"];
const deno = join(root, "node_modules", ".bin", "deno");

// Reads the map, hashes it with Web Crypto and prints reportJson: the same lines in Node and Deno.
const consumer = (specifier: string) => `
import { readFileSync } from "node:fs";
import { parseMap, reportJson, runLevel0 } from "${specifier}";
const bytes = new Uint8Array(readFileSync(${JSON.stringify(map)}));
const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
const report = runLevel0(parseMap(bytes).volume, { threshold: 0.05, resolution: 20 });
console.log(JSON.stringify(reportJson(report, "emd_1832.map", sha256)));
`;

let work: string;
let project: string;
let cliJson: unknown;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "mapval-package-"));
  project = join(work, "project");
  execFileSync("npm", ["pack", "--pack-destination", work], { cwd: root, stdio: "pipe" });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
  execFileSync("mkdir", [project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball)], {
    cwd: project,
    stdio: "pipe",
  });
  cliJson = withoutGenerationTime(JSON.parse(execFileSync(process.execPath, ["bin/mapval.js", "report", ...reportArgs], { cwd: root, encoding: "utf8" })));
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each test starts processes (a CLI run is seconds on a loaded machine).
describe("the packed mapval installed with --omit=dev", { timeout: 60_000 }, () => {
  it("holds the compiled build and no TypeScript sources, and installs no development tool", () => {
    const installed = join(project, "node_modules", "mapval");
    expect(existsSync(join(installed, "build", "index.js"))).toBe(true);
    expect(existsSync(join(installed, "build", "types", "index.d.ts"))).toBe(true);
    expect(existsSync(join(installed, "lib"))).toBe(false);
    expect(existsSync(join(installed, "data-loaders"))).toBe(false);
    for (const tool of ["tsx", "esbuild", "typescript", "@observablehq/framework", "three", "vitest"])
      expect(existsSync(join(project, "node_modules", tool)), tool).toBe(false);
  });

  it("gives Node the report JSON of `mapval report --json` through import { … } from \"mapval\"", () => {
    writeFileSync(join(project, "node-check.mjs"), consumer("mapval"));
    const out = execFileSync(process.execPath, ["node-check.mjs"], { cwd: project, encoding: "utf8" });
    expect(withoutGenerationTime(JSON.parse(out))).toEqual(cliJson);
  });

  it("gives Deno the same JSON through an npm: specifier", () => {
    writeFileSync(join(project, "deno-check.mjs"), consumer("npm:mapval"));
    const out = execFileSync(deno, ["run", "--quiet", "--allow-read", "--allow-env", "deno-check.mjs"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    // Deno's V8 rounds Math.log differently in the last digit (test/helpers/json-close.ts).
    expectJsonClose(withoutGenerationTime(JSON.parse(out)), cliJson);
  });

  it("runs the installed mapval command (compiled, workers included) with the same JSON", () => {
    const out = execFileSync(join(project, "node_modules", ".bin", "mapval"), ["report", ...reportArgs], { cwd: project, encoding: "utf8" });
    expect(withoutGenerationTime(JSON.parse(out))).toEqual(cliJson);
  });

  it("types the API for a TypeScript consumer", () => {
    writeFileSync(
      join(project, "typed.ts"),
      `import { parseMap, runLevel0, type Level0Report } from "mapval";\n` +
        `const report: Level0Report = runLevel0(parseMap(new Uint8Array(0)).volume, { threshold: 1 });\n` +
        `// @ts-expect-error: a threshold is a number\nrunLevel0(parseMap(new Uint8Array(0)).volume, { threshold: "1" });\n` +
        `export const status: "ok" | "warnings" | "does-not-apply" | "not-measured" | "not-requested" = report.sections["0.a"].status;\n`,
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "", "typed.ts"];
    expect(() => execFileSync(process.execPath, [tsc, ...args], { cwd: project, encoding: "utf8" })).not.toThrow();
  });
});
